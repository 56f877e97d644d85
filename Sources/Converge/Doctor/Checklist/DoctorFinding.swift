import Foundation

/// One result of the training doctor: which check ran, how it came out, what it saw and what to
/// do about it. `doctor.json` is a list of these.
///
/// ```json
/// { "check": "gradient-flow", "status": "fail",
///   "message": "gradient norms fall 2.1e+06× from layer 9 (output side) to layer 0 (input side)",
///   "suggestion": "add normalization (BatchNorm/LayerNorm) or residual connections; use He/Xavier initialization" }
/// ```
public struct DoctorFinding: Codable, Equatable, Sendable, CustomStringConvertible {
    /// How a check came out.
    public enum Status: String, Codable, Sendable, Comparable {
        /// Nothing wrong.
        case ok
        /// Worth a look: training works but may be improved, or a symptom is borderline.
        case warn
        /// A problem that keeps the model from converging (or a bug).
        case fail

        private var rank: Int { self == .ok ? 0 : self == .warn ? 1 : 2 }

        /// `ok < warn < fail`.
        public static func < (a: Status, b: Status) -> Bool { a.rank < b.rank }
    }

    /// The check's name, e.g. `data`, `overfit-one-batch`, `gradient-flow`, `lr-finder`.
    public var check: String
    /// The outcome.
    public var status: Status
    /// What was observed, with the evidence (values, epochs, layers).
    public var message: String
    /// What to do about it (empty when nothing needs doing).
    public var suggestion: String

    /// Creates a finding.
    public init(check: String, status: Status, message: String, suggestion: String = "") {
        self.check = check
        self.status = status
        self.message = message
        self.suggestion = suggestion
    }

    /// `[fail] gradient-flow: … → …`.
    public var description: String {
        "[\(status.rawValue)] \(check): \(message)" + (suggestion.isEmpty ? "" : " → \(suggestion)")
    }
}

/// Number formatting shared by the doctor's messages: 4 significant digits, scientific outside
/// [1e-3, 1e4), `NaN`/`Inf` spelled out.
enum DoctorFormat {
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "Inf" : "-Inf" }
        let magnitude = Swift.abs(value)
        if magnitude != 0 && (magnitude < 1e-3 || magnitude >= 1e4) { return String(format: "%.3e", value) }
        return String(format: "%.4g", value)
    }

    static func number(_ value: Float) -> String { number(Double(value)) }

    static func percent(_ fraction: Double) -> String { String(format: "%.1f%%", fraction * 100) }
}
