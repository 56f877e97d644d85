import XCTest
@testable import Converge

final class NegativeLogLikelihoodTests: XCTestCase {
    func testMatchesPyTorch() throws {
        for name in ["nll_plain", "nll_weighted_ignore"] {
            try assertMatchesLossGolden(name, differentiable: ["logp"]) { t, r in
                negativeLogLikelihood(logProbabilities: t["logp"]!, targets: t["targets"]!, weights: t["weights"], reduction: r)
            }
        }
    }

    func testEqualsCrossEntropyOfLogSoftmax() {
        Random.seed(13)
        let logits = Tensor.randomNormal([5, 4])
        let targets = Tensor([0, 1, 2, 3, 1])
        let nll = negativeLogLikelihood(logProbabilities: logits.logSoftmax(alongAxis: 1), targets: targets)
        XCTAssertEqual(nll.item(), crossEntropy(logits: logits, targets: targets).item(), accuracy: 1e-5)
    }

    func testGradientCheck() {
        Random.seed(14)
        let logp = Tensor.randomNormal([4, 3], requiresGrad: true)
        let targets = Tensor([2, 0, -100, 1])
        assertLossGradientsCheck([logp]) {
            negativeLogLikelihood(logProbabilities: $0[0], targets: targets, weights: Tensor([1, 3, 0.5]), reduction: $1)
        }
    }
}
