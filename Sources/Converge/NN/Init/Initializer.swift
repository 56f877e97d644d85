import ConvergeCore
import Foundation

/// A rule for filling a weight tensor at initialization, with PyTorch's `nn.init` semantics.
///
/// Apply one with ``ConvergeCore/Tensor/initialize(_:generator:)``:
///
/// ```swift
/// layer.weight.initialize(.kaimingNormal(nonlinearity: .relu))
/// layer.bias?.initialize(.zeros)
/// ```
///
/// The fan-based rules (Xavier, Kaiming) read the fans of the tensor's shape as
/// ``fans(ofShape:)`` defines them, so they need at least 2 dimensions.
public enum Initializer: Sendable {
    /// Every element set to `value`.
    case constant(Float)
    /// Every element 0.
    case zeros
    /// Every element 1.
    case ones
    /// Samples from N(mean, std²).
    case normal(mean: Float = 0, std: Float = 1)
    /// Samples from U[low, high).
    case uniform(low: Float = 0, high: Float = 1)
    /// Samples from N(mean, std²) conditioned on lying in [low, high] (absolute bounds, as in
    /// PyTorch's `trunc_normal_`), drawn by inverting the normal CDF.
    case truncatedNormal(mean: Float = 0, std: Float = 1, low: Float = -2, high: Float = 2)
    /// Glorot & Bengio (2010), uniform: U(−b, b) with b = gain · √(6 / (fanIn + fanOut)).
    case xavierUniform(gain: Float = 1)
    /// Glorot & Bengio (2010), normal: N(0, σ²) with σ = gain · √(2 / (fanIn + fanOut)).
    case xavierNormal(gain: Float = 1)
    /// He et al. (2015), uniform: U(−b, b) with b = √3 · gain / √fan, where
    /// gain = ``calculateGain(_:negativeSlope:)``(nonlinearity, a) and fan is chosen by `mode`.
    /// `a` is the negative slope of a leaky ReLU (used only when `nonlinearity` is `.leakyRelu`).
    case kaimingUniform(a: Float = 0, mode: FanMode = .fanIn, nonlinearity: Nonlinearity = .leakyRelu)
    /// He et al. (2015), normal: N(0, σ²) with σ = gain / √fan (see ``kaimingUniform(a:mode:nonlinearity:)``).
    case kaimingNormal(a: Float = 0, mode: FanMode = .fanIn, nonlinearity: Nonlinearity = .leakyRelu)
    /// Saxe et al. (2014): a (semi-)orthogonal matrix times `gain`. The tensor is viewed as
    /// `[shape[0], count / shape[0]]`; its rows (when fewer) or columns are orthonormal. See
    /// ``orthogonalMatrix(rows:columns:gain:generator:)``.
    case orthogonal(gain: Float = 1)

    /// Fills `tensor` in place with values drawn by this rule from `generator`.
    ///
    /// The write bypasses autograd (as PyTorch's initializers do under `no_grad`), so it is safe
    /// on parameters that require gradients; their graph history is not affected.
    public func apply(to tensor: Tensor, generator: RandomGenerator = Random.generator) {
        let buffer = tensor.storage.buffer
        switch self {
        case .constant(let value):
            tensor.fill(value)
        case .zeros:
            tensor.fill(0)
        case .ones:
            tensor.fill(1)
        case .normal(let mean, let std):
            precondition(std >= 0, "Initializer.normal: std must be non-negative, got \(std)")
            generator.fillNormal(buffer, mean: mean, std: std)
        case .uniform(let low, let high):
            precondition(low <= high, "Initializer.uniform: low \(low) exceeds high \(high)")
            generator.fillUniform(buffer, low: low, high: high)
        case .truncatedNormal(let mean, let std, let low, let high):
            precondition(std > 0 && low < high,
                         "Initializer.truncatedNormal: need std > 0 and low < high, got std \(std), bounds [\(low), \(high)]")
            Self.fillTruncatedNormal(buffer, mean: mean, std: std, low: low, high: high, generator: generator)
        case .xavierUniform(let gain):
            let f = fans(ofShape: tensor.shape)
            let std = gain * (2 / Float(f.fanIn + f.fanOut)).squareRoot()
            let bound = Float(3).squareRoot() * std
            generator.fillUniform(buffer, low: -bound, high: bound)
        case .xavierNormal(let gain):
            let f = fans(ofShape: tensor.shape)
            generator.fillNormal(buffer, mean: 0, std: gain * (2 / Float(f.fanIn + f.fanOut)).squareRoot())
        case .kaimingUniform(let a, let mode, let nonlinearity):
            let bound = Float(3).squareRoot() * Self.kaimingStd(shape: tensor.shape, a: a, mode: mode, nonlinearity: nonlinearity)
            generator.fillUniform(buffer, low: -bound, high: bound)
        case .kaimingNormal(let a, let mode, let nonlinearity):
            generator.fillNormal(buffer, mean: 0, std: Self.kaimingStd(shape: tensor.shape, a: a, mode: mode, nonlinearity: nonlinearity))
        case .orthogonal(let gain):
            precondition(tensor.rank >= 2,
                         "Initializer.orthogonal: needs a tensor with at least 2 dimensions, got shape \(tensor.shape)")
            let rows = tensor.shape[0]
            let columns = rows == 0 ? 0 : tensor.count / rows
            let values = orthogonalMatrix(rows: rows, columns: columns, gain: gain, generator: generator)
            for i in 0..<values.count { buffer[i] = values[i] }
        }
    }

