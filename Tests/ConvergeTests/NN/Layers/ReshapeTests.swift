import XCTest
@testable import Converge

final class ReshapeTests: XCTestCase {
    func testReshapesEachSample() {
        let x = Tensor.arange(80).reshaped([2, 40])
        XCTAssertEqual(Reshape([1, 40])(x).shape, [2, 1, 40])
        XCTAssertEqual(Reshape([4, -1])(x).shape, [2, 4, 10])
        XCTAssertEqual(Reshape([1, 40])(x).scalars, x.scalars)
    }

    func testFeedsAConvolution() {
        // The recipe pattern {reshape: [1, 40]} then conv1d.
        let model = Sequential { Reshape([1, 40]); Conv1d(1, 4, kernelSize: 5, padding: 2); Flatten() }
        let x = Tensor.randomNormal([3, 40], requiresGrad: true)
        let y = model(x)
        XCTAssertEqual(y.shape, [3, 160])
        y.sum().backward()
        XCTAssertEqual(x.grad?.shape, [3, 40])
    }
}

final class ReshapeGradientTests: XCTestCase {
    func testGradientCheck() {
        Random.seed(1)
        let x = Tensor.randomNormal([2, 6], requiresGrad: true)
        XCTAssertTrue(gradientCheck([x]) { t in Reshape([3, 2])(t[0]).tanh() }.passed)
    }
}
