import ConvergeCore

/// Picks the last time step of a batch-first sequence, `[B, T, H]` → `[B, H]`: the summary a
/// recurrent layer hands to a classification or regression head.
public final class LastTimeStep: Module {
    /// Creates the layer.
    public override init() { super.init() }

    /// The slice at `t = T − 1`.
    public override func forward(_ input: Tensor) -> Tensor {
        precondition(input.rank == 3 && input.shape[1] > 0, "LastTimeStep: input must be [B, T, H] with T > 0, got \(input.shape)")
        let t = input.shape[1]
        return input.sliced(alongAxis: 1, (t - 1)..<t).reshaped([input.shape[0], input.shape[2]])
    }
}
