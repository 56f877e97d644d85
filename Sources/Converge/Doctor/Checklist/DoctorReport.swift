import Foundation

/// The training doctor's report: findings grouped in the checklist's sections, with details and
/// charts. It prints as readable text, and writes `doctor.json` (the list of findings),
/// `doctor.md` (everything, with the charts) and the charts as SVG files.
public struct DoctorReport {
    /// A chart to write beside the report.
    public struct Figure {
        /// The SVG file name (`lr_find.svg`).
        public var file: String
        /// What it shows.
        public var caption: String
        /// The chart.
        public var chart: LineChart

        /// Creates a figure.
        public init(file: String, caption: String, chart: LineChart) {
            self.file = file
            self.caption = caption
            self.chart = chart
        }
    }

    /// One step of the checklist.
    public struct Section {
        /// The title (`Overfit one batch`).
        public var title: String
        /// What the step found.
        public var findings: [DoctorFinding]
        /// Extra Markdown lines for `doctor.md` (tables, measurements).
        public var details: [String]
        /// Charts.
        public var figures: [Figure]

        /// Creates a section.
        public init(title: String, findings: [DoctorFinding] = [], details: [String] = [], figures: [Figure] = []) {
            self.title = title
            self.findings = findings
            self.details = details
            self.figures = figures
        }
    }

    /// What was examined (the recipe's path).
    public var subject: String
    /// The sections in checklist order.
    public var sections: [Section]
    /// The reconciled recommendations, one per kind of change, most serious first (``DoctorAdvice``).
    public var recommendations: [DoctorRecommendation] = []

    /// Creates a report.
    public init(subject: String, sections: [Section] = []) {
        self.subject = subject
        self.sections = sections
    }

    /// Every finding, in order.
    public var findings: [DoctorFinding] { sections.flatMap(\.findings) }

    /// The most serious status (`ok` for an empty report).
    public var worstStatus: DoctorFinding.Status { findings.map(\.status).max() ?? .ok }

    /// `9 ok, 2 warn, 0 fail`.
    public var tally: String {
        let f = findings
        return DoctorFinding.Status.allStatuses.map { s in "\(f.filter { $0.status == s }.count) \(s.rawValue)" }
            .joined(separator: ", ")
    }

    /// The report for a terminal: each section's findings, one per line, with suggestions below.
    public func text() -> String {
        var lines = ["converge doctor: \(subject)"]
        for (i, section) in sections.enumerated() {
            lines.append("")
            lines.append("\(i + 1). \(section.title)")
            for f in section.findings {
                lines.append("  \(f.status.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0)) \(f.check): \(f.message)")
                if !f.suggestion.isEmpty { lines.append("        → \(f.suggestion)") }
            }
        }
        if !recommendations.isEmpty {
            lines += ["", "Recommendations (one per problem, checked against the recipe):"]
            lines += recommendations.enumerated().map { "  \($0.offset + 1). \($0.element)" }
        }
        lines.append("")
        lines.append("summary: \(tally)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `doctor.json`: the findings as a JSON list of `{check, status, message, suggestion}`.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(findings)
    }

    /// `doctor.md`: a summary table, then each section with its findings, details and charts.
    public func markdown() -> String {
        var md = ["# Training doctor", "", "Recipe: `\(subject)` — \(tally).", "",
                  "| # | check | status | finding |", "|---|---|---|---|"]
        var n = 0
        for section in sections {
            for f in section.findings {
                n += 1
                md.append("| \(n) | \(f.check) | \(badge(f.status)) | \(escapeCell(f.message)) |")
            }
        }
        for (i, section) in sections.enumerated() {
            md += ["", "## \(i + 1). \(section.title)", ""]
            for f in section.findings {
                md.append("- \(badge(f.status)) **\(f.check)**: \(f.message)")
                if !f.suggestion.isEmpty { md.append("  - *Suggestion:* \(f.suggestion)") }
            }
            if !section.details.isEmpty { md += [""] + section.details }
            for figure in section.figures {
                md += ["", "![\(figure.caption)](\(figure.file))", "", "*\(figure.caption)*"]
            }
        }
        if !recommendations.isEmpty {
            md += ["", "## Recommendations", ""] + recommendations.enumerated().map { "\($0.offset + 1). \($0.element.text) (for \($0.element.checks.map { "`\($0)`" }.joined(separator: ", ")))" }
        }
        return md.joined(separator: "\n") + "\n"
    }

    /// Writes `doctor.json`, `doctor.md` and every figure into `directory` (created if needed;
    /// files of earlier runs are replaced). Returns the files written.
    @discardableResult
    public func write(to directory: URL) throws -> [URL] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var written: [URL] = []
        for figure in sections.flatMap(\.figures) {
            let url = directory.appendingPathComponent(figure.file)
            try figure.chart.write(to: url.path)
            written.append(url)
        }
        let json = directory.appendingPathComponent("doctor.json")
        try AtomicFile.write(try self.json(), to: json)
        let md = directory.appendingPathComponent("doctor.md")
        try AtomicFile.write(Data(markdown().utf8), to: md)
        return [json, md] + written
    }

    private func badge(_ status: DoctorFinding.Status) -> String {
        switch status {
        case .ok: return "✅ ok"
        case .warn: return "⚠️ warn"
        case .fail: return "❌ fail"
        }
    }

    private func escapeCell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}

extension DoctorFinding.Status {
    /// Every status, mildest first.
    static let allStatuses: [DoctorFinding.Status] = [.ok, .warn, .fail]
}
