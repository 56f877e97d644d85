import ConvergeTestSupport
import XCTest
@testable import Converge

final class Conv1dTests: XCTestCase {
    func testMatchesPyTorch() {
        assertMatchesGolden("conv1d", Conv1d(4, 6, kernelSize: 3, stride: 2, padding: 1, groups: 2))
        assertMatchesGolden("conv1d_dilated", Conv1d(3, 4, kernelSize: 3, padding: 2, dilation: 2))
    }

    func testShapesAndInitialization() {
        Random.seed(1)
        let conv = Conv1d(1, 8, kernelSize: 5, padding: 2)
        XCTAssertEqual(conv.weight.shape, [8, 1, 5])
        XCTAssertTrue(conv.weight.scalars.allSatisfy { abs($0) <= 1 / Float(5).squareRoot() })
        XCTAssertEqual(conv(Tensor.zeros([3, 1, 40])).shape, [3, 8, 40])
        XCTAssertEqual(Conv1d(2, 2, kernelSize: 3, stride: 2)(Tensor.zeros([1, 2, 9])).shape, [1, 2, 4])
    }

    func testGradientCheck() {
        Random.seed(2)
        let conv = Conv1d(4, 2, kernelSize: 3, stride: 2, padding: 2, dilation: 2, groups: 2)
        let x = Tensor.randomNormal([2, 4, 9], requiresGrad: true)
        assertGradientsMatch(gradientCheck([x, conv.weight, conv.bias!]) { t in conv(t[0]) })
    }
}
