import XCTest
@testable import Converge

final class SmoothL1LossTests: XCTestCase {
    func testMatchesPyTorch() throws {
        for beta: Float in [1, 0.5, 0] {
            try assertMatchesLossGolden("smooth_l1_\(beta)", differentiable: ["predictions", "targets"]) { t, r in
                smoothL1Loss(predictions: t["predictions"]!, targets: t["targets"]!, beta: beta, reduction: r)
            }
        }
    }

    func testEqualsHuberOverBeta() {
        Random.seed(6)
        let x = Tensor.randomNormal([10], std: 2), t = Tensor.randomNormal([10])
        let smooth = smoothL1Loss(predictions: x, targets: t, beta: 0.5, reduction: .none).scalars
        let huber = huberLoss(predictions: x, targets: t, delta: 0.5, reduction: .none).scalars
        for (s, h) in zip(smooth, huber) { XCTAssertEqual(s, h / 0.5, accuracy: 1e-5) }
    }

    func testGradientCheck() {
        Random.seed(7)
        let x = Tensor.randomNormal([3, 4], std: 2, requiresGrad: true), t = Tensor.randomNormal([3, 4], requiresGrad: true)
        assertLossGradientsCheck([x, t]) { smoothL1Loss(predictions: $0[0], targets: $0[1], beta: 0.6, reduction: $1) }
    }
}
