import ConvergeTestSupport
import XCTest
@testable import Converge

final class AdaptiveAvgPoolTests: XCTestCase {
    func testMatchesPyTorch() {
        assertMatchesGolden("adaptive_avgpool1d", AdaptiveAvgPool1d(4))
        assertMatchesGolden("adaptive_avgpool2d", AdaptiveAvgPool2d([3, 2]))
        assertMatchesGolden("global_avgpool", GlobalAvgPool())
    }

    func testGlobalPoolingShapes() {
        let x = Tensor.randomNormal([2, 3, 4, 5])
        XCTAssertEqual(GlobalAvgPool()(x).shape, [2, 3])
        XCTAssertEqual(GlobalAvgPool(keepingDimensions: true)(x).shape, [2, 3, 1, 1])
        XCTAssertNil(mismatch(AdaptiveAvgPool2d(1)(x).reshaped([2, 3]), x.mean(alongAxes: [2, 3]), rtol: 1e-6))
        XCTAssertEqual(GlobalAvgPool()(Tensor.randomNormal([2, 3, 7])).shape, [2, 3])
    }

    func testGradientCheck() {
        Random.seed(5)
        let x = Tensor.randomNormal([2, 2, 5, 7], requiresGrad: true)
        assertGradientsMatch(gradientCheck([x]) { t in t[0].adaptiveAvgPool2d(outputSize: [3, 4]) })
        assertGradientsMatch(gradientCheck([x]) { t in GlobalAvgPool()(t[0]) })
    }
}
