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

    /// Windows without padding or dilation (the unpadded fast path), overlapping or not, pick
    /// what a brute-force search picks: the first maximum in window order, and the first NaN.
    func testUnpaddedWindowsMatchBruteForce() {
        let h = 7, w = 6
        var values = (0..<(2 * 3 * h * w)).map { Float(($0 * 29) % 11) }   // many ties
        values[17] = .nan
        for (kernel, stride) in [(Size2D(3, 2), Size2D(2, 2)), (Size2D(2, 3), Size2D(1, 1))] {
            let x = Tensor(shape: [2, 3, h, w], scalars: values, requiresGrad: true)
            let y = x.maxPool2d(kernelSize: kernel, stride: stride)
            y.sum().backward()
            let oh = (h - kernel.height) / stride.height + 1, ow = (w - kernel.width) / stride.width + 1
            XCTAssertEqual(y.shape, [2, 3, oh, ow])
            var expectedGrad = [Float](repeating: 0, count: values.count)
            for p in 0..<6 {
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        var best = -Float.infinity, index = -1
                        search: for i in 0..<kernel.height {
                            for j in 0..<kernel.width {
                                let k = p * h * w + (oy * stride.height + i) * w + ox * stride.width + j
                                if index < 0 || values[k] > best || values[k].isNaN {
                                    best = values[k]
                                    index = k
                                    if best.isNaN { break search }
                                }
                            }
                        }
                        let got = y.scalars[(p * oh + oy) * ow + ox]
                        XCTAssertTrue(got == best || (got.isNaN && best.isNaN), "plane \(p) (\(oy), \(ox)): \(got) vs \(best)")
                        expectedGrad[index] += 1
                    }
                }
            }
            XCTAssertEqual(x.grad!.scalars, expectedGrad, "kernel \(kernel) stride \(stride)")
        }
    }
}
