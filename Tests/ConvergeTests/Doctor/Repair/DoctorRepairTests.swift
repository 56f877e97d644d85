import Foundation
import XCTest
@testable import Converge

/// `DoctorRepair` on its own: a fix that beats the noise is accepted and written into
/// `repaired.yaml` / `repair.md` / `recipe.diff`; one that cannot beat it is rejected and leaves
/// the recipe as it was.
final class DoctorRepairTests: XCTestCase {
    var directory: URL!

    /// The corpus's two-moons data (400 rows).
    static let moons = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples/doctor-corpus/data/moons.csv")

    override func setUpWithError() throws {
        directory = DoctorProblems.temporaryDirectory("repair")
        try FileManager.default.copyItem(at: Self.moons, to: directory.appendingPathComponent("moons.csv"))
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func recipe(lr: String, optimizer: String = "sgd") throws -> Recipe {
        let text = """
        seed: 3
        data: { train: moons.csv, validation: 0.25, label: label }
        model: { mlp: { hidden: [16], activation: relu, init: he } }
        optimizer: { name: \(optimizer), lr: \(lr) }
        training: { epochs: 4, batch_size: 32 }
        """
        let url = directory.appendingPathComponent("recipe.yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return try Recipe.load(from: url)
    }

    /// A report whose only finding (failing) recommends `remedy`.
    func report(recommending remedy: Remedy, for recipe: Recipe) -> DoctorReport {
        let finding = DoctorFinding(check: "test-check", status: .fail, message: "a problem the test made up", remedies: [remedy])
        var report = DoctorReport(subject: "recipe.yaml", sections: [.init(title: "Test", findings: [finding])])
        report.recommendations = [DoctorRecommendation(remedy: remedy, text: RecipeRepairs.advice(remedy, recipe: recipe), checks: ["test-check"], status: .fail)]
        return report
    }

    var options: DoctorRepair.Options {
        var o = DoctorRepair.Options()
        o.trialEpochs = 4
        o.maxRounds = 1
        o.learningRateFactors = [1, 3]
        o.checklist.overfitSteps = 20
        o.checklist.anomalySteps = 2
        o.checklist.lrFinder = LRFinder(steps: 20)
        o.checklist.trainingEpochs = 2
        return o
    }

    /// SGD at 1e-5 does not move in 4 epochs; the recommended rate 0.3 learns the moons. The fix
    /// is accepted (its gain beats the two-seed noise), and the three files say so.
    func testAFixThatBeatsTheNoiseIsAcceptedAndWritten() throws {
        let slow = try recipe(lr: "1.0e-5")
        let repair = DoctorRepair(options: options)
        let result = try repair.run(slow, report: report(recommending: .learningRate(0.3), for: slow))
        let attempt = try XCTUnwrap(result.attempts.first)
        XCTAssertTrue(attempt.accepted, attempt.reason)
        XCTAssertGreaterThan(attempt.metric - attempt.baseline, attempt.margin)
        XCTAssertGreaterThanOrEqual(attempt.margin, options.minimumImprovement)
        XCTAssertTrue(attempt.reason.contains("more than the noise margin"), attempt.reason)
        XCTAssertGreaterThan(result.finalMetric, result.initialMetric + 0.2)
        XCTAssertTrue(result.improved)
        XCTAssertEqual(result.finalReport.findings.filter { $0.check == "test-check" }.count, 0, "the final report is the re-diagnosis")
        // The learning-rate sweep tried 0.3 and 0.9 on the tuning seed; the change names the one kept.
        XCTAssertTrue(attempt.change.hasPrefix("optimizer.lr: 0.3 ") || attempt.change.hasPrefix("optimizer.lr: 0.9 "), attempt.change)

        let out = directory.appendingPathComponent("out")
        let written = try result.write(to: out)
        XCTAssertEqual(written.map(\.lastPathComponent), ["repaired.yaml", "repair.md", "recipe.diff"])
        let repaired = try Recipe.load(from: out.appendingPathComponent("repaired.yaml"))
        XCTAssertGreaterThan(repaired.optimizer.learningRate, 0.1)
        let yaml = try String(contentsOf: out.appendingPathComponent("repaired.yaml"), encoding: .utf8)
        XCTAssertTrue(yaml.hasPrefix("# Repaired by converge doctor --repair from recipe.yaml"), yaml)
        XCTAssertTrue(yaml.contains("# doctor: was 1.0e-5; learning rate"), yaml)
        // The data path was made absolute, so the repaired recipe trains from its own folder.
        XCTAssertEqual(repaired.data.train, directory.appendingPathComponent("moons.csv").standardizedFileURL.path)
        let md = try String(contentsOf: out.appendingPathComponent("repair.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("| 1 | set the learning rate to 0.3 | optimizer.lr: "), md)
        XCTAssertTrue(md.contains("| **accepted** |"), md)
        let diff = try String(contentsOf: out.appendingPathComponent("recipe.diff"), encoding: .utf8)
        XCTAssertTrue(diff.contains("-4: optimizer: { name: sgd, lr: 1.0e-5 }"), diff)
        XCTAssertTrue(diff.contains("+4: optimizer: { name: sgd, lr: 0."), diff)
    }

    /// The same fix, when the improvement it must beat is larger than any possible gain, is
    /// rejected within the margin, and nothing is written into the recipe.
    func testAnImprovementWithinTheMarginIsRejected() throws {
        let slow = try recipe(lr: "1.0e-5")
        var strict = options
        strict.minimumImprovement = 0.9   // accuracy can rise by at most 1 − chance
        let result = try DoctorRepair(options: strict).run(slow, report: report(recommending: .learningRate(0.3), for: slow))
        let attempt = try XCTUnwrap(result.attempts.first)
        XCTAssertFalse(attempt.accepted)
        XCTAssertGreaterThan(attempt.metric, attempt.baseline, "the fix helps, but not by the margin")
        XCTAssertTrue(attempt.reason.contains("within the noise margin 0.9"), attempt.reason)
        XCTAssertEqual(result.repairedSource, slow.source)
        XCTAssertFalse(result.improved)
        XCTAssertFalse(result.isHealthy)
        XCTAssertTrue(result.markdown().contains("- Outcome: no fix helped."), result.markdown())
    }

    /// A healthy recipe: clipping at a norm its gradients never reach changes nothing, so it is rejected.
    func testAFixThatDoesNotHelpIsRejected() throws {
        let healthy = try recipe(lr: "1.0e-2", optimizer: "adamw")
        var plain = options
        plain.learningRateFactors = [1]
        let result = try DoctorRepair(options: plain).run(healthy, report: report(recommending: .clipGradients(maxNorm: 1e6), for: healthy))
        XCTAssertEqual(result.attempts.count, 1)
        XCTAssertFalse(result.attempts[0].accepted)
        XCTAssertTrue(result.attempts[0].reason.hasPrefix("did not improve"), result.attempts[0].reason)
        XCTAssertEqual(result.repairedSource, healthy.source)
        XCTAssertEqual(result.finalMetric, result.initialMetric)
    }
}
