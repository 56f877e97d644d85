import Foundation

/// One problem `converge lint` found in a recipe or its data before any training: how serious
/// it is, where it is (field and line), what is wrong and how to fix it.
///
/// ```text
/// examples/bad.yaml:7: error: [output-activation] the model ends in a sigmoid, but … → remove the sigmoid layer
/// ```
public struct LintFinding: Codable, Equatable, Sendable, CustomStringConvertible {
    /// How serious a finding is.
    public enum Severity: String, Codable, Sendable, Comparable {
        /// A remark: nothing wrong, but worth knowing.
        case info
        /// Likely to slow or hurt training.
        case warning
        /// Training will not work as intended (or cannot start).
        case error

        private var rank: Int { self == .info ? 0 : self == .warning ? 1 : 2 }

        /// `info < warning < error`.
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    /// The check's name (`output-activation`, `feature-scale`, `learning-rate`, …).
    public var check: String
    /// How serious it is.
    public var severity: Severity
    /// The recipe field it concerns (`optimizer.lr`), or the data file's column.
    public var field: String
    /// The recipe line (1-based), when known.
    public var line: Int?
    /// What is wrong, with the evidence.
    public var message: String
    /// How to fix it.
    public var fix: String

    /// Creates a finding.
    public init(check: String, severity: Severity, field: String, line: Int?, message: String, fix: String = "") {
        self.check = check
        self.severity = severity
        self.field = field
        self.line = line
        self.message = message
        self.fix = fix
    }

    /// `line 7: error: [output-activation] … → fix`.
    public var description: String {
        (line.map { "line \($0): " } ?? "") + "\(severity.rawValue): [\(check)] \(field.isEmpty ? "" : "\(field): ")\(message)"
            + (fix.isEmpty ? "" : " → \(fix)")
    }

    /// The finding as a doctor finding (check `lint-<check>`; error → fail, warning → warn, info → ok).
    public var doctorFinding: DoctorFinding {
        let status: DoctorFinding.Status = severity == .error ? .fail : severity == .warning ? .warn : .ok
        let location = line.map { "line \($0), " } ?? ""
        return DoctorFinding(check: "lint-\(check)", status: status,
                             message: "\(location)\(field.isEmpty ? "" : "\(field): ")\(message)", suggestion: fix, remedies: remedies)
    }

    /// The catalogue's remedies for this finding (the repair tries them; the fix text says the same).
    public var remedies: [Remedy] {
        guard severity != .info else { return [] }
        switch check {
        case "feature-scale": return [.standardizeInputs]
        case "data-finite": return fix.contains("standardize: true") ? [.standardizeInputs] : []
        case "unshuffled-sorted": return [.shuffle]
        case "init-activation": return [.matchedInitializer]
        case "learning-rate": return [message.contains(" above ") ? .lowerLearningRate : .raiseLearningRate]
        default: return []
        }
    }
}
