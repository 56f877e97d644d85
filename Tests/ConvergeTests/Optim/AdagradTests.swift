import ConvergeTestSupport
import XCTest
@testable import Converge

final class AdagradTests: XCTestCase {
    /// Every Adagrad case of optim.json: parameters after 1 and 50 steps on a fixed gradient
    /// sequence and after 50 steps on Linear(4,8)-Tanh-Linear(8,1), against PyTorch.
    func testTrajectoriesMatchPyTorch() {
        let cases = OptimGolden.caseNames.filter { OptimGolden.config($0).kind == "adagrad" }
        XCTAssertFalse(cases.isEmpty)
        for name in cases { OptimGolden.check(name) }
    }

    func testAccumulatorStartsAtInitialValue() {
        let p = Tensor([1], requiresGrad: true)
        let optimizer = Adagrad([p], learningRate: 0.1, initialAccumulatorValue: 3)
        XCTAssertEqual(optimizer.stateDict().tensor("group0.param0.sum")?.scalars, [3])
        p.grad = Tensor([1])
        optimizer.step()
        XCTAssertEqual(p.scalar, 1 - 0.1 / (2 + 1e-10), accuracy: 1e-6)
    }
}
