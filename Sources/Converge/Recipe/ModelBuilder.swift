import ConvergeCore
import Foundation

/// Builds a model from a recipe's model section, inferring every layer's input size from the
/// data (shape inference) and checking that each layer fits the shape it receives.
public enum ModelBuilder {
    /// Builds the model for inputs of per-sample shape `inputShape` and `outputs` values per sample.
    ///
    /// - Throws: ``RecipeError`` naming the layer (field path and line) when a layer does not fit
    ///   the shape it receives, or when the last layer's output does not match `outputs`.
    /// With `perPosition` (language models), the output per sample is `[T, outputs]` and the
    /// built model flattens it to `[N·T, outputs]` (one row of logits per token).
    ///   Before any layer is allocated, its memory is added to a ``MemoryEstimate`` for batches
    ///   of `batchSize`; a model that would not fit is a ``RecipeError`` naming the layer.
    public static func build(_ spec: Recipe.ModelSpec, inputShape: [Int], outputs: Int, file: String,
                             batchSize: Int = 1, generator: RandomGenerator = Random.generator,
                             perPosition: Bool = false) throws -> Sequential {
        var memory = MemoryEstimate(file: file, batchSize: batchSize)
        switch spec {
        case .mlp(let mlp):
            return try buildMLP(mlp, inputShape: inputShape, outputs: outputs, file: file, memory: &memory, generator: generator)
        case .layers(let layers):
            return try buildLayers(layers, inputShape: inputShape, outputs: outputs, file: file, memory: &memory, generator: generator,
                                   perPosition: perPosition)
        }
    }

    static func buildMLP(_ spec: Recipe.MLPSpec, inputShape: [Int], outputs: Int, file: String,
                         memory: inout MemoryEstimate, generator: RandomGenerator) throws -> Sequential {
        guard let activation = Activation(name: spec.activation) else {
            throw RecipeError(file: file, line: nil, field: "model.mlp.activation", message: "unknown activation '\(spec.activation)'")
        }
        let model = Sequential([])
        var width = CheckedSize.count(inputShape) ?? Int.max
        if inputShape.count != 1 { model.append(Flatten()) }
        var linears: [Linear] = []
        for (i, hidden) in spec.hidden.enumerated() {
            let detail = "hidden[\(i)] = \(hidden)"
            try memory.addParameters(CheckedSize.product(width, hidden).flatMap { CheckedSize.sum($0, hidden) },
                                     line: spec.hiddenLine, field: "model.mlp.hidden", detail: detail)
            try memory.addActivations(CheckedSize.product(hidden, spec.batchNorm ? 3 : 2), line: spec.hiddenLine,
                                      field: "model.mlp.hidden", detail: detail)
            let linear = Linear(width, hidden, generator: generator)
            linears.append(linear)
            model.append(linear)
            if spec.batchNorm { model.append(BatchNorm(hidden)) }
            model.append(activation.module())
            if spec.dropout > 0 { model.append(Dropout(Float(spec.dropout))) }
            width = hidden
        }
        try memory.addParameters(CheckedSize.product(width, outputs).flatMap { CheckedSize.sum($0, outputs) },
                                 line: spec.hiddenLine, field: "model.mlp", detail: "output layer \(width) × \(outputs)")
        let head = Linear(width, outputs, generator: generator)
        model.append(head)
        try initialize(linears: linears, head: head, scheme: spec.initialization, activation: activation, generator: generator)
        return model
    }

    /// Applies a named initialization scheme (an ``InitializationScheme`` name) to the hidden
    /// layers, with the gain of `activation` and zero biases; the head keeps PyTorch's default
    /// unless the scheme is a Xavier one (the head gets the same Xavier variant with gain 1) or
    /// `orthogonal` (Xavier uniform, gain 1).
    static func initialize(linears: [Linear], head: Linear, scheme name: String, activation: Activation,
                           generator: RandomGenerator) throws {
        guard let scheme = InitializationScheme(name: name) else {
            preconditionFailure("ModelBuilder: the recipe parser admits only initialization schemes, got '\(name)'")
        }
        let nonlinearity: Nonlinearity
        var slope: Float = 0
        switch activation {
        case .relu, .gelu, .silu: nonlinearity = .relu
        case .leakyRelu(let s): nonlinearity = .leakyRelu; slope = s
        case .tanh: nonlinearity = .tanh
        case .sigmoid: nonlinearity = .sigmoid
        case .identity: nonlinearity = .linear
        }
        let gain = calculateGain(nonlinearity, negativeSlope: slope)
        if let initializer = scheme.initializer(gain: gain, negativeSlope: slope) {
            for linear in linears {
                linear.weight.initialize(initializer, generator: generator)
                linear.bias?.initialize(.zeros)
            }
        }
        let headInitializer: Initializer?
        switch scheme {
        case .xavierNormal: headInitializer = .xavierNormal(gain: 1)
        case .xavierUniform, .orthogonal: headInitializer = .xavierUniform(gain: 1)
        default: headInitializer = nil
        }
        if let headInitializer {
            head.weight.initialize(headInitializer, generator: generator)
            head.bias?.initialize(.zeros)
        }
    }

