import XCTest
@testable import Converge

final class FlattenTests: XCTestCase {
    func testFlattensAfterBatchDimension() {
        let x = Tensor.arange(24).reshaped([2, 3, 4])
        XCTAssertEqual(Flatten()(x).shape, [2, 12])
        XCTAssertEqual(Flatten(startAxis: 0, endAxis: 1)(x).shape, [6, 4])
        XCTAssertEqual(Flatten()(x).scalars, x.scalars)
    }

    func testGradientFlowsBack() {
        let x = Tensor.randomNormal([2, 3, 2], requiresGrad: true)
        (Flatten()(x) * Tensor.arange(6)).sum().backward()
        XCTAssertEqual(x.grad?.shape, [2, 3, 2])
        XCTAssertEqual(x.grad?.scalars, [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5])
    }
}

final class FlattenGradientTests: XCTestCase {
    func testGradientCheck() {
        Random.seed(1)
        let x = Tensor.randomNormal([2, 3, 2], requiresGrad: true)
        XCTAssertTrue(gradientCheck([x]) { t in Flatten()(t[0]).tanh() }.passed)
    }
}
