import ConvergeTestSupport
import XCTest
@testable import Converge

final class DropoutTests: XCTestCase {
    func testInvertedScalingAndKeepRate() {
        Random.seed(1)
        let layer = Dropout(0.3)
        let x = Tensor.ones([100_000])
        let y = layer(x).scalars
        let kept = y.filter { $0 != 0 }
        XCTAssertTrue(kept.allSatisfy { abs($0 - 1 / 0.7) < 1e-6 })
        XCTAssertEqual(Double(kept.count) / 100_000, 0.7, accuracy: 0.006)
        // The mean is preserved in expectation.
        XCTAssertEqual(y.reduce(0, +) / 100_000, 1, accuracy: 0.01)
    }

    func testEvalIsIdentityAndTrainRestores() {
        let model = Sequential { Linear(4, 4); Dropout(0.5) }
        let x = Tensor.randomNormal([8, 4])
        model.eval()
        let a = model(x), b = model(x)
        XCTAssertEqual(a.scalars, b.scalars)
        XCTAssertEqual(a.scalars, (model[0] as! Linear)(x).scalars)
        model.train()
        XCTAssertTrue(model(x).scalars.contains(0))
    }

    func testSameSeedSameMask() {
        Random.seed(42)
        let first = Dropout(0.5)(Tensor.ones([64])).scalars
        Random.seed(42)
        let second = Dropout(0.5)(Tensor.ones([64])).scalars
        XCTAssertEqual(first, second)
        XCTAssertNotEqual(first, Dropout(0.5)(Tensor.ones([64])).scalars)
    }

    func testMaskMatchesGeneratorStream() {
        // One draw keys the mask; element i is kept as DropoutMask(key:).isKept(i) says.
        let generator = RandomGenerator(seed: 9)
        let reference = RandomGenerator(seed: 9)
        let y = Tensor.ones([7]).dropout(probability: 0.25, generator: generator).scalars
        let mask = DropoutMask(keep: 0.75, key: reference.next())
        XCTAssertEqual(y, (0..<7).map { mask.isKept($0) ? Float(1 / 0.75) : 0 })
        XCTAssertEqual(generator.state, reference.state)
    }

    func testMaskDoesNotDependOnTheThreadSplit() {
        let x = Tensor.ones([50_001])
        let serial = x.dropout(probability: 0.3, generator: RandomGenerator(seed: 4)).scalars
        let saved = Parallel.memoryBoundThreshold
        defer { Parallel.memoryBoundThreshold = saved }
        Parallel.memoryBoundThreshold = 16
        XCTAssertEqual(x.dropout(probability: 0.3, generator: RandomGenerator(seed: 4)).scalars, serial)
    }

    func testGradientUsesTheSameMask() {
        Random.seed(3)
        let x = Tensor.randomNormal([50], requiresGrad: true)
        let y = Dropout(0.4)(x)
        y.sum().backward()
        for (g, (yi, xi)) in zip(x.grad!.scalars, zip(y.scalars, x.scalars)) {
            XCTAssertEqual(g, yi == 0 ? 0 : Float(1 / 0.6), accuracy: 1e-6)
            if yi != 0 { XCTAssertEqual(yi, xi * Float(1 / 0.6), accuracy: 1e-5) }
        }
        let check = gradientCheck([x]) { t in t[0].dropout(probability: 0.4, generator: RandomGenerator(seed: 5)) }
        assertGradientsMatch(check)
    }

    func testProbabilityValidation() {
        XCTAssertThrowsError(try Dropout(validatingProbability: 1)) { error in
            XCTAssertEqual((error as? LayerConfigurationError)?.description, "Dropout: probability must be in [0, 1), got 1.0")
        }
        XCTAssertThrowsError(try Dropout(validatingProbability: -0.1))
        XCTAssertEqual(try Dropout(validatingProbability: 0).probability, 0)
        let x = Tensor.randomNormal([10])
        XCTAssertEqual(Dropout(0)(x).scalars, x.scalars)
    }
}
