import Converge
import Foundation

/// Helpers that turn demo results into values `JSONSerialization` accepts.
enum JSONValue {
    /// A finite number as itself, NaN or ±infinity as `null` (JSON has no such numbers).
    static func number(_ value: Double) -> Any { value.isFinite ? value : NSNull() }

    /// A history as `{"epoch": [...], "train_loss": [...], ...}`, one array per key.
    static func history(_ history: History) -> [String: Any] {
        var object: [String: Any] = ["epoch": history.records.map(\.epoch)]
        for key in history.keys { object[key] = history.series(key).map(number) }
        return object
    }
}
