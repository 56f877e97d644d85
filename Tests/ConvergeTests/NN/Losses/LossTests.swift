import XCTest
@testable import Converge

final class LossTests: XCTestCase {
    func testBuiltInsCallTheirFunctions() {
        Random.seed(18)
        let x = Tensor.randomNormal([4, 3]), y = Tensor.randomNormal([4, 3])
        let classes = Tensor([0, 2, 1, 2])
        XCTAssertEqual(Loss.meanSquaredError(x, y).item(), meanSquaredError(predictions: x, targets: y).item())
        XCTAssertEqual(Loss.l1(x, y, reduction: .sum).item(), l1Loss(predictions: x, targets: y, reduction: .sum).item())
        XCTAssertEqual(Loss.huber(delta: 0.3)(x, y).item(), huberLoss(predictions: x, targets: y, delta: 0.3).item())
        XCTAssertEqual(Loss.smoothL1(x, y).item(), smoothL1Loss(predictions: x, targets: y).item())
        XCTAssertEqual(Loss.crossEntropy(labelSmoothing: 0.1)(x, classes).item(),
                       crossEntropy(logits: x, targets: classes, labelSmoothing: 0.1).item())
        XCTAssertEqual(Loss.negativeLogLikelihood(x.logSoftmax(), classes).item(),
                       negativeLogLikelihood(logProbabilities: x.logSoftmax(), targets: classes).item())
        XCTAssertEqual(Loss.binaryCrossEntropy(x.sigmoid(), y.sigmoid()).item(),
                       binaryCrossEntropy(probabilities: x.sigmoid(), targets: y.sigmoid()).item())
        XCTAssertEqual(Loss.crossEntropy(x, classes, reduction: .none).shape, [4])
    }

    func testCustomLoss() {
        let loss = Loss(name: "sumOfDifferences") { p, t, _ in (p - t).sum() }
        XCTAssertEqual(loss(Tensor([3, 4]), Tensor([1, 1])).item(), 5)
        XCTAssertEqual(loss.name, "sumOfDifferences")
    }
}
