/// How `ProcessGroup.allreduce(_:_:)` combines the ranks' values.
public enum ReduceOperation: Sendable {
    /// The sum over ranks.
    case sum
    /// The sum divided by the world size (how data-parallel training averages gradients).
    case mean
    /// The largest value.
    case max
    /// The smallest value.
    case min
}
