import ConvergeTestSupport
import XCTest
@testable import Converge

final class SGDTests: XCTestCase {
    /// Every SGD case of optim.json: parameters after 1 and 50 steps on a fixed gradient
    /// sequence and after 50 steps on Linear(4,8)-Tanh-Linear(8,1), against PyTorch.
    func testTrajectoriesMatchPyTorch() {
        let cases = OptimGolden.caseNames.filter { OptimGolden.config($0).kind == "sgd" }
        XCTAssertFalse(cases.isEmpty)
        for name in cases { OptimGolden.check(name) }
    }

    /// PyTorch's momentum buffer starts as the first gradient (not as zero, not dampened).
    func testFirstMomentumBufferIsTheGradient() {
        let p = Tensor([1, -1], requiresGrad: true)
        let optimizer = SGD([p], learningRate: 0.1, momentum: 0.9, dampening: 0.5)
        p.grad = Tensor([2, 4])
        optimizer.step()
        XCTAssertEqual(optimizer.state(for: p).momentumBuffer?.scalars, [2, 4])
        XCTAssertEqual(p.scalars[0], 1 - 0.1 * 2, accuracy: 1e-7)
        p.grad = Tensor([2, 4])
        optimizer.step()
        // b = 0.9·2 + 0.5·2 = 2.8
        XCTAssertEqual(optimizer.state(for: p).momentumBuffer!.scalars[0], 2.8, accuracy: 1e-6)
    }

    func testPlainSGDStep() {
        let p = Tensor([1, 2], requiresGrad: true)
        let optimizer = SGD([p], learningRate: 0.5, weightDecay: 0.1)
        p.grad = Tensor([1, -1])
        optimizer.step()
        // θ − η(g + λθ)
        XCTAssertEqual(p.scalars[0], 1 - 0.5 * (1 + 0.1), accuracy: 1e-7)
        XCTAssertEqual(p.scalars[1], 2 - 0.5 * (-1 + 0.2), accuracy: 1e-7)
    }
}
