import ConvergeTestSupport
import XCTest
@testable import Converge

final class AvgPoolTests: XCTestCase {
    func testMatchesPyTorch() {
        assertMatchesGolden("avgpool1d", AvgPool1d(kernelSize: 3, stride: 2, padding: 1))
        assertMatchesGolden("avgpool2d", AvgPool2d(kernelSize: 3, stride: 2, padding: 1))
        assertMatchesGolden("avgpool2d_exclude", AvgPool2d(kernelSize: [3, 2], stride: [2, 1], padding: 1, countIncludingPadding: false))
    }

    func testPaddingDivisor() {
        let x = Tensor(shape: [1, 1, 2], scalars: [3, 6])
        XCTAssertEqual(AvgPool1d(kernelSize: 2, stride: 1, padding: 1)(x).scalars, [1.5, 4.5, 3])
        XCTAssertEqual(AvgPool1d(kernelSize: 2, stride: 1, padding: 1, countIncludingPadding: false)(x).scalars, [3, 4.5, 6])
    }

    func testGradientCheck() {
        Random.seed(4)
        let x = Tensor.randomNormal([2, 2, 5, 4], requiresGrad: true)
        assertGradientsMatch(gradientCheck([x]) { t in t[0].avgPool2d(kernelSize: 3, stride: [2, 1], padding: 1) })
        assertGradientsMatch(gradientCheck([x]) { t in t[0].avgPool2d(kernelSize: 2, padding: 1, countIncludingPadding: false) })
        let x1 = Tensor.randomNormal([2, 3, 6], requiresGrad: true)
        assertGradientsMatch(gradientCheck([x1]) { t in t[0].avgPool1d(kernelSize: 3, stride: 2, padding: 1) })
    }
}
