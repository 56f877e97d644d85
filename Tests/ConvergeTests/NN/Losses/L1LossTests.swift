import XCTest
@testable import Converge

final class L1LossTests: XCTestCase {
    func testMatchesPyTorch() throws {
        try assertMatchesLossGolden("l1", differentiable: ["predictions", "targets"]) { t, r in
            l1Loss(predictions: t["predictions"]!, targets: t["targets"]!, reduction: r)
        }
    }

    func testGradientIsZeroAtZeroDifference() {
        let x = Tensor([1, 2], requiresGrad: true)
        l1Loss(predictions: x, targets: Tensor([1, 0]), reduction: .sum).backward()
        XCTAssertEqual(x.grad?.scalars, [0, 1])
    }

    func testGradientCheck() {
        Random.seed(4)
        let x = Tensor.randomNormal([3, 4], requiresGrad: true), t = Tensor.randomNormal([3, 4], requiresGrad: true)
        assertLossGradientsCheck([x, t]) { l1Loss(predictions: $0[0], targets: $0[1], reduction: $1) }
    }
}