    /// The standard deviation of the Kaiming rules: gain / √fan.
    static func kaimingStd(shape: [Int], a: Float, mode: FanMode, nonlinearity: Nonlinearity) -> Float {
        let n = fan(ofShape: shape, mode: mode)
        precondition(n > 0, "Initializer.kaiming: the \(mode.rawValue) of shape \(shape) is 0")
        return calculateGain(nonlinearity, negativeSlope: a) / Float(n).squareRoot()
    }

    /// Inverse-CDF sampling of the truncated normal, in double precision.
    static func fillTruncatedNormal(_ buffer: UnsafeMutableBufferPointer<Float>, mean: Float, std: Float,
                                    low: Float, high: Float, generator: RandomGenerator) {
        func cdf(_ x: Double) -> Double { 0.5 * (1 + Foundation.erf(x / 2.0.squareRoot())) }
        let lo = cdf(Double((low - mean) / std)), hi = cdf(Double((high - mean) / std))
        for i in 0..<buffer.count {
            let u = lo + (hi - lo) * generator.nextUniformDouble()
            let z = 2.0.squareRoot() * inverseErf(2 * u - 1)
            let x = Float(Double(mean) + Double(std) * z)
            buffer[i] = Swift.min(Swift.max(x, low), high)
        }
    }
}

/// The inverse error function on (−1, 1): an initial rational approximation refined by Newton
/// steps on `erf`, accurate to double precision away from ±1.
func inverseErf(_ y: Double) -> Double {
    if y <= -1 { return -.infinity }
    if y >= 1 { return .infinity }
    // Giles (2010) single-precision approximation as the starting point.
    var w = -Foundation.log((1 - y) * (1 + y))
    var x: Double
    if w < 5 {
        w -= 2.5
        var p = 2.81022636e-08
        p = 3.43273939e-07 + p * w; p = -3.5233877e-06 + p * w; p = -4.39150654e-06 + p * w
        p = 0.00021858087 + p * w; p = -0.00125372503 + p * w; p = -0.00417768164 + p * w
        p = 0.246640727 + p * w; p = 1.50140941 + p * w
        x = p * y
    } else {
        w = w.squareRoot() - 3
        var p = -0.000200214257
        p = 0.000100950558 + p * w; p = 0.00134934322 + p * w; p = -0.00367342844 + p * w
        p = 0.00573950773 + p * w; p = -0.0076224613 + p * w; p = 0.00943887047 + p * w
        p = 1.00167406 + p * w; p = 2.83297682 + p * w
        x = p * y
    }
    let twoOverSqrtPi = 2 / Double.pi.squareRoot()
    for _ in 0..<2 {
        let error = Foundation.erf(x) - y
        x -= error / (twoOverSqrtPi * Foundation.exp(-x * x))
    }
    return x
}

extension Tensor {
    /// Fills this tensor in place by `initializer` (see ``Initializer``), drawing from
    /// `generator` (the default generator unless given). Returns `self` for chaining.
    @discardableResult
    public func initialize(_ initializer: Initializer, generator: RandomGenerator = Random.generator) -> Tensor {
        initializer.apply(to: self, generator: generator)
        return self
    }
}
