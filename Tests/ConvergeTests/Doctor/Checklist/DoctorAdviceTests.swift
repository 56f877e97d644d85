import Foundation
import XCTest
@testable import Converge

/// The four pieces of wrong or contradictory advice a new user met are gone (the fourth,
/// tanh with N(0, 1) weights called "stable", is `InitCheckSaturationTests`).
final class DoctorAdviceTests: XCTestCase {
    func recipe(_ text: String) throws -> Recipe {
        try Recipe.parse(text, file: URL(fileURLWithPath: "/tmp/advice.yaml"))
    }

    let base = "data: { train: t.csv }\nmodel: { mlp: { hidden: [8] } }\n"

    func testNoClippingAdviceToARecipeThatAlreadyClipsAtThatNorm() throws {
        let exploding = GradientFlow(layers: [.init(name: "0.weight", norm: 1e4, zeroFraction: 0), .init(name: "2.weight", norm: 1, zeroFraction: 0)]).finding
        XCTAssertTrue(exploding.remedies.contains(.clipGradients(maxNorm: 1)))
        let report = DoctorReport(subject: "r", sections: [.init(title: "flow", findings: [exploding])])
        let clipped = DoctorAdvice.reconcile(report, recipe: try recipe(base + "training: { clip_norm: 1.0 }\n"))
        let finding = clipped.findings[0]
        XCTAssertFalse(finding.suggestion.contains("clip_norm"), finding.suggestion)
        XCTAssertFalse(finding.remedies.contains { $0.kind == "clipping" })
        XCTAssertTrue(finding.suggestion.contains("already clips the gradient norm at 1"), finding.suggestion)
        XCTAssertFalse(clipped.recommendations.contains { $0.remedy.kind == "clipping" })
        // Without clipping in the recipe the advice stays, in the recipe's terms.
        let unclipped = DoctorAdvice.reconcile(report, recipe: try recipe(base))
        XCTAssertTrue(unclipped.findings[0].suggestion.contains("training.clip_norm: 1"), unclipped.findings[0].suggestion)
    }

    func testOneLearningRateDirectionPerReport() throws {
        let r = try recipe(base + "optimizer: { name: sgd, lr: 0.1 }\n")
        let finder = DoctorFinding(check: "lr-finder", status: .warn, message: "raise", remedies: [.learningRate(2.0)])
        let curve = CurveDiagnosis(pattern: .diverging, evidence: "exploded", epochs: [3]).finding
        let spikes = DoctorFinding(check: "loss-spikes", status: .warn, message: "spiky", remedies: [.lowerLearningRate, .warmup])
        let report = DoctorAdvice.reconcile(DoctorReport(subject: "r", sections: [.init(title: "a", findings: [finder, curve, spikes])]), recipe: r)
        let directions = Set(report.findings.flatMap(\.remedies).map { $0.learningRateDirection(peak: 0.1) }.filter { $0 != 0 })
        XCTAssertEqual(directions, [-1], "the diverging curve (fail) outranks the LR finder's raise (warn)")
        XCTAssertFalse(report.findings.contains { $0.suggestion.contains("increase the learning rate") })
        XCTAssertTrue(report.findings[0].suggestion.contains("not raised here: loss-curve"), report.findings[0].suggestion)
        let rates = report.recommendations.filter { $0.remedy.kind == "learning-rate" }
        XCTAssertEqual(rates.count, 1)
        XCTAssertEqual(rates.first?.remedy, .learningRate(0.01))
        XCTAssertEqual(Set(rates.first?.checks ?? []), ["loss-curve", "loss-spikes"])
        XCTAssertEqual(Set(report.recommendations.map(\.remedy.kind)).count, report.recommendations.count, "one recommendation per kind")
        // Agreeing findings share the LR finder's value.
        let lower = DoctorFinding(check: "lr-finder", status: .warn, message: "lower", remedies: [.learningRate(0.02)])
        let agreed = DoctorAdvice.reconcile(DoctorReport(subject: "r", sections: [.init(title: "a", findings: [lower, curve])]), recipe: r)
        XCTAssertEqual(agreed.recommendations.first { $0.remedy.kind == "learning-rate" }?.remedy, .learningRate(0.02))
    }

    func testNoLearningRateSuggestionFromAFlatSweep() {
        let rates = (0..<60).map { 1e-6 * pow(10, Double($0) / 10) }
        let flat = LRFinderResult(learningRates: rates, losses: rates.map { _ in 0.6931 }, smoothedLosses: rates.enumerated().map { 0.6931 + 0.0001 * sin(Double($0.offset)) },
                                  diverged: false, plannedSteps: 60)
        XCTAssertTrue(flat.isFlat)
        XCTAssertNil(flat.suggestion)
        XCTAssertTrue(flat.suggestions.isEmpty)
        let falling = rates.enumerated().map { 1.0 - 0.5 * Double($0.offset) / 60 }
        let moving = LRFinderResult(learningRates: rates, losses: falling, smoothedLosses: falling, diverged: false, plannedSteps: 60)
        XCTAssertFalse(moving.isFlat)
        XCTAssertNotNil(moving.suggestion)
    }

    func testRemediesAlreadyInTheRecipeAreDropped() throws {
        let r = try recipe("data: { train: t.csv, standardize: true }\nmodel: { mlp: { hidden: [8], activation: relu, init: he, batchnorm: true } }\noptimizer: { name: adamw }\nschedule: { name: one-cycle }\n")
        for remedy in [Remedy.standardizeInputs, .matchedInitializer, .batchNorm, .optimizer("adam"), .warmup, .shuffle] {
            XCTAssertNotNil(DoctorAdvice.alreadyApplied(remedy, in: r), "\(remedy)")
        }
        XCTAssertNil(DoctorAdvice.alreadyApplied(.leakyReLU, in: r))
        XCTAssertNil(DoctorAdvice.alreadyApplied(.clipGradients(maxNorm: 1), in: r))
    }
}
