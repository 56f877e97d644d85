import ConvergeCore
import Foundation

/// The seed's initialization experiment (§7.2.5): push a batch of standard-normal inputs through
/// a deep stack of bias-free `Linear(width, width)` layers, each followed by an activation, and
/// track the mean and variance of the activations at every layer. Proper initialization keeps
/// the variance of order 1; too small a scale collapses it toward 0 (vanishing), too large a
/// scale blows it up toward Inf (exploding).
///
/// ```swift
/// let result = InitCheck.run(scheme: .he, activation: .relu, depth: 20, width: 512)
/// print(result.csv(), result.summary)     // … layer 20 variance 6.1e-01: stable
/// ```
///
/// Statistics follow PyTorch's `x.mean()` and `x.var()` (unbiased) on float32 tensors: they are
/// accumulated in double precision and rounded to float32, so a variance beyond float32's range
/// reads as Inf, as it does in PyTorch.
public enum InitCheck {
    /// The initialization schemes of the experiment, named as recipes name them (see
    /// ``InitializationScheme``; `xavier` is Xavier normal in both). Gains are PyTorch's defaults.
    public typealias Scheme = InitializationScheme

    /// Whether the variance survived the depth.
    public enum Verdict: String, Sendable {
        /// The last layer's variance is within ``InitCheck/collapseRatio`` of the input's.
        case stable
        /// The variance fell by more than that factor (collapse toward 0).
        case vanishing
        /// The variance grew by more than that factor, or reached Inf/NaN.
        case exploding
        /// The variance survived, but at least ``InitCheck/saturationLimit`` of a bounded
        /// activation's outputs sit at its ends (tanh: |y| > 0.99; sigmoid: y < 0.01 or y > 0.99),
        /// where it passes almost no gradient: tanh with N(0, 1) weights keeps a variance near 1
        /// only because nearly every output is ±1.
        case saturated
    }

    /// The fraction of saturated outputs at the last layer from which the verdict is `saturated` (0.5).
    public static let saturationLimit = 0.5

    /// The factor by which the variance must shrink or grow across the stack to be flagged (10³).
    public static let collapseRatio = 1e3

    /// Activation statistics at one layer.
    public struct LayerStatistics: Equatable, Sendable {
        /// The layer (0: the input).
        public var layer: Int
        /// Mean of every activation of the batch.
        public var mean: Double
        /// Unbiased variance of every activation of the batch.
        public var variance: Double
        /// Fraction of the activations at the ends of a bounded activation (tanh, sigmoid), nil
        /// for the input and for unbounded activations.
        public var saturatedFraction: Double? = nil
    }

    /// One run of the experiment.
    public struct Result: Equatable, Sendable {
        /// The initialization.
        public var scheme: Scheme
        /// The activation after every layer.
        public var activation: Activation
        /// Number of layers.
        public var depth: Int
        /// Width of every layer.
        public var width: Int
        /// Number of input samples.
        public var samples: Int
        /// The input (layer 0) and every layer's statistics.
        public var layers: [LayerStatistics]

        /// The last layer's variance.
        public var finalVariance: Double { layers.last?.variance ?? .nan }

        /// The verdict from the last layer's variance relative to the input's.
        public var verdict: Verdict {
            let input = layers.first?.variance ?? 1
            let v = finalVariance
            if !v.isFinite || v / input > InitCheck.collapseRatio { return .exploding }
            if v / input < 1 / InitCheck.collapseRatio { return .vanishing }
            if let saturated = layers.last?.saturatedFraction, saturated >= InitCheck.saturationLimit { return .saturated }
            return .stable
        }

        /// The first layer whose variance left the stable band (nil when stable).
        public var firstUnstableLayer: Int? {
            let input = layers.first?.variance ?? 1
            return layers.first { l in
                !l.variance.isFinite || l.variance / input > InitCheck.collapseRatio || l.variance / input < 1 / InitCheck.collapseRatio
            }?.layer
        }

        /// `layer,mean,variance` lines with a header (layer 0 is the input).
        public func csv() -> String {
            var lines = ["layer,mean,variance"]
            for l in layers { lines.append("\(l.layer),\(InitCheck.format(l.mean)),\(InitCheck.format(l.variance))") }
            return lines.joined(separator: "\n") + "\n"
        }

        /// `layer 20 variance: 6.123456e-01 (stable)`, with the layer where the variance left
        /// the stable band when it did.
        public var summary: String {
            var text = "layer \(depth) variance: \(InitCheck.format(finalVariance)) (\(verdict.rawValue))"
            if verdict == .saturated, let saturated = layers.last?.saturatedFraction {
                text += "; \(String(format: "%.1f", saturated * 100))% of the outputs saturated at the activation's ends"
            } else if verdict != .stable, let k = firstUnstableLayer {
                text += "; the variance left [1e-3, 1e3] × the input's at layer \(k)"
            }
            return text
        }
    }

    /// Runs the experiment: `samples` × `width` standard-normal inputs through `depth` layers
    /// `Linear(width, width, bias: false)` initialized by `scheme`, each followed by `activation`.
    /// Everything is drawn from a generator seeded with `seed`.
    public static func run(scheme: Scheme, activation: Activation, depth: Int, width: Int, samples: Int = 1000,
                           seed: UInt64 = 42) -> Result {
        precondition(depth >= 1 && width >= 1 && samples >= 2,
                     "InitCheck: need depth ≥ 1, width ≥ 1 and samples ≥ 2, got \(depth), \(width), \(samples)")
        let generator = RandomGenerator(seed: seed)
        var layers: [Linear] = []
        for _ in 0..<depth {
            let layer = Linear(width, width, bias: false, generator: generator)
            if let initializer = scheme.initializer() { layer.weight.initialize(initializer, generator: generator) }
            layers.append(layer)
        }
        var x = Tensor.randomNormal([samples, width], generator: generator)
        var stats = [statistics(x, layer: 0)]
        withNoGrad {
            for (i, layer) in layers.enumerated() {
                x = activation(layer(x))
                var s = statistics(x, layer: i + 1)
                s.saturatedFraction = saturation(x, activation: activation)
                stats.append(s)
            }
        }
        return Result(scheme: scheme, activation: activation, depth: depth, width: width, samples: samples, layers: stats)
    }

    /// Mean and unbiased variance in double precision, rounded to float32 as PyTorch reports them.
    static func statistics(_ x: Tensor, layer: Int) -> LayerStatistics {
        var sum = 0.0
        x.withUnsafeBufferPointer { for v in $0 { sum += Double(v) } }
        let n = Double(x.count)
        let mean = sum / n
        var squares = 0.0
        x.withUnsafeBufferPointer { for v in $0 { let d = Double(v) - mean; squares += d * d } }
        let variance = squares / (n - 1)
        return LayerStatistics(layer: layer, mean: Double(Float(mean)), variance: Double(Float(variance)))
    }

    /// The fraction of `x` at the ends of a bounded activation, nil for unbounded ones.
    static func saturation(_ x: Tensor, activation: Activation) -> Double? {
        let test: (Float) -> Bool
        switch activation {
        case .tanh: test = { Swift.abs($0) > 0.99 }
        case .sigmoid: test = { $0 < 0.01 || $0 > 0.99 }
        default: return nil
        }
        var count = 0
        x.withUnsafeBufferPointer { for v in $0 where test(v) { count += 1 } }
        return Double(count) / Double(Swift.max(x.count, 1))
    }

    static func format(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        return String(format: "%.6e", value)
    }
}
