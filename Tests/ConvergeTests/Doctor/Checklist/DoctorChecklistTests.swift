import Foundation
import XCTest
@testable import Converge

final class DoctorChecklistTests: XCTestCase {
    /// Writes a small two-blob classification problem and a recipe for it; returns the recipe.
    private func recipe(in dir: URL, optimizer: String) throws -> Recipe {
        let data = DoctorProblems.blobs(count: 240, seed: 11, separation: 1.0)
        var csv = "x1,x2,label\n"
        for i in 0..<data.count {
            let e = data.example(at: i)
            csv += "\(e.features[0]),\(e.features[1]),\(Int(e.label[0]))\n"
        }
        try csv.write(to: dir.appendingPathComponent("train.csv"), atomically: true, encoding: .utf8)
        let yaml = """
        seed: 3
        data: { train: train.csv, validation: 0.25, label: label, task: classification, standardize: true }
        model: { mlp: { hidden: [16, 16], activation: relu, init: he } }
        optimizer: \(optimizer)
        training: { epochs: 6, batch_size: 30 }
        """
        let url = dir.appendingPathComponent("recipe.yaml")
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        return try Recipe.load(from: url)
    }

    private var quickOptions: DoctorChecklist.Options {
        var o = DoctorChecklist.Options()
        o.overfitSteps = 150
        o.anomalySteps = 10
        o.lrFinder = LRFinder(steps: 60)
        o.trainingEpochs = 6
        return o
    }

    func testHealthyRecipeHasNoFailures() throws {
        let dir = DoctorProblems.temporaryDirectory("healthy")
        defer { try? FileManager.default.removeItem(at: dir) }
        let session = try RecipeSession(recipe(in: dir, optimizer: "{ name: adam, lr: 1.0e-2 }"))
        var steps: [String] = []
        let report = try DoctorChecklist(session: session, options: quickOptions).run { steps.append($0) }
        XCTAssertEqual(steps.count, 8)
        XCTAssertEqual(report.sections.map(\.title), steps)
        let checks = Set(report.findings.map(\.check))
        for check in ["data-finite", "labels", "scaling", "shapes", "validation", "overfit-one-batch", "nan-hunt",
                      "initial-loss", "gradient-flow", "lr-finder", "loss-curve", "loss-spikes", "gradient-norm", "schedule"] {
            XCTAssertTrue(checks.contains(check), "missing \(check): \(report.text())")
        }
        XCTAssertFalse(report.findings.contains { $0.status == .fail }, report.text())
        XCTAssertEqual(report.findings.first { $0.check == "overfit-one-batch" }?.status, .ok, report.text())
        XCTAssertEqual(report.findings.first { $0.check == "loss-curve" }?.status, .ok, report.text())
        let files = try report.write(to: dir.appendingPathComponent("doctor"))
        XCTAssertTrue(files.map(\.lastPathComponent).contains("lr_find.svg"))
        XCTAssertTrue(files.map(\.lastPathComponent).contains("training.svg"))
    }

    /// A learning rate far too low: the checklist sees it three ways.
    func testFarTooLowLearningRateIsDiagnosed() throws {
        let dir = DoctorProblems.temporaryDirectory("low")
        defer { try? FileManager.default.removeItem(at: dir) }
        let session = try RecipeSession(recipe(in: dir, optimizer: "{ name: sgd, lr: 1.0e-7 }"))
        let report = try DoctorChecklist(session: session, options: quickOptions).run()
        func status(_ check: String) -> DoctorFinding.Status? { report.findings.first { $0.check == check }?.status }
        XCTAssertEqual(status("overfit-one-batch"), .fail, report.text())
        XCTAssertEqual(status("loss-curve"), .fail, report.text())
        XCTAssertTrue(report.findings.first { $0.check == "loss-curve" }!.message.contains("flat"), report.text())
        XCTAssertEqual(status("lr-finder"), .warn, report.text())
        XCTAssertTrue(report.findings.first { $0.check == "lr-finder" }!.message.contains("more than 10× below"), report.text())
        // The data itself is fine.
        XCTAssertEqual(status("labels"), .ok)
        XCTAssertEqual(status("data-finite"), .ok)
    }
}
