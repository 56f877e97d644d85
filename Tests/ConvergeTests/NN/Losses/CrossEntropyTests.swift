import XCTest
@testable import Converge
import ConvergeTestSupport

final class CrossEntropyTests: XCTestCase {
    /// Runs a cross-entropy golden case, reading options from the fixture.
    private func check(_ name: String, differentiable: [String] = ["logits"]) throws {
        let golden = try Golden("losses", bundle: .module)
        let ignoreIndex = (golden.lookup("\(name)/options/ignore_index") as? NSNumber)?.intValue ?? -100
        let smoothing = (golden.lookup("\(name)/options/label_smoothing") as? NSNumber)?.floatValue ?? 0
        try assertMatchesLossGolden(name, differentiable: differentiable) { t, r in
            crossEntropy(logits: t["logits"]!, targets: t["targets"]!, weights: t["weights"], ignoreIndex: ignoreIndex,
                         labelSmoothing: smoothing, reduction: r)
        }
    }

    func testClassIndicesMatchPyTorch() throws {
        try check("ce_plain")
        try check("ce_weighted")
        try check("ce_smooth")
    }

    func testIgnoreIndexMatchesPyTorch() throws {
        try check("ce_ignore")
        try check("ce_weighted_smooth_ignore")
        try check("ce_ignore_index_0")
    }

    func testProbabilityTargetsMatchPyTorch() throws {
        try check("ce_prob", differentiable: ["logits", "targets"])
        try check("ce_prob_weighted_smooth", differentiable: ["logits", "targets"])
    }

    func testSpatialAndUnbatchedMatchPyTorch() throws {
        try check("ce_kdim")
        try check("ce_kdim_prob", differentiable: ["logits", "targets"])
        try check("ce_unbatched")
    }

    func testStableForHugeLogits() {
        let loss = crossEntropy(logits: Tensor([[1000, 0, -1000]]), targets: Tensor([1]))
        XCTAssertEqual(loss.item(), 1000, accuracy: 1e-3)
        XCTAssertTrue(loss.item().isFinite)
    }

    func testAllIgnoredMeanIsNaN() {
        let loss = crossEntropy(logits: Tensor([[1, 2]]), targets: Tensor([-100]))
        XCTAssertTrue(loss.item().isNaN)
        XCTAssertEqual(crossEntropy(logits: Tensor([[1, 2]]), targets: Tensor([-100]), reduction: .sum).item(), 0)
    }

    func testGradientCheckClassIndices() {
        Random.seed(11)
        let logits = Tensor.randomNormal([4, 5], requiresGrad: true)
        let targets = Tensor([0, 3, -100, 4])
        let weights = Tensor([0.5, 1, 2, 1.5, 0.7])
        assertLossGradientsCheck([logits]) {
            crossEntropy(logits: $0[0], targets: targets, weights: weights, labelSmoothing: 0.1, reduction: $1)
        }
    }

    func testGradientCheckProbabilities() {
        Random.seed(12)
        let logits = Tensor.randomNormal([2, 3, 2], requiresGrad: true)
        let targets = Tensor.randomNormal([2, 3, 2]).softmax(alongAxis: 1)
        targets.requiresGrad = true
        assertLossGradientsCheck([logits, targets]) {
            crossEntropy(logits: $0[0], targets: $0[1], weights: Tensor([1, 2, 0.5]), labelSmoothing: 0.2, reduction: $1)
        }
    }

    func testBadTargetsAreNamed() {
        XCTAssertThrowsError(try LossChecks.classIndices("crossEntropy", targets: Tensor([0, 7, 1]), scoresShape: [3, 5], ignoreIndex: -100)) {
            XCTAssertEqual("\($0)", "crossEntropy: target class 7 at position 1 is out of range for 5 classes (targets shape [3], scores shape [3, 5])")
        }
        XCTAssertThrowsError(try LossChecks.classIndices("crossEntropy", targets: Tensor([0.5]), scoresShape: [1, 5], ignoreIndex: -100)) {
            XCTAssertTrue("\($0)".contains("is not an integer class id"), "\($0)")
        }
        XCTAssertThrowsError(try LossChecks.classIndices("crossEntropy", targets: Tensor([0, 1]), scoresShape: [3, 5], ignoreIndex: -100)) {
            XCTAssertTrue("\($0)".contains("targets of shape [2] do not fit scores of shape [3, 5] (expected targets of shape [3])"), "\($0)")
        }
        XCTAssertThrowsError(try LossChecks.classWeights("crossEntropy", Tensor([1, 2]), classes: 5)) {
            XCTAssertTrue("\($0)".contains("class weights of shape [2] do not fit 5 classes"), "\($0)")
        }
        XCTAssertEqual(try LossChecks.classIndices("crossEntropy", targets: Tensor([2, -100]), scoresShape: [2, 3], ignoreIndex: -100), [2, -1])
    }
}
