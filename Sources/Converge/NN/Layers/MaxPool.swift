import ConvergeCore

/// 1-D max pooling over (N, C, L) inputs, as PyTorch's `nn.MaxPool1d`. The stride defaults to
/// the kernel size; padded positions never win.
public final class MaxPool1d: Module {
    /// Window length.
    public let kernelSize: Int
    /// Step between windows.
    public let stride: Int
    /// Implicit −∞ padding on each side (at most half the kernel).
    public let padding: Int
    /// Spacing between window taps.
    public let dilation: Int

    /// Creates the pooling layer.
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1) {
        precondition(kernelSize > 0 && (stride ?? 1) > 0 && dilation > 0 && padding >= 0 && 2 * padding <= kernelSize,
                     "MaxPool1d: kernel \(kernelSize), stride \(String(describing: stride)), dilation \(dilation) must be positive, padding \(padding) in 0...kernel/2")
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.dilation = dilation
        super.init()
    }

    /// The maximum of each window.
    public override func forward(_ input: Tensor) -> Tensor {
        input.maxPool1d(kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation)
    }
}

/// 2-D max pooling over (N, C, H, W) inputs, as PyTorch's `nn.MaxPool2d`. The stride defaults to
/// the kernel size; padded positions never win.
public final class MaxPool2d: Module {
    /// Window height and width.
    public let kernelSize: Size2D
    /// Step between windows.
    public let stride: Size2D
    /// Implicit −∞ padding on each side (at most half the kernel).
    public let padding: Size2D
    /// Spacing between window taps.
    public let dilation: Size2D

    /// Creates the pooling layer; sizes are a single number or `[height, width]`.
    public init(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0, dilation: Size2D = 1) {
        let s = stride ?? kernelSize
        precondition(kernelSize.height > 0 && kernelSize.width > 0 && s.height > 0 && s.width > 0
                     && dilation.height > 0 && dilation.width > 0 && padding.height >= 0 && padding.width >= 0
                     && 2 * padding.height <= kernelSize.height && 2 * padding.width <= kernelSize.width,
                     "MaxPool2d: kernel \(kernelSize), stride \(s), dilation \(dilation) must be positive, padding \(padding) in 0...kernel/2")
        self.kernelSize = kernelSize
        self.stride = s
        self.padding = padding
        self.dilation = dilation
        super.init()
    }

    /// Creates the pooling layer from plain integers.
    public convenience init(kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1) {
        self.init(kernelSize: Size2D(kernelSize), stride: stride.map { Size2D($0) }, padding: Size2D(padding), dilation: Size2D(dilation))
    }

    /// The maximum of each window.
    public override func forward(_ input: Tensor) -> Tensor {
        input.maxPool2d(kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation)
    }
}
