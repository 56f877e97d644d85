import ConvergeTestSupport
import XCTest
@testable import Converge

final class CrossEntropyIndexTests: XCTestCase {
    func testIndexTargetsGiveTheSameLossAndGradientAsFloatIds() {
        let g = RandomGenerator(seed: 1)
        let logits = Tensor.randomNormal([4, 5], generator: g, requiresGrad: true)
        let ids = [3, 0, -100, 4]
        let a = crossEntropy(logits: logits, targets: IndexTensor(ids), labelSmoothing: 0.1)
        a.backward()
        let ga = logits.grad!.scalars
        logits.grad = nil
        let b = crossEntropy(logits: logits, targets: Tensor(ids.map { Float($0) }), labelSmoothing: 0.1)
        b.backward()
        XCTAssertEqual(a.item(), b.item())
        XCTAssertEqual(ga, logits.grad!.scalars)
    }

    func testTokenCrossEntropyIsTheMeanOverPositions() {
        let logits = Tensor(shape: [1, 2, 3], scalars: [0, 0, 0, 0, 0, 0])
        let loss = tokenCrossEntropy(logits: logits, targets: IndexTensor(shape: [1, 2], [0, 2]))
        XCTAssertEqual(loss.item(), log(3), accuracy: 1e-6)
    }

    func testEmbeddingTakesIndexTensors() {
        let e = Embedding(4, 2, generator: RandomGenerator(seed: 1))
        let y = e(IndexTensor(shape: [1, 2], [3, 3]))
        XCTAssertEqual(y.shape, [1, 2, 2])
        XCTAssertEqual(Array(y.scalars[0..<2]), Array(e.weight.scalars[6..<8]))
        y.sum().backward()
        XCTAssertEqual(e.weight.grad!.scalars, [0, 0, 0, 0, 0, 0, 2, 2])
    }
}
