import ConvergeCore
import Foundation

/// Statistics of one gradient tensor (the seed's `log_gradient_stats`, §7.8.3): mean, standard
/// deviation, L2 norm, largest magnitude and the fraction of exact zeros.
///
/// ```swift
/// loss.backward()
/// for s in GradientStatistics.parameters(of: model) { print(s.name, s.norm, s.zeroFraction) }
/// ```
/// Sums run in double precision; ``std`` is the unbiased (n − 1) standard deviation, as
/// `torch.Tensor.std()`. A gradient holding NaN or Inf gives non-finite statistics.
public struct GradientStatistics: Equatable, Sendable {
    /// The parameter's dotted name (`layers.3.weight`).
    public var name: String
    /// Number of elements.
    public var count: Int
    /// Mean of the elements.
    public var mean: Double
    /// Unbiased standard deviation (NaN for a single element).
    public var std: Double
    /// L2 norm.
    public var norm: Double
    /// Largest absolute value.
    public var maxAbs: Double
    /// Fraction of elements exactly 0.
    public var zeroFraction: Double
    /// Number of NaN or infinite elements.
    public var nonFiniteCount: Int

    /// Measures `gradient`.
    public init(name: String, gradient: Tensor) {
        self.init(name: name, gradients: [gradient])
    }

    /// Measures several gradients as one vector (e.g. a layer's weight and bias).
    public init(name: String, gradients: [Tensor]) {
        self.name = name
        count = gradients.reduce(0) { $0 + $1.count }
        var sum = 0.0, sumSquares = 0.0, maxAbs = 0.0
        var zeros = 0, nonFinite = 0
        for gradient in gradients {
            gradient.withUnsafeBufferPointer { buffer in
                for v in buffer {
                    let d = Double(v)
                    if !d.isFinite { nonFinite += 1 }
                    if v == 0 { zeros += 1 }
                    sum += d
                    sumSquares += d * d
                    let a = Swift.abs(d)
                    if a.isNaN || maxAbs.isNaN { maxAbs = .nan } else if a > maxAbs { maxAbs = a }
                }
            }
        }
        let n = Double(Swift.max(count, 1))
        mean = sum / n
        // Two-pass variance for accuracy: Σ(x − mean)².
        var squaredDeviations = 0.0
        let m = mean
        for gradient in gradients {
            gradient.withUnsafeBufferPointer { buffer in
                for v in buffer { let d = Double(v) - m; squaredDeviations += d * d }
            }
        }
        std = count > 1 ? (squaredDeviations / Double(count - 1)).squareRoot() : .nan
        norm = sumSquares.squareRoot()
        self.maxAbs = maxAbs
        zeroFraction = count > 0 ? Double(zeros) / Double(count) : 0
        nonFiniteCount = nonFinite
    }

    /// Statistics of every parameter of `model` that has a gradient, in
    /// ``Module/namedParameters()`` order. Call after `backward()` (and after clipping, to see
    /// what the optimizer will apply).
    public static func parameters(of model: Module) -> [GradientStatistics] {
        model.namedParameters().compactMap { name, parameter in
            parameter.grad.map { GradientStatistics(name: name, gradient: $0) }
        }
    }

    /// Statistics per layer: for every module that owns parameters with gradients, all of its
    /// own parameters' gradients (weight and bias together) as one vector, named by the module's
    /// path, in ``Module/namedModules()`` order.
    public static func layers(of model: Module) -> [GradientStatistics] {
        model.namedModules().compactMap { path, module in
            let gradients = module.namedLocalParameters().compactMap { $0.1.grad }
            guard !gradients.isEmpty else { return nil }
            return GradientStatistics(name: path.isEmpty ? "(root)" : path, gradients: gradients)
        }
    }

    /// Per-layer gradient norms of `model`, input side first: one entry per module that owns a
    /// weight of rank ≥ 2 with a gradient (Linear, Conv, Embedding, recurrent layers), the norm
    /// of that weight's gradient. These are the layers whose norms reveal vanishing or exploding
    /// gradients (see ``GradientFlow``); biases and normalization scales are left out because
    /// their gradients do not shrink with depth in the same way.
    public static func layerNorms(of model: Module) -> [GradientFlow.Layer] {
        var layers: [GradientFlow.Layer] = []
        for (path, module) in model.namedModules() {
            for (local, parameter) in module.namedLocalParameters() where parameter.rank >= 2 {
                guard local == "weight" || local.hasPrefix("weight"), let grad = parameter.grad else { continue }
                let s = GradientStatistics(name: path.isEmpty ? local : path + "." + local, gradient: grad)
                layers.append(GradientFlow.Layer(name: s.name, norm: s.norm, zeroFraction: s.zeroFraction))
            }
        }
        return layers
    }
}
