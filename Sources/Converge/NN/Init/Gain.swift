import ConvergeCore

/// An activation function named to ``calculateGain(_:negativeSlope:)``, mirroring the names
/// PyTorch's `nn.init.calculate_gain` accepts.
public enum Nonlinearity: String, CaseIterable, Sendable {
    /// The identity (no activation).
    case linear
    /// A 1-D convolution followed by no activation.
    case conv1d
    /// A 2-D convolution followed by no activation.
    case conv2d
    /// A 3-D convolution followed by no activation.
    case conv3d
    /// A 1-D transposed convolution followed by no activation.
    case convTranspose1d
    /// A 2-D transposed convolution followed by no activation.
    case convTranspose2d
    /// A 3-D transposed convolution followed by no activation.
    case convTranspose3d
    /// The logistic sigmoid.
    case sigmoid
    /// The hyperbolic tangent.
    case tanh
    /// max(0, x).
    case relu
    /// x for x > 0, `negativeSlope · x` otherwise.
    case leakyRelu
    /// The scaled exponential linear unit (Klambauer et al. 2017).
    case selu
}

/// The recommended gain for an activation: the factor by which an initializer's standard
/// deviation is multiplied so activations keep their variance through layers using it
/// (PyTorch's `nn.init.calculate_gain`).
///
/// | nonlinearity | gain |
/// |---|---|
/// | linear, conv*, convTranspose*, sigmoid | 1 |
/// | tanh | 5/3 |
/// | relu | √2 |
/// | leakyRelu | √(2 / (1 + negativeSlope²)) |
/// | selu | 3/4 |
///
/// - Parameter nonlinearity: the activation that follows the layer.
/// - Parameter negativeSlope: the slope of `leakyRelu` for negative inputs; 0.01 when omitted.
///   Ignored by the other activations.
public func calculateGain(_ nonlinearity: Nonlinearity, negativeSlope: Float? = nil) -> Float {
    switch nonlinearity {
    case .linear, .conv1d, .conv2d, .conv3d, .convTranspose1d, .convTranspose2d, .convTranspose3d, .sigmoid:
        return 1
    case .tanh:
        return 5.0 / 3.0
    case .relu:
        return Float(2).squareRoot()
    case .leakyRelu:
        let slope = negativeSlope ?? 0.01
        return (2 / (1 + slope * slope)).squareRoot()
    case .selu:
        return 0.75
    }
}
