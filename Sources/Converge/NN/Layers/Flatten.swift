import ConvergeCore

/// Flattens dimensions `startAxis...endAxis` into one, as PyTorch's `nn.Flatten` (by default
/// everything after the batch dimension: (N, C, H, W) → (N, C·H·W)). Shares storage.
public final class Flatten: Module {
    /// First flattened dimension.
    public let startAxis: Int
    /// Last flattened dimension (negative counts from the end).
    public let endAxis: Int

    /// Creates the layer.
    public init(startAxis: Int = 1, endAxis: Int = -1) {
        self.startAxis = startAxis
        self.endAxis = endAxis
        super.init()
    }

    /// The input with the chosen dimensions merged.
    public override func forward(_ input: Tensor) -> Tensor { input.flattened(startAxis: startAxis, endAxis: endAxis) }
}
