import ConvergeTestSupport
import XCTest
@testable import Converge

final class RMSpropTests: XCTestCase {
    /// Every RMSprop case of optim.json: parameters after 1 and 50 steps on a fixed gradient
    /// sequence and after 50 steps on Linear(4,8)-Tanh-Linear(8,1), against PyTorch.
    func testTrajectoriesMatchPyTorch() {
        let cases = OptimGolden.caseNames.filter { OptimGolden.config($0).kind == "rmsprop" }
        XCTAssertFalse(cases.isEmpty)
        for name in cases { OptimGolden.check(name) }
    }

    func testCenteredAllocatesGradientAverage() {
        let p = Tensor([1, 2], requiresGrad: true)
        let optimizer = RMSprop([p], learningRate: 0.01, centered: true)
        XCTAssertEqual(optimizer.stateDict().tensors.map { $0.0 }, ["group0.param0.square_avg", "group0.param0.grad_avg"])
        p.grad = Tensor([1, 1])
        optimizer.step()
        // ḡ = 0.01·g, s = 0.01·g² → d = √(0.01 − 0.0001) + ε
        let expected = 1 - 0.01 / (Float(0.01 - 0.0001).squareRoot() + 1e-8)
        XCTAssertEqual(p.scalars[0], expected, accuracy: 1e-6)
    }
}
