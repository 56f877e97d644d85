import Converge
import ConvergeExamples
import Foundation
import XCTest

/// Runs the doctor on the whole corpus (fast settings) and the repair on a few of its bugs; the
/// full corpus with repair is `converge bench doctor-corpus` (release build).
final class DoctorCorpusTests: XCTestCase {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples/doctor-corpus")

    static var fastOptions: DoctorChecklist.Options {
        var o = DoctorChecklist.Options()
        o.overfitSteps = 150
        o.anomalySteps = 5
        o.lrFinder = LRFinder(steps: 40)
        o.trainingEpochs = 4
        return o
    }

    func testCorpusIsDetectedWithTheRightClassAndHealthyRecipesPass() throws {
        let entries = try DoctorCorpus.entries(in: Self.directory)
        XCTAssertGreaterThanOrEqual(entries.filter { $0.class != "healthy" }.count, 30)
        XCTAssertGreaterThanOrEqual(entries.filter { $0.class == "healthy" }.count, 10)
        var repair = DoctorRepair.Options()
        repair.trialEpochs = 4
        repair.maxRounds = 3
        repair.checklist = Self.fastOptions
        let repaired: Set<String> = ["lint-unnormalized-features", "exploding-sgd-lr-moons", "oscillating-sgd-moons", "lint-he-init-with-tanh"]
        let outcomes = try DoctorCorpus.run(entries, in: Self.directory, options: Self.fastOptions, repairOptions: repair,
                                            repairing: { repaired.contains($0.name) }, progress: { print($0) })
        print(DoctorCorpus.table(outcomes))
        let bugs = outcomes.filter { $0.entry.class != "healthy" }
        let missed = bugs.filter { !$0.detected }.map { "\($0.entry.name) (\($0.entry.class); saw \($0.classes.sorted()))" }
        XCTAssertGreaterThanOrEqual(Double(bugs.count - missed.count) / Double(bugs.count), 0.95, "missed: \(missed)")
        let flagged = outcomes.filter { $0.entry.class == "healthy" && $0.failing }.map(\.entry.name)
        XCTAssertEqual(flagged, [], "healthy recipes flagged as failing")
        let repairs = outcomes.compactMap(\.repair)
        XCTAssertEqual(repairs.count, repaired.count)
        XCTAssertTrue(repairs.allSatisfy(\.repaired), "\(outcomes.filter { $0.repair != nil }.map { "\($0.entry.name): \($0.repair!)" })")
    }
}
