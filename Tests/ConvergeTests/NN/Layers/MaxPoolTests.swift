import ConvergeTestSupport
import XCTest
@testable import Converge

final class MaxPoolTests: XCTestCase {
    func testMatchesPyTorch() {
        assertMatchesGolden("maxpool1d", MaxPool1d(kernelSize: 3, stride: 2, padding: 1))
        assertMatchesGolden("maxpool2d", MaxPool2d(kernelSize: 3, stride: 2, padding: 1))
        assertMatchesGolden("maxpool2d_dilated", MaxPool2d(kernelSize: [2, 3], stride: 1, dilation: 2))
    }

    func testPaddingNeverWinsAndTiesGoToFirst() {
        // All-negative input: padded positions must not contribute zeros.
        let x = Tensor(shape: [1, 1, 3], scalars: [-3, -2, -5], requiresGrad: true)
        let y = MaxPool1d(kernelSize: 2, stride: 1, padding: 1)(x)
        XCTAssertEqual(y.scalars, [-3, -2, -2, -5])
        let tie = Tensor(shape: [1, 1, 2, 2], scalars: [1, 1, 1, 1], requiresGrad: true)
        MaxPool2d(kernelSize: 2)(tie).sum().backward()
        XCTAssertEqual(tie.grad?.scalars, [1, 0, 0, 0])
    }

    func testGradientCheck() {
        Random.seed(3)
        // Distinct values keep the maxima away from ties.
        let x = Tensor(shape: [2, 2, 5, 5], scalars: (0..<100).map { Float(($0 * 37) % 100) / 10 }, requiresGrad: true)
        assertGradientsMatch(gradientCheck([x]) { t in t[0].maxPool2d(kernelSize: 3, stride: 2, padding: 1) })
        let x1 = Tensor(shape: [2, 2, 7], scalars: (0..<28).map { Float(($0 * 11) % 28) / 5 }, requiresGrad: true)
        assertGradientsMatch(gradientCheck([x1]) { t in t[0].maxPool1d(kernelSize: 3, stride: 2, padding: 1, dilation: 2) })
    }
}
