/// Errors from running a demo with options a user gave; each describes itself in one line.
public enum DemoError: Error, CustomStringConvertible, Equatable {
    /// An option is out of range or malformed.
    case invalidOption(String)
    /// A result is below what the demo promises (for example a test accuracy threshold).
    case belowTarget(String)
    /// A data file the demo ships with is missing.
    case missingData(String)

    /// One line naming the problem.
    public var description: String {
        switch self {
        case .invalidOption(let message): return message
        case .belowTarget(let message): return message
        case .missingData(let message): return message
        }
    }
}