    static func buildLayers(_ specs: [Recipe.LayerSpec], inputShape: [Int], outputs: Int, file: String,
                            memory: inout MemoryEstimate, generator: RandomGenerator, perPosition: Bool = false,
                            checksOutput: Bool = true) throws -> Sequential {
        let model = Sequential([])
        var shape = inputShape
        for spec in specs {
            func fail(_ message: String) -> RecipeError {
                RecipeError(file: file, line: spec.line, field: spec.path, message: "\(spec.kind) does not fit input of shape \(shape): \(message)")
            }
            func option(_ name: String, _ fallback: Int? = nil) throws -> Int {
                if let v = spec.options[name] {
                    guard v == v.rounded(), v >= 0 else {
                        throw RecipeError(file: file, line: spec.line, field: "\(spec.path).\(spec.kind).\(name)", message: "expected a non-negative integer, got \(v)")
                    }
                    return Int(v)
                }
                if let fallback { return fallback }
                throw RecipeError(file: file, line: spec.line, field: "\(spec.path).\(spec.kind)", message: "missing required option '\(name)'")
            }
            func positive(_ name: String, _ fallback: Int? = nil) throws -> Int {
                let v = try option(name, fallback)
                guard v > 0 else {
                    throw RecipeError(file: file, line: spec.line, field: "\(spec.path).\(spec.kind).\(name)", message: "must be positive, got \(v)")
                }
                return v
            }
            func outputLength(_ length: Int, kernel: Int, stride: Int, padding: Int, dilation: Int) throws -> Int {
                let n = (length + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1
                guard length + 2 * padding - dilation * (kernel - 1) - 1 >= 0, n >= 1 else {
                    throw fail("kernel \(kernel) (dilation \(dilation), padding \(padding)) is larger than the input length \(length)")
                }
                return n
            }
            func parameters(_ count: Int?) throws {
                try memory.addParameters(count, line: spec.line, field: spec.path, detail: "\(spec.kind) on input \(shape)")
            }
            switch spec.kind {
            case "linear":
                guard let last = shape.last else { throw fail("needs at least one dimension") }
                let out = try positive("out")
                try parameters(CheckedSize.product(last, out).flatMap { CheckedSize.sum($0, out) })
                model.append(Linear(last, out, bias: (spec.options["bias"] ?? 1) != 0, generator: generator))
                shape[shape.count - 1] = out
            case "conv1d", "conv2d":
                let dims = spec.kind == "conv1d" ? 1 : 2
                guard shape.count == dims + 1 else { throw fail("expects [channels, \(dims == 1 ? "length" : "height, width")]; add a reshape layer first") }
                let out = try positive("out"), kernel = try positive("kernel"), stride = try positive("stride", 1)
                let padding = try option("padding", 0), dilation = try positive("dilation", 1), groups = try positive("groups", 1)
                guard shape[0] % groups == 0 && out % groups == 0 else { throw fail("groups \(groups) must divide in channels \(shape[0]) and out \(out)") }
                var next = [out]
                for d in 1...dims { next.append(try outputLength(shape[d], kernel: kernel, stride: stride, padding: padding, dilation: dilation)) }
                try parameters(CheckedSize.count([shape[0] / groups, out] + Array(repeating: kernel, count: dims)).flatMap { CheckedSize.sum($0, out) })
                let bias = (spec.options["bias"] ?? 1) != 0
                if dims == 1 {
                    model.append(Conv1d(shape[0], out, kernelSize: kernel, stride: stride, padding: padding, dilation: dilation, groups: groups, bias: bias))
                } else {
                    model.append(Conv2d(shape[0], out, kernelSize: Size2D(kernel), stride: Size2D(stride), padding: Size2D(padding),
                                        dilation: Size2D(dilation), groups: groups, bias: bias))
                }
                shape = next
            case "maxpool1d", "avgpool1d", "maxpool2d", "avgpool2d":
                let dims = spec.kind.hasSuffix("1d") ? 1 : 2
                guard shape.count == dims + 1 else { throw fail("expects [channels, \(dims == 1 ? "length" : "height, width")]") }
                let kernel = try positive("kernel"), stride = try positive("stride", kernel), padding = try option("padding", 0)
                guard padding * 2 <= kernel else { throw fail("padding \(padding) must be at most half the kernel \(kernel)") }
                var next = [shape[0]]
                for d in 1...dims { next.append(try outputLength(shape[d], kernel: kernel, stride: stride, padding: padding, dilation: 1)) }
                switch spec.kind {
                case "maxpool1d": model.append(MaxPool1d(kernelSize: kernel, stride: stride, padding: padding))
                case "avgpool1d": model.append(AvgPool1d(kernelSize: kernel, stride: stride, padding: padding))
                case "maxpool2d": model.append(MaxPool2d(kernelSize: Size2D(kernel), stride: Size2D(stride), padding: Size2D(padding)))
                default: model.append(AvgPool2d(kernelSize: Size2D(kernel), stride: Size2D(stride), padding: Size2D(padding)))
                }
                shape = next
            case "global_avg_pool":
                guard shape.count >= 2 else { throw fail("expects [channels, …spatial]") }
                model.append(GlobalAvgPool())
                shape = [shape[0]]
            case "batchnorm":
                guard (1...3).contains(shape.count) else { throw fail("expects [features], [channels, length] or [channels, height, width]") }
                model.append(BatchNorm(shape[0], epsilon: Float(spec.options["eps"] ?? 1e-5), momentum: Float(spec.options["momentum"] ?? 0.1)))
            case "layernorm":
                guard let last = shape.last else { throw fail("needs at least one dimension") }
                model.append(LayerNorm([last], epsilon: Float(spec.options["eps"] ?? 1e-5)))
            case "groupnorm":
                guard shape.count >= 1 else { throw fail("needs a channel dimension") }
                let groups = try positive("groups")
                guard shape[0] % groups == 0 else { throw fail("groups \(groups) must divide channels \(shape[0])") }
                model.append(GroupNorm(groups: groups, channels: shape[0], epsilon: Float(spec.options["eps"] ?? 1e-5)))
            case "instancenorm":
                guard shape.count >= 2 else { throw fail("expects [channels, …spatial]") }
                model.append(InstanceNorm(shape[0], epsilon: Float(spec.options["eps"] ?? 1e-5)))
            case "dropout":
                let p = spec.options["p"] ?? 0.5
                do { model.append(try Dropout(validatingProbability: Float(p))) } catch {
                    throw RecipeError(file: file, line: spec.line, field: "\(spec.path).dropout.p", message: "must be in [0, 1), got \(p)")
                }
            case "leaky_relu":
                model.append(LeakyReLU(negativeSlope: Float(spec.options["slope"] ?? 0.01)))
            case "relu", "gelu", "tanh", "sigmoid", "silu":
                model.append(Activation(name: spec.kind)!.module())
            case "flatten":
                model.append(Flatten())
                shape = [CheckedSize.count(shape) ?? Int.max]
            case "reshape":
                guard spec.shape.allSatisfy({ $0 > 0 || $0 == -1 }), spec.shape.filter({ $0 == -1 }).count <= 1 else {
                    throw fail("reshape sizes must be positive (one may be -1), got \(spec.shape)")
                }
                let total = CheckedSize.count(shape) ?? -1
                guard let known = CheckedSize.count(spec.shape.filter { $0 != -1 }) else {
                    throw fail("reshape sizes \(spec.shape) multiply to more values than can be addressed")
                }
                var target = spec.shape
                if let i = target.firstIndex(of: -1) {
                    guard known > 0, total % known == 0 else { throw fail("cannot reshape \(total) values into \(spec.shape)") }
                    target[i] = total / known
                }
                guard CheckedSize.count(target) == total else { throw fail("cannot reshape \(total) values into \(spec.shape)") }
                model.append(Reshape(target))
                shape = target
            default:
                guard let next = try buildSequenceLayer(spec, shape: shape, outputs: outputs, into: model, file: file,
                                                        memory: &memory, generator: generator) else {
                    throw RecipeError(file: file, line: spec.line, field: spec.path, message: "unknown layer '\(spec.kind)'")
                }
                shape = next
            }
            try memory.addActivations(CheckedSize.count(shape), line: spec.line, field: spec.path,
                                      detail: "\(spec.kind) output \(shape) per example")
        }
        if !checksOutput { return model }
        if perPosition {
            guard shape.count == 2, shape[1] == outputs else {
                throw RecipeError(file: file, line: specs.last?.line, field: "model.layers",
                                  message: "a language model's output per sample must be [context, \(outputs)] (logits per token), got \(shape); end with a linear layer with out: \(outputs)")
            }
            model.append(Flatten(startAxis: 0, endAxis: 1))
            return model
        }
        guard shape == [outputs] else {
            throw RecipeError(file: file, line: specs.last?.line, field: "model.layers",
                              message: "the model's output per sample has shape \(shape), but the task needs [\(outputs)] (end with a linear layer with out: \(outputs))")
        }
        return model
    }
}
