import XCTest
@testable import Converge

final class BinaryCrossEntropyTests: XCTestCase {
    func testMatchesPyTorch() throws {
        for name in ["bce_plain", "bce_weighted"] {
            try assertMatchesLossGolden(name, differentiable: ["probabilities", "targets"]) { t, r in
                binaryCrossEntropy(probabilities: t["probabilities"]!, targets: t["targets"]!, weights: t["weights"], reduction: r)
            }
        }
    }

    func testClampsLogAtMinus100LikePyTorch() throws {
        try assertMatchesLossGolden("bce_extreme", differentiable: ["probabilities"]) { t, r in
            binaryCrossEntropy(probabilities: t["probabilities"]!, targets: t["targets"]!, reduction: r)
        }
        XCTAssertEqual(binaryCrossEntropy(probabilities: Tensor([0]), targets: Tensor([1])).item(), 100)
    }

    func testAgreesWithLogitsVersion() {
        Random.seed(16)
        let logits = Tensor.randomNormal([6])
        let t = Tensor.randomUniform([6])
        let a = binaryCrossEntropy(probabilities: logits.sigmoid(), targets: t).item()
        let b = binaryCrossEntropy(logits: logits, targets: t).item()
        XCTAssertEqual(a, b, accuracy: 1e-5)
    }

    func testGradientCheck() {
        Random.seed(17)
        let p = Tensor.randomUniform([3, 4], low: 0.1, high: 0.9, requiresGrad: true)
        let t = Tensor.randomUniform([3, 4], requiresGrad: true)
        assertLossGradientsCheck([p, t]) {
            binaryCrossEntropy(probabilities: $0[0], targets: $0[1], weights: Tensor([1, 2, 0.5, 1]), reduction: $1)
        }
    }

    func testProbabilityOutOfRangeIsNamed() {
        XCTAssertThrowsError(try LossChecks.probabilities("binaryCrossEntropy(probabilities:)", Tensor([0.5, 1.5]))) {
            XCTAssertTrue("\($0)".hasPrefix("binaryCrossEntropy(probabilities:): probability 1.5 at index 1 is outside [0, 1] (shape [2])"), "\($0)")
        }
    }
}
