import XCTest
@testable import Converge

final class HuberLossTests: XCTestCase {
    func testMatchesPyTorch() throws {
        for delta: Float in [1, 0.5] {
            try assertMatchesLossGolden("huber_\(delta)", differentiable: ["predictions", "targets"]) { t, r in
                huberLoss(predictions: t["predictions"]!, targets: t["targets"]!, delta: delta, reduction: r)
            }
        }
    }

    func testQuadraticInsideLinearOutside() {
        let loss = huberLoss(predictions: Tensor([0.5, 3]), targets: Tensor([0, 0]), delta: 1, reduction: .none)
        XCTAssertEqual(loss.scalars, [0.125, 2.5])
    }

    func testGradientCheck() {
        Random.seed(5)
        let x = Tensor.randomNormal([3, 4], std: 2, requiresGrad: true), t = Tensor.randomNormal([3, 4], requiresGrad: true)
        assertLossGradientsCheck([x, t]) { huberLoss(predictions: $0[0], targets: $0[1], delta: 0.7, reduction: $1) }
    }
}
