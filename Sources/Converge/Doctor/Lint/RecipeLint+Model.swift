import ConvergeCore
import Foundation

extension RecipeLint.Context {
    /// One layer of the model as the recipe spells it (an MLP expanded into its layers).
    struct Layer {
        var kind: String
        var field: String
        var line: Int?
        var dropout: Double = 0
    }

    static let activationKinds: Set<String> = ["relu", "leaky_relu", "gelu", "tanh", "sigmoid", "silu"]

    /// The model's layers in order, with the recipe field each comes from.
    var layers: [Layer] {
        switch recipe.model {
        case .mlp(let mlp):
            var result: [Layer] = []
            for (i, _) in mlp.hidden.enumerated() {
                let line = map.line(of: "model.mlp.hidden")
                result.append(Layer(kind: "linear", field: "model.mlp.hidden[\(i)]", line: line))
                if mlp.batchNorm { result.append(Layer(kind: "batchnorm", field: "model.mlp.batchnorm", line: map.line(of: "model.mlp.batchnorm"))) }
                result.append(Layer(kind: mlp.activation, field: "model.mlp.activation", line: map.line(of: "model.mlp.activation")))
                if mlp.dropout > 0 {
                    result.append(Layer(kind: "dropout", field: "model.mlp.dropout", line: map.line(of: "model.mlp.dropout"), dropout: mlp.dropout))
                }
            }
            result.append(Layer(kind: "linear", field: "model.mlp", line: map.line(of: "model.mlp")))
            return result
        case .layers(let specs):
            return specs.map { Layer(kind: $0.kind, field: $0.path, line: $0.line, dropout: $0.kind == "dropout" ? ($0.options["p"] ?? 0.5) : 0) }
        }
    }

    /// The loss the recipe's task uses, in words.
    var lossName: String {
        guard isClassification else { return "mean squared error" }
        let k = session?.numClasses ?? recipe.data.numClasses ?? 2
        return k > 2 ? "cross-entropy (log-softmax inside)" : "binary cross-entropy with logits (sigmoid inside)"
    }

    /// The output layer against the loss, and the targets against the task.
    mutating func checkModelAndLoss() {
        let layers = self.layers
        // The last layer that is not dropout, and what follows the last linear.
        if let last = layers.last {
            if last.kind == "dropout" {
                add("dropout-output", .error, field: last.field, line: last.line,
                    "the model ends in dropout: in training mode it zeroes and rescales the outputs (logits or predictions) themselves",
                    fix: "remove the dropout after the output layer (put it before the last linear layer, if anywhere)")
            }
            if let activation = layers.last(where: { $0.kind != "dropout" }), Self.activationKinds.contains(activation.kind) {
                if isClassification {
                    add("output-activation", .error, field: activation.field, line: activation.line,
                        "the model ends in \(activation.kind), but the loss is \(lossName), which expects raw logits: the outputs are squashed twice and the gradients vanish",
                        fix: "remove the final \(activation.kind) layer; the loss applies the sigmoid/softmax itself")
                } else {
                    add("output-activation", .warning, field: activation.field, line: activation.line,
                        "the regression model ends in \(activation.kind), which limits the predictions' range",
                        fix: "end a regression model with a linear layer (standardize the target instead of squashing the output)")
                }
            }
            // Dropout feeding the output layer.
            if let head = layers.lastIndex(where: { $0.kind == "linear" }), head >= 1, layers[head - 1].kind == "dropout" {
                let d = layers[head - 1]
                if d.dropout >= 0.5 {
                    add("dropout-output", .warning, field: d.field, line: d.line,
                        "dropout \(DoctorFormat.number(d.dropout)) right before the output layer: half or more of the features the output reads are dropped on every step, which makes the loss noisy",
                        fix: "use a smaller rate (0.1–0.3) before the output layer, or move the dropout earlier")
                }
            }
        }

        guard let labels, !labels.isEmpty else { return }
        let distinct = Set(labels)
        let integral = labels.allSatisfy { $0 == $0.rounded() }
        if isClassification {
            if integral, distinct.count > 20, Double(distinct.count) > 0.05 * Double(labels.count) {
                add("target-kind", .warning, field: "data.task",
                    "classification into \(distinct.count) classes with \(labels.count) examples sampled (\(DoctorFormat.number(Double(labels.count) / Double(distinct.count))) per class): the labels look like a numeric target",
                    fix: "if the label is a quantity, set data.task: regression")
            }
        } else if distinct.count == 2 && distinct.isSubset(of: [0, 1]) {
            add("target-kind", .warning, field: "data.task",
                "regression (mean squared error) on labels that are only 0 and 1: a class label fitted as a number",
                fix: "set data.task: classification (binary cross-entropy on logits)")
        }
    }
}
