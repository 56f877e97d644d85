/// Errors from restoring mixed-precision state.
public enum PrecisionError: Error, CustomStringConvertible, Equatable {
    /// A saved loss-scaler state lacks `field` or holds an invalid value for it.
    case invalidScalerState(field: String)

    /// A one-line description naming the field.
    public var description: String {
        switch self {
        case .invalidScalerState(let field):
            return "loss scaler state: field '\(field)' is missing or invalid"
        }
    }
}
