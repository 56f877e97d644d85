import XCTest
@testable import Converge

final class LinearWarmupTests: XCTestCase {
    /// PyTorch: SequentialLR([LinearLR(start_factor=0.1, total_iters=10), CosineAnnealingLR(T_max=40)], [10]).
    func testWarmupCosineMatchesPyTorch() {
        let schedule = LinearWarmup(CosineAnnealingLR(baseLearningRate: 0.1, tMax: 40, etaMin: 1e-5), warmupSteps: 10, startFactor: 0.1)
        ScheduleGolden.check(schedule, "warmup_cosine")
    }

    func testWarmupStepMatchesPyTorch() {
        ScheduleGolden.check(LinearWarmup(StepLR(baseLearningRate: 0.1, stepSize: 5), warmupSteps: 4, startFactor: 0.5), "warmup_step")
    }

    /// The default starts from zero: η_max·t/T_w.
    func testDefaultStartsFromZero() {
        let schedule = LinearWarmup(ConstantLR(baseLearningRate: 0.8), warmupSteps: 4)
        for (actual, expected) in zip(schedule.learningRates(steps: 6), [0, 0.2, 0.4, 0.6, 0.8, 0.8]) {
            XCTAssertEqual(actual, expected, accuracy: 1e-15)
        }
    }

    func testPassesMomentumThrough() {
        let inner = OneCycleLR(maxLearningRate: 1, totalSteps: 10)
        let schedule = LinearWarmup(inner, warmupSteps: 3)
        XCTAssertEqual(schedule.momentum(atStep: 0), inner.momentum(atStep: 0))
        XCTAssertEqual(schedule.momentum(atStep: 5), inner.momentum(atStep: 2))
        XCTAssertEqual(schedule.learningRate(atStep: 5), inner.learningRate(atStep: 2))
    }
}
