import ConvergeCore

/// max(0, x), as PyTorch's `nn.ReLU`.
public final class ReLU: Module {
    /// Creates the layer.
    public override init() { super.init() }
    /// Applies the function elementwise.
    public override func forward(_ input: Tensor) -> Tensor { input.relu() }
}

/// x for x > 0 and `negativeSlope`·x otherwise, as PyTorch's `nn.LeakyReLU` (default slope 0.01).
public final class LeakyReLU: Module {
    /// The slope for negative inputs.
    public let negativeSlope: Float
    /// Creates the layer.
    public init(negativeSlope: Float = 0.01) {
        self.negativeSlope = negativeSlope
        super.init()
    }
    /// Applies the function elementwise.
    public override func forward(_ input: Tensor) -> Tensor { input.leakyRelu(negativeSlope: negativeSlope) }
}

/// The Gaussian error linear unit x·Φ(x), as PyTorch's `nn.GELU` (exact by default, or its tanh
/// approximation).
public final class GELU: Module {
    /// Exact (`.none`) or tanh approximation.
    public let approximation: Tensor.GELUApproximation
    /// Creates the layer.
    public init(approximation: Tensor.GELUApproximation = .none) {
        self.approximation = approximation
        super.init()
    }
    /// Applies the function elementwise.
    public override func forward(_ input: Tensor) -> Tensor { input.gelu(approximation: approximation) }
}

/// x·sigmoid(x) (swish), as PyTorch's `nn.SiLU`.
public final class SiLU: Module {
    /// Creates the layer.
    public override init() { super.init() }
    /// Applies the function elementwise.
    public override func forward(_ input: Tensor) -> Tensor { input.silu() }
}

/// 1 / (1 + e^−x), as PyTorch's `nn.Sigmoid`.
public final class Sigmoid: Module {
    /// Creates the layer.
    public override init() { super.init() }
    /// Applies the function elementwise.
    public override func forward(_ input: Tensor) -> Tensor { input.sigmoid() }
}

/// tanh(x), as PyTorch's `nn.Tanh`.
public final class Tanh: Module {
    /// Creates the layer.
    public override init() { super.init() }
    /// Applies the function elementwise.
    public override func forward(_ input: Tensor) -> Tensor { input.tanh() }
}

/// Softmax along one axis, as PyTorch's `nn.Softmax(dim)`.
public final class Softmax: Module {
    /// The axis whose entries sum to 1 (negative counts from the end).
    public let axis: Int
    /// Creates the layer.
    public init(axis: Int = -1) {
        self.axis = axis
        super.init()
    }
    /// Applies softmax along ``axis``.
    public override func forward(_ input: Tensor) -> Tensor { input.softmax(alongAxis: axis) }
}

/// Passes its input through unchanged, as PyTorch's `nn.Identity` (a placeholder where a layer is
/// optional).
public final class Identity: Module {
    /// Creates the layer.
    public override init() { super.init() }
    /// Returns `input`.
    public override func forward(_ input: Tensor) -> Tensor { input }
}
