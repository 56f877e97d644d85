/// Errors raised by the training loop and its callbacks.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// A callback watches a value the history does not have.
    case missingMonitoredValue(String, available: [String])
    /// A checkpoint could not be read or does not fit the run.
    case badCheckpoint(path: String, reason: String)
    /// The loss became NaN or infinite.
    case nonFiniteLoss(epoch: Int, batch: Int, value: Float)

    /// One line naming what is wrong.
    public var description: String {
        switch self {
        case .missingMonitoredValue(let key, let available):
            return "training: monitored value '\(key)' is not recorded (available: \(available.joined(separator: ", "))); is there validation data?"
        case .badCheckpoint(let path, let reason):
            return "checkpoint \(path): \(reason)"
        case .nonFiniteLoss(let epoch, let batch, let value):
            return "training: loss became \(value) at epoch \(epoch), batch \(batch)"
        }
    }
}
