import Foundation

/// The findings of ``RecipeLint`` on one recipe, most serious first.
public struct LintReport: Codable, Equatable, Sendable {
    /// The recipe file as given.
    public var file: String
    /// Every finding, errors first, then warnings, then remarks; within a severity in recipe order.
    public var findings: [LintFinding]

    /// Creates a report, sorting `findings` by severity (stable within a severity).
    public init(file: String, findings: [LintFinding]) {
        self.file = file
        self.findings = findings.enumerated().sorted {
            $0.element.severity != $1.element.severity ? $0.element.severity > $1.element.severity : $0.offset < $1.offset
        }.map(\.element)
    }

    /// The most serious severity found (info when there is nothing).
    public var worst: LintFinding.Severity { findings.map(\.severity).max() ?? .info }

    /// Whether any finding is an error.
    public var hasErrors: Bool { worst == .error }

    /// The findings of one check.
    public func findings(of check: String) -> [LintFinding] { findings.filter { $0.check == check } }

    /// One line per finding (`FILE:LINE: severity: [check] message → fix`) and a count line.
    public func text() -> String {
        var lines = findings.map { finding -> String in
            "\(file)\(finding.line.map { ":\($0)" } ?? ""): \(finding.severity.rawValue): [\(finding.check)] "
                + (finding.field.isEmpty ? "" : "\(finding.field): ") + finding.message + (finding.fix.isEmpty ? "" : " → \(finding.fix)")
        }
        let count = { (s: LintFinding.Severity) in findings.filter { $0.severity == s }.count }
        lines.append("\(count(.error)) error\(count(.error) == 1 ? "" : "s"), \(count(.warning)) warning\(count(.warning) == 1 ? "" : "s"), \(count(.info)) remark\(count(.info) == 1 ? "" : "s")")
        return lines.joined(separator: "\n") + "\n"
    }
}
