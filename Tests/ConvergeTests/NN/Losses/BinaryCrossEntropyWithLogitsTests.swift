import XCTest
@testable import Converge

final class BinaryCrossEntropyWithLogitsTests: XCTestCase {
    func testMatchesPyTorch() throws {
        for name in ["bcel_plain", "bcel_weighted", "bcel_pos_weight", "bcel_row_weight_pos_weight"] {
            try assertMatchesLossGolden(name, differentiable: ["logits", "targets"]) { t, r in
                binaryCrossEntropy(logits: t["logits"]!, targets: t["targets"]!, weights: t["weights"],
                                   positiveWeight: t["pos_weight"], reduction: r)
            }
        }
    }

    func testStableForLargeLogits() {
        let x = Tensor([100, -100, 100], requiresGrad: true)
        let loss = binaryCrossEntropy(logits: x, targets: Tensor([1, 0, 0]), reduction: .none)
        XCTAssertEqual(loss.scalars[0], 0, accuracy: 1e-6)
        XCTAssertEqual(loss.scalars[1], 0, accuracy: 1e-6)
        XCTAssertEqual(loss.scalars[2], 100, accuracy: 1e-4)
        loss.sum().backward()
        XCTAssertEqual(x.grad!.scalars, [0, 0, 1])
    }

    func testGradientCheck() {
        Random.seed(15)
        let x = Tensor.randomNormal([3, 4], std: 2, requiresGrad: true)
        let t = Tensor.randomUniform([3, 4], requiresGrad: true)
        assertLossGradientsCheck([x, t]) {
            binaryCrossEntropy(logits: $0[0], targets: $0[1], weights: Tensor([[1], [2], [0.5]]),
                               positiveWeight: Tensor([1, 2, 3, 0.5]), reduction: $1)
        }
    }

    func testLossValueTrainerSpelling() {
        let loss: Loss = .binaryCrossEntropyWithLogits
        let value = loss(Tensor([0]), Tensor([1]))
        XCTAssertEqual(value.item(), 0.6931472, accuracy: 1e-6)  // log 2
        XCTAssertEqual(loss.name, "binaryCrossEntropyWithLogits")
    }

    func testBadWeightsAreNamed() {
        XCTAssertThrowsError(try LossChecks.broadcastable("binaryCrossEntropy(logits:)", "positiveWeight", Tensor([1, 2]), to: [4, 3])) {
            XCTAssertEqual("\($0)", "binaryCrossEntropy(logits:): positiveWeight of shape [2] do not broadcast to shape [4, 3]")
        }
    }
}
