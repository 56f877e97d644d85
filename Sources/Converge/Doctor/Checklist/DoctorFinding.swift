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
    /// What to do about it (empty when nothing needs doing): the remedies in words, then any
    /// other advice.
    public var suggestion: String
    /// The recipe changes from the catalogue that match this diagnosis (the repair tries them);
    /// ``DoctorAdvice`` removes those the recipe already has and those that conflict with a
    /// stronger finding.
    public var remedies: [Remedy] {
        didSet { suggestion = DoctorFinding.compose(remedies.map(\.description), note) }
    }
    /// The advice that is not a remedy (kept when the remedies change).
    var note: String

    /// Creates a finding; `suggestion` is advice beyond the `remedies`, which come first in the
    /// suggestion's text.
    public init(check: String, status: Status, message: String, suggestion: String = "", remedies: [Remedy] = []) {
        self.check = check
        self.status = status
        self.message = message
        self.remedies = remedies
        self.note = suggestion
        self.suggestion = DoctorFinding.compose(remedies.map(\.description), suggestion)
    }

    /// Sets the remedies with their text as given (advice in the recipe's terms).
    mutating func setRemedies(_ remedies: [Remedy], texts: [String], note extra: String? = nil) {
        self.remedies = remedies
        if let extra { note = extra }
        suggestion = DoctorFinding.compose(texts, note)
    }

    static func compose(_ remedies: [String], _ note: String) -> String {
        (remedies + (note.isEmpty ? [] : [note])).joined(separator: "; ")
    }

    private enum CodingKeys: String, CodingKey { case check, status, message, suggestion, remedies }

    /// Decodes a finding (`remedies` may be absent).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        check = try c.decode(String.self, forKey: .check)
        status = try c.decode(Status.self, forKey: .status)
        message = try c.decode(String.self, forKey: .message)
        suggestion = try c.decode(String.self, forKey: .suggestion)
        remedies = try c.decodeIfPresent([Remedy].self, forKey: .remedies) ?? []
        note = suggestion
    }

    /// Encodes a finding (`remedies` only when there are any).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(check, forKey: .check)
        try c.encode(status, forKey: .status)
        try c.encode(message, forKey: .message)
        try c.encode(suggestion, forKey: .suggestion)
        if !remedies.isEmpty { try c.encode(remedies, forKey: .remedies) }
    }

    /// Findings are equal when what they report is (the note is part of the suggestion).
    public static func == (a: DoctorFinding, b: DoctorFinding) -> Bool {
        a.check == b.check && a.status == b.status && a.message == b.message && a.suggestion == b.suggestion && a.remedies == b.remedies
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
