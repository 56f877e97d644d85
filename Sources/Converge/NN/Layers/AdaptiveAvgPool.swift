import ConvergeCore

/// Adaptive 1-D average pooling over (N, C, L) inputs to a fixed output length, as PyTorch's
/// `nn.AdaptiveAvgPool1d` (output cell i averages ⌊i·L/out⌋ ..< ⌈(i+1)·L/out⌉).
public final class AdaptiveAvgPool1d: Module {
    /// Output length.
    public let outputSize: Int

    /// Creates the pooling layer.
    public init(_ outputSize: Int) {
        precondition(outputSize > 0, "AdaptiveAvgPool1d: output size must be positive, got \(outputSize)")
        self.outputSize = outputSize
        super.init()
    }

    /// (N, C, L) → (N, C, outputSize).
    public override func forward(_ input: Tensor) -> Tensor { input.adaptiveAvgPool1d(outputSize: outputSize) }
}

/// Adaptive 2-D average pooling over (N, C, H, W) inputs to a fixed output size, as PyTorch's
/// `nn.AdaptiveAvgPool2d`; `AdaptiveAvgPool2d(1)` is global average pooling keeping (N, C, 1, 1).
public final class AdaptiveAvgPool2d: Module {
    /// Output height and width.
    public let outputSize: Size2D

    /// Creates the pooling layer; the size is a single number or `[height, width]`.
    public init(_ outputSize: Size2D) {
        precondition(outputSize.height > 0 && outputSize.width > 0, "AdaptiveAvgPool2d: output size must be positive, got \(outputSize)")
        self.outputSize = outputSize
        super.init()
    }

    /// (N, C, H, W) → (N, C, outputSize.height, outputSize.width).
    public override func forward(_ input: Tensor) -> Tensor { input.adaptiveAvgPool2d(outputSize: outputSize) }
}

/// Global average pooling: the mean over every dimension after the channel dimension, giving
/// (N, C) from (N, C, L) or (N, C, H, W) — PyTorch's `AdaptiveAvgPool{1,2}d(1)` followed by
/// `Flatten()`. With `keepingDimensions` the pooled dimensions stay as size 1.
public final class GlobalAvgPool: Module {
    /// Whether the pooled dimensions are kept with size 1.
    public let keepingDimensions: Bool

    /// Creates the pooling layer.
    public init(keepingDimensions: Bool = false) {
        self.keepingDimensions = keepingDimensions
        super.init()
    }

    /// (N, C, …) → (N, C) (or (N, C, 1, …)).
    public override func forward(_ input: Tensor) -> Tensor {
        precondition(input.rank >= 3, "GlobalAvgPool: input must be (N, C, L) or (N, C, H, W), got shape \(input.shape)")
        let n = input.shape[0], c = input.shape[1]
        let pooled = input.reshaped([n, c, -1]).adaptiveAvgPool1d(outputSize: 1)
        return keepingDimensions ? pooled.reshaped([n, c] + [Int](repeating: 1, count: input.rank - 2)) : pooled.reshaped([n, c])
    }
}
