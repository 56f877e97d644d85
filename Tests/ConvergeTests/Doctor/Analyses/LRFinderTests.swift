import Foundation
import XCTest
@testable import Converge

final class LRFinderTests: XCTestCase {
    private let data = DataLoader(DoctorProblems.regression(count: 256, seed: 1), batchSize: 16, shuffle: true, seed: 2)

    func testSweepScheduleSmoothingStopAndRestore() throws {
        let model = DoctorProblems.regressionModel(seed: 3)
        let optimizer = Adam(model.parameters, learningRate: 1e-3)
        let before = model.stateDict()
        let randomBefore = Random.generator.state
        model.eval()
        let finder = LRFinder(startLearningRate: 1e-6, endLearningRate: 100, steps: 80)
        let result = try finder.run(model: model, optimizer: optimizer, loss: .meanSquaredError, data: data)

        // Exponential schedule: lr_i = start · (end/start)^(i/steps).
        for (i, lr) in result.learningRates.enumerated() {
            XCTAssertEqual(lr, 1e-6 * Foundation.pow(1e8, Double(i) / 80), accuracy: lr * 1e-12)
        }
        // Bias-corrected exponential moving average with β = 0.98.
        var average = 0.0
        for (i, loss) in result.losses.enumerated() {
            average = 0.98 * average + 0.02 * loss
            XCTAssertEqual(result.smoothedLosses[i], average / (1 - Foundation.pow(0.98, Double(i + 1))), accuracy: 1e-9)
        }
        // Adam up to lr 100 diverges: the sweep stops once the smoothed loss passes 4× its best.
        XCTAssertTrue(result.diverged)
        XCTAssertLessThan(result.learningRates.count, 80)
        let best = result.smoothedLosses.dropLast().min()!
        XCTAssertTrue(!result.smoothedLosses.last!.isFinite || result.smoothedLosses.last! > 4 * best)
        XCTAssertTrue(result.smoothedLosses.dropLast().allSatisfy { $0 <= 4 * best })

        // Everything restored: weights, optimizer state and learning rate, random stream, mode.
        for ((name, a), (_, b)) in zip(before, model.stateDict()) { XCTAssertEqual(a.scalars, b.scalars, name) }
        XCTAssertEqual(optimizer.learningRate, 1e-3)
        XCTAssertTrue(optimizer.parameters.allSatisfy { optimizer.state(for: $0).step == 0 && $0.grad == nil })
        XCTAssertEqual(Random.generator.state, randomBefore)
        XCTAssertFalse(model.isTraining)

        // CSV and chart.
        let lines = result.csv().split(separator: "\n")
        XCTAssertEqual(lines.first, "lr,loss")
        XCTAssertEqual(lines.count, result.learningRates.count + 1)
        let svg = result.chart().svg()
        XCTAssertTrue(svg.contains("valley"))
        XCTAssertTrue(svg.contains("log10(learning rate)"))
    }

    /// On a standard problem, training with the suggested learning rate converges — and the
    /// suggestion sits below the rates at which the sweep's loss blew up.
    func testSuggestionLiesWhereTrainingConverges() throws {
        let model = DoctorProblems.regressionModel(seed: 4)
        let result = try LRFinder().run(model: model, optimizer: SGD(model.parameters, learningRate: 0.1),
                                        loss: .meanSquaredError, data: data)
        let suggestion = try XCTUnwrap(result.suggestion)
        XCTAssertEqual(suggestion.rule, .valley)
        let atMinimum = try XCTUnwrap(result.suggestion(.minimumOverTen)).learningRate * 10
        XCTAssertLessThan(suggestion.learningRate, atMinimum)
        XCTAssertGreaterThan(suggestion.learningRate, 1e-4, "a useful rate, not the flat start of the sweep")

        let fresh = DoctorProblems.regressionModel(seed: 4)
        let trainer = Trainer(model: fresh, optimizer: SGD(fresh.parameters, learningRate: suggestion.learningRate),
                              loss: .meanSquaredError)
        let history = try trainer.fit(train: data, epochs: 10)
        let losses = history.series("train_loss")
        XCTAssertTrue(losses.allSatisfy(\.isFinite), "\(losses)")
        XCTAssertLessThan(losses.last!, 0.1 * losses.first!, "lr \(suggestion.learningRate): \(losses)")
        XCTAssertEqual(CurveDiagnosis.diagnose(history).map(\.pattern), [.healthy], "\(losses)")

        // Ten times the learning rate at the sweep's minimum does not converge.
        let reckless = DoctorProblems.regressionModel(seed: 4)
        let bad = Trainer(model: reckless, optimizer: SGD(reckless.parameters, learningRate: 10 * atMinimum), loss: .meanSquaredError)
        let badLosses = try bad.fit(train: data, epochs: 3).series("train_loss")
        XCTAssertTrue(!badLosses.last!.isFinite || badLosses.last! > losses.last! * 10, "\(badLosses)")
    }
}
