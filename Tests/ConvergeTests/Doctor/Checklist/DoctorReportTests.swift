import Foundation
import XCTest
@testable import Converge

final class DoctorReportTests: XCTestCase {
    private func report() -> DoctorReport {
        DoctorReport(subject: "recipe.yaml", sections: [
            .init(title: "Data pipeline", findings: [DoctorFinding(check: "labels", status: .ok, message: "2 classes")]),
            .init(title: "Gradient flow",
                  findings: [DoctorFinding(check: "gradient-flow", status: .fail, message: "vanishing | bad", suggestion: "add normalization")],
                  details: ["| layer | norm |"],
                  figures: [.init(file: "flow.svg", caption: "Flow", chart: LineChart(series: [.init("a", values: [1, 2])]))]),
            .init(title: "Spikes", findings: [DoctorFinding(check: "loss-spikes", status: .warn, message: "1 spike", suggestion: "clip")]),
        ])
    }

    func testJSONIsAListOfFindings() throws {
        let data = try report().json()
        let list = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [[String: String]])
        XCTAssertEqual(list.count, 3)
        XCTAssertEqual(list[1], ["check": "gradient-flow", "status": "fail", "message": "vanishing | bad", "suggestion": "add normalization"])
        XCTAssertEqual(try JSONDecoder().decode([DoctorFinding].self, from: data), report().findings)
    }

    func testTextMarkdownAndFiles() throws {
        let r = report()
        XCTAssertEqual(r.worstStatus, .fail)
        XCTAssertEqual(r.tally, "1 ok, 1 warn, 1 fail")
        let text = r.text()
        XCTAssertTrue(text.contains("2. Gradient flow\n  fail  gradient-flow: vanishing | bad\n        → add normalization"), text)
        XCTAssertTrue(text.hasSuffix("summary: 1 ok, 1 warn, 1 fail\n"))
        let md = r.markdown()
        XCTAssertTrue(md.contains("| 2 | gradient-flow | ❌ fail | vanishing \\| bad |"), md)
        XCTAssertTrue(md.contains("![Flow](flow.svg)"))
        XCTAssertTrue(md.contains("## 2. Gradient flow"))

        let dir = DoctorProblems.temporaryDirectory("report")
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try r.write(to: dir)
        XCTAssertEqual(Set(files.map(\.lastPathComponent)), ["doctor.json", "doctor.md", "flow.svg"])
        let svg = try String(contentsOf: dir.appendingPathComponent("flow.svg"), encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg"))
    }

    func testStatusOrderAndDescription() {
        XCTAssertLessThan(DoctorFinding.Status.ok, .warn)
        XCTAssertLessThan(DoctorFinding.Status.warn, .fail)
        XCTAssertEqual(DoctorFinding(check: "a", status: .warn, message: "m", suggestion: "s").description, "[warn] a: m → s")
        XCTAssertEqual(DoctorReport(subject: "x").worstStatus, .ok)
    }
}
