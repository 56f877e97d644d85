import XCTest
@testable import ConvergeCore

final class SmokeTests: XCTestCase {
    func testLinearRegressionGradient() {
        let x = Tensor([[1, 2], [3, 4]])
        let w = Tensor(shape: [2, 1], scalars: [0.5, -1], requiresGrad: true)
        let b = Tensor([0.1], requiresGrad: true)
        let y = x.matmul(w) + b
        let loss = (y * y).mean()
        loss.backward()
        // y = [-1.4, -2.4]; dL/dy = y; dL/dw = xᵀ y
        XCTAssertEqual(y.scalars[0], -1.4, accuracy: 1e-6)
        XCTAssertEqual(w.grad!.scalars[0], (1 * -1.4 + 3 * -2.4), accuracy: 1e-5)
        XCTAssertEqual(w.grad!.scalars[1], (2 * -1.4 + 4 * -2.4), accuracy: 1e-5)
        XCTAssertEqual(b.grad!.scalars[0], -3.8, accuracy: 1e-5)
    }
}

final class GradientCheckSmokeTests: XCTestCase {
    func testMatmulBroadcastAdd() {
        Random.seed(3)
        let a = Tensor.randomNormal([3, 4], requiresGrad: true)
        let b = Tensor.randomNormal([4, 2], requiresGrad: true)
        let c = Tensor.randomNormal([2], requiresGrad: true)
        let r = gradientCheck([a, b, c]) { t in (t[0].matmul(t[1]) + t[2]).tanh() }
        XCTAssertTrue(r.passed, r.description)
    }
    func testWrongGradientIsCaught() {
        // A deliberately wrong rule must fail the check: x * x with the gradient of x.
        let x = Tensor([1, 2, 3], requiresGrad: true)
        let r = gradientCheck([x]) { t in Tensor.result(t[0] * t[0].detached(), op: "bad", inputs: [t[0]]) { g in [g] } }
        XCTAssertFalse(r.passed)
    }
}
