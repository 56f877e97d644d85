import XCTest
@testable import Converge

final class LearningRateScheduleTests: XCTestCase {
    /// Applying a schedule per step to an optimizer reproduces PyTorch's scheduler-driven run:
    /// the learning rate in the optimizer at each step is the golden one.
    func testApplyDrivesTheOptimizerLikePyTorch() {
        let schedule = CosineAnnealingWarmRestarts(baseLearningRate: 0.1, t0: 5, tMult: 2, etaMin: 1e-4)
        let optimizer = SGD([Tensor([1], requiresGrad: true)], learningRate: 0.1, momentum: 0.9)
        for (step, expected) in ScheduleGolden.values("warm_restarts_mult2/lr").enumerated() {
            schedule.apply(to: optimizer, step: step)
            XCTAssertEqual(optimizer.learningRate, expected, accuracy: 1e-6 * expected)
            XCTAssertEqual(optimizer.momentum, 0.9, "a schedule without momentum leaves it alone")
        }
    }

    /// Groups keep the ratio of their initial learning rates, as PyTorch scales each group's base rate.
    func testApplyKeepsGroupRatios() {
        let a = Tensor([[1]], requiresGrad: true), b = Tensor([1], requiresGrad: true)
        let optimizer = AdamW([ParameterGroup([a], learningRate: 1e-3), ParameterGroup([b], learningRate: 1e-4)])
        StepLR(baseLearningRate: 1e-3, stepSize: 1, gamma: 0.5).apply(to: optimizer, step: 2)
        XCTAssertEqual(optimizer.parameterGroups[0].learningRate, 2.5e-4, accuracy: 1e-18)
        XCTAssertEqual(optimizer.parameterGroups[1].learningRate, 2.5e-5, accuracy: 1e-18)
    }

    func testMomentaIsNilWithoutMomentum() {
        XCTAssertNil(ExponentialLR(baseLearningRate: 1, gamma: 0.9).momenta(steps: 3))
        XCTAssertEqual(OneCycleLR(maxLearningRate: 1, totalSteps: 10).momenta(steps: 3)?.count, 3)
    }
}
