import ConvergeCore
import Foundation

/// A table of a model's layers with their output shapes and parameter counts, like Keras'
/// `model.summary()` (printed at the start of `converge train` and by `converge summary`).
///
/// ```text
/// layer          output shape  parameters
/// -------------  ------------  ----------
/// 0 Linear       [N, 64]              192
/// 1 ReLU         [N, 64]                0
/// 2 Linear       [N, 1]                65
/// -------------  ------------  ----------
/// total                               257 (257 trainable)
/// ```
///
/// The shapes come from one forward pass of a batch of two all-zero examples in eval mode
/// without gradients, so neither the weights, the running statistics nor the random
/// generator change. `N` stands for the batch size.
public struct ModelSummary {
    /// One row: a top-level layer.
    public struct Row: Equatable {
        /// The layer's name in the model (its index in a ``Sequential``).
        public var name: String
        /// The layer's type, e.g. `Linear`.
        public var type: String
        /// The per-sample output shape (the batch dimension left out).
        public var outputShape: [Int]
        /// The number of parameter scalars of the layer, including those of nested modules.
        public var parameters: Int
    }

    /// The rows in order.
    public let rows: [Row]
    /// Parameter scalars in all.
    public let totalParameters: Int
    /// Parameter scalars that are trained (`requiresGrad`).
    public let trainableParameters: Int

    /// Measures `model`'s layers on inputs of per-sample shape `inputShape`.
    public init(_ model: Sequential, inputShape: [Int]) {
        let wasTraining = model.isTraining
        model.eval()
        defer { if wasTraining { model.train() } }
        var x = Tensor.zeros([2] + inputShape)
        var rows: [Row] = []
        withNoGrad {
            for (name, layer) in model.namedChildren() {
                x = layer(x)
                rows.append(Row(name: name, type: String(describing: type(of: layer)),
                                outputShape: Array(x.shape.dropFirst()), parameters: layer.parameterCount))
            }
        }
        self.rows = rows
        totalParameters = model.parameterCount
        trainableParameters = model.trainableParameters.reduce(0) { $0 + $1.count }
    }

    /// The table as text, one line per layer, with a total line.
    public var table: String {
        func shape(_ s: [Int]) -> String { "[" + (["N"] + s.map(String.init)).joined(separator: ", ") + "]" }
        let cells = rows.map { ("\($0.name) \($0.type)", shape($0.outputShape), Self.grouped($0.parameters)) }
        let total = Self.grouped(totalParameters)
        let w0 = max(5, cells.map { $0.0.count }.max() ?? 0, "total".count)
        let w1 = max(12, cells.map { $0.1.count }.max() ?? 0)
        let w2 = max(10, cells.map { $0.2.count }.max() ?? 0, total.count)
        func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - s.count)) }
        func left(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
        let rule = [w0, w1, w2].map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        var lines = [pad("layer", w0) + "  " + pad("output shape", w1) + "  " + left("parameters", w2), rule]
        lines += cells.map { pad($0.0, w0) + "  " + pad($0.1, w1) + "  " + left($0.2, w2) }
        lines.append(rule)
        lines.append(pad("total", w0) + "  " + pad("", w1) + "  " + left(total, w2)
                     + " (\(Self.grouped(trainableParameters)) trainable)")
        return lines.map { $0.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }.joined(separator: "\n") + "\n"
    }

    /// `1234567` as `1,234,567`.
    static func grouped(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }
}
