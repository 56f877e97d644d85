import XCTest
@testable import Converge

final class MeanSquaredErrorTests: XCTestCase {
    func testMatchesPyTorch() throws {
        try assertMatchesLossGolden("mse", differentiable: ["predictions", "targets"]) { t, r in
            meanSquaredError(predictions: t["predictions"]!, targets: t["targets"]!, reduction: r)
        }
    }

    func testSmallExampleByHand() {
        let loss = meanSquaredError(predictions: Tensor([1, 2, 3]), targets: Tensor([1, 0, 6]))
        XCTAssertEqual(loss.item(), (0 + 4 + 9) / 3, accuracy: 1e-6)
        XCTAssertEqual(meanSquaredError(predictions: Tensor([1, 2]), targets: Tensor([0, 0]), reduction: .sum).item(), 5)
    }

    func testGradientCheck() {
        Random.seed(3)
        let x = Tensor.randomNormal([3, 4], requiresGrad: true), t = Tensor.randomNormal([3, 4], requiresGrad: true)
        assertLossGradientsCheck([x, t]) { meanSquaredError(predictions: $0[0], targets: $0[1], reduction: $1) }
    }

    func testShapeMismatchIsNamed() {
        XCTAssertThrowsError(try LossChecks.sameShape("meanSquaredError", "predictions", [4, 1], "targets", [4])) { error in
            XCTAssertTrue("\(error)".contains("meanSquaredError: predictions of shape [4, 1] and targets of shape [4] differ"), "\(error)")
        }
    }
}
