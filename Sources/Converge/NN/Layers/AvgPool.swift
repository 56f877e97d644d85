import ConvergeCore

/// 1-D average pooling over (N, C, L) inputs, as PyTorch's `nn.AvgPool1d`. The stride defaults
/// to the kernel size; with ``countIncludingPadding`` (the default) padded zeros count in the
/// divisor.
public final class AvgPool1d: Module {
    /// Window length.
    public let kernelSize: Int
    /// Step between windows.
    public let stride: Int
    /// Implicit zero padding on each side (at most half the kernel).
    public let padding: Int
    /// Whether padded zeros count in each window's divisor.
    public let countIncludingPadding: Bool

    /// Creates the pooling layer.
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0, countIncludingPadding: Bool = true) {
        precondition(kernelSize > 0 && (stride ?? 1) > 0 && padding >= 0 && 2 * padding <= kernelSize,
                     "AvgPool1d: kernel \(kernelSize) and stride \(String(describing: stride)) must be positive, padding \(padding) in 0...kernel/2")
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.countIncludingPadding = countIncludingPadding
        super.init()
    }

    /// The mean of each window.
    public override func forward(_ input: Tensor) -> Tensor {
        input.avgPool1d(kernelSize: kernelSize, stride: stride, padding: padding, countIncludingPadding: countIncludingPadding)
    }
}

/// 2-D average pooling over (N, C, H, W) inputs, as PyTorch's `nn.AvgPool2d`. The stride
/// defaults to the kernel size; with ``countIncludingPadding`` (the default) padded zeros count
/// in the divisor.
public final class AvgPool2d: Module {
    /// Window height and width.
    public let kernelSize: Size2D
    /// Step between windows.
    public let stride: Size2D
    /// Implicit zero padding on each side (at most half the kernel).
    public let padding: Size2D
    /// Whether padded zeros count in each window's divisor.
    public let countIncludingPadding: Bool

    /// Creates the pooling layer; sizes are a single number or `[height, width]`.
    public init(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0, countIncludingPadding: Bool = true) {
        let s = stride ?? kernelSize
        precondition(kernelSize.height > 0 && kernelSize.width > 0 && s.height > 0 && s.width > 0
                     && padding.height >= 0 && padding.width >= 0
                     && 2 * padding.height <= kernelSize.height && 2 * padding.width <= kernelSize.width,
                     "AvgPool2d: kernel \(kernelSize) and stride \(s) must be positive, padding \(padding) in 0...kernel/2")
        self.kernelSize = kernelSize
        self.stride = s
        self.padding = padding
        self.countIncludingPadding = countIncludingPadding
        super.init()
    }

    /// Creates the pooling layer from plain integers.
    public convenience init(kernelSize: Int, stride: Int? = nil, padding: Int = 0, countIncludingPadding: Bool = true) {
        self.init(kernelSize: Size2D(kernelSize), stride: stride.map { Size2D($0) }, padding: Size2D(padding),
                  countIncludingPadding: countIncludingPadding)
    }

    /// The mean of each window.
    public override func forward(_ input: Tensor) -> Tensor {
        input.avgPool2d(kernelSize: kernelSize, stride: stride, padding: padding, countIncludingPadding: countIncludingPadding)
    }
}
