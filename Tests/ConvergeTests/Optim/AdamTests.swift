import ConvergeTestSupport
import XCTest
@testable import Converge

final class AdamTests: XCTestCase {
    /// Every Adam case of optim.json: parameters after 1 and 50 steps on a fixed gradient
    /// sequence and after 50 steps on Linear(4,8)-Tanh-Linear(8,1), against PyTorch.
    func testTrajectoriesMatchPyTorch() {
        let cases = OptimGolden.caseNames.filter { OptimGolden.config($0).kind == "adam" }
        XCTAssertFalse(cases.isEmpty)
        for name in cases { OptimGolden.check(name) }
    }

    /// ε is added after the bias-corrected square root: the first step moves every parameter
    /// by η·g/(|g| + ε), i.e. ≈ η, whatever the gradient's scale.
    func testFirstStepIsLearningRateTimesSign() {
        let p = Tensor([0, 0, 0], requiresGrad: true)
        let optimizer = Adam([p], learningRate: 0.01)
        p.grad = Tensor([1e-3, -5, 200])
        optimizer.step()
        XCTAssertEqual(p.scalars[0], -0.01, accuracy: 1e-7)
        XCTAssertEqual(p.scalars[1], 0.01, accuracy: 1e-7)
        XCTAssertEqual(p.scalars[2], -0.01, accuracy: 1e-7)
    }

    func testAMSGradKeepsTheMaximumSecondMoment() {
        let p = Tensor([0], requiresGrad: true)
        let optimizer = Adam([p], learningRate: 0.01, amsgrad: true)
        p.grad = Tensor([10])
        optimizer.step()
        p.grad = Tensor([0.1])
        optimizer.step()
        let state = optimizer.state(for: p)
        XCTAssertGreaterThan(state.maxExpAvgSq!.scalar, state.expAvgSq.scalar)
    }
}
