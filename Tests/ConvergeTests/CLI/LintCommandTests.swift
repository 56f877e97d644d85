import Foundation
import XCTest

/// `converge lint` through the built executable: its exit status and the one-line format of a
/// finding (`FILE:LINE: severity: [check] field: message → fix`).
final class LintCommandTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("converge-lint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var csv = "x1,x2,label\n"
        for i in 0..<40 { csv += "\(Double(i % 7) * 0.1 - 0.3),\(Double(i % 5) * 0.2 - 0.4),\(i % 2)\n" }
        try csv.write(to: folder.appendingPathComponent("train.csv"), atomically: true, encoding: .utf8)
        let recipe = { (lr: String) in """
            seed: 1
            data: { train: train.csv, validation: 0.25, label: label }
            model: { mlp: { hidden: [8], activation: relu, init: he } }
            optimizer: { name: adam, lr: \(lr) }
            training: { epochs: 5, batch_size: 8, shuffle: true }

            """ }
        try recipe("0.8").write(to: folder.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        try recipe("1.0e-3").write(to: folder.appendingPathComponent("good.yaml"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func testAnErrorExitsOneWithOneLinePerFinding() throws {
        let bad = try ConvergeProcess.run(["lint", "bad.yaml"], in: folder)
        XCTAssertEqual(bad.status, 1, bad.stdout + bad.stderr)
        XCTAssertFalse(bad.signaled)
        let lines = bad.stdout.split(separator: "\n").map(String.init)
        let finding = try XCTUnwrap(lines.first { $0.contains("[learning-rate]") }, bad.stdout)
        XCTAssertTrue(finding.hasPrefix("bad.yaml:4: error: [learning-rate] optimizer.lr: learning rate 0.8 is far above the usual range"), finding)
        XCTAssertTrue(finding.contains(" → "), "a finding names its fix: \(finding)")
        XCTAssertEqual(lines.last, "1 error, 0 warnings, 0 remarks")

        let good = try ConvergeProcess.run(["lint", "good.yaml"], in: folder)
        XCTAssertEqual(good.status, 0, good.stdout + good.stderr)
        XCTAssertEqual(good.stdout.split(separator: "\n").last.map(String.init), "0 errors, 0 warnings, 0 remarks", good.stdout)

        let missing = try ConvergeProcess.run(["lint", "nope.yaml"], in: folder)
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertFalse(missing.signaled)
        XCTAssertEqual(missing.stderr.split(separator: "\n").count, 1, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("nope.yaml"), missing.stderr)
    }
}
