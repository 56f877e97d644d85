import XCTest
@testable import Converge

final class OneCycleLRTests: XCTestCase {
    func testSGDMomentumMatchesPyTorch() {
        ScheduleGolden.check(OneCycleLR(maxLearningRate: 0.1, totalSteps: 100), "one_cycle_sgd")
    }

    func testAdamBeta1MatchesPyTorch() {
        ScheduleGolden.check(OneCycleLR(maxLearningRate: 1e-3, totalSteps: 60), "one_cycle_adam")
    }

    func testThreePhaseMatchesPyTorch() {
        ScheduleGolden.check(OneCycleLR(maxLearningRate: 0.2, totalSteps: 90, threePhase: true), "one_cycle_three_phase")
    }

    func testLinearAnnealingMatchesPyTorch() {
        ScheduleGolden.check(OneCycleLR(maxLearningRate: 0.05, totalSteps: 50, pctStart: 0.25, divFactor: 10, finalDivFactor: 100,
                                        annealStrategy: .linear, baseMomentum: 0.8, maxMomentum: 0.9), "one_cycle_linear")
    }

    /// pct_start·total_steps is fractional (11.1): PyTorch's phase boundary at 10.1.
    func testFractionalPhaseBoundaryMatchesPyTorch() {
        ScheduleGolden.check(OneCycleLR(maxLearningRate: 0.3, totalSteps: 37), "one_cycle_uneven")
    }

    func testWithoutMomentumCyclingMatchesPyTorch() {
        ScheduleGolden.check(OneCycleLR(maxLearningRate: 0.1, totalSteps: 40, cycleMomentum: false), "one_cycle_no_momentum")
    }

    func testEndpointsAndClamping() {
        let schedule = OneCycleLR(maxLearningRate: 1, totalSteps: 100)
        XCTAssertEqual(schedule.initialLearningRate, 0.04)
        XCTAssertEqual(schedule.learningRate(atStep: 0), 0.04, accuracy: 1e-15)
        XCTAssertEqual(schedule.momentum(atStep: 0), 0.95)
        XCTAssertEqual(schedule.learningRate(atStep: 29), 1, accuracy: 1e-15)
        XCTAssertEqual(schedule.momentum(atStep: 29)!, 0.85, accuracy: 1e-15)
        XCTAssertEqual(schedule.learningRate(atStep: 99), schedule.minimumLearningRate, accuracy: 1e-12)
        XCTAssertEqual(schedule.learningRate(atStep: 500), schedule.learningRate(atStep: 100))
    }

    /// apply(to:) cycles SGD's momentum and Adam's β₁ (leaving β₂ alone).
    func testApplySetsMomentumOrBeta1() {
        let schedule = OneCycleLR(maxLearningRate: 0.1, totalSteps: 10)
        let p = [Tensor([1], requiresGrad: true)]
        let sgd = SGD(p, learningRate: 0.1, momentum: 0.9)
        schedule.apply(to: sgd, step: 3)
        XCTAssertEqual(sgd.learningRate, schedule.learningRate(atStep: 3))
        XCTAssertEqual(sgd.momentum, schedule.momentum(atStep: 3))
        let adam = Adam(p, betas: (0.9, 0.98))
        schedule.apply(to: adam, step: 3)
        XCTAssertEqual(adam.parameterGroups[0].hyperparameters.betas.0, schedule.momentum(atStep: 3))
        XCTAssertEqual(adam.parameterGroups[0].hyperparameters.betas.1, 0.98)
        let adagrad = Adagrad(p)
        schedule.apply(to: adagrad, step: 3)
        XCTAssertEqual(adagrad.learningRate, schedule.learningRate(atStep: 3))
    }
}
