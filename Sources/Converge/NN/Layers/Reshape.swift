import ConvergeCore

/// Reshapes each sample to a fixed shape, keeping the batch dimension: with shape `[1, 40]` an
/// (N, 40) input becomes (N, 1, 40) (what a recipe's `{reshape: [1, 40]}` means). One entry may
/// be −1 (inferred). Shares storage.
public final class Reshape: Module {
    /// The per-sample shape.
    public let shape: [Int]

    /// Creates the layer.
    /// - Precondition: every entry is positive except at most one −1.
    public init(_ shape: [Int]) {
        precondition(shape.allSatisfy { $0 > 0 || $0 == -1 } && shape.filter { $0 == -1 }.count <= 1,
                     "Reshape: per-sample shape \(shape) must have positive entries and at most one -1")
        self.shape = shape
        super.init()
    }

    /// (N, …) → (N, shape…).
    public override func forward(_ input: Tensor) -> Tensor {
        precondition(input.rank >= 1, "Reshape: input must have a batch dimension, got shape \(input.shape)")
        let n = input.shape[0]
        let perSample = n == 0 ? 0 : input.count / n
        let known = shape.filter { $0 != -1 }.reduce(1, *)
        let fits = shape.contains(-1) ? perSample % known == 0 : perSample == known
        precondition(fits, "Reshape: input of shape \(input.shape) (\(perSample) values per sample) cannot be reshaped to [N] + \(shape)")
        return input.reshaped([n] + shape)
    }
}
