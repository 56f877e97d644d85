import ConvergeTestSupport
import XCTest
@testable import Converge

final class Conv2dTests: XCTestCase {
    func testMatchesPyTorch() {
        assertMatchesGolden("conv2d", Conv2d(3, 4, kernelSize: 3, padding: 1))
        assertMatchesGolden("conv2d_strided", Conv2d(4, 6, kernelSize: [3, 2], stride: [2, 1], padding: [1, 0],
                                                     dilation: [1, 2], groups: 2))
        assertMatchesGolden("conv2d_pointwise", Conv2d(4, 3, kernelSize: 1, bias: false))
        assertMatchesGolden("conv2d_depthwise", Conv2d(4, 8, kernelSize: 3, stride: 2, padding: 1, groups: 4))
    }

    func testDefaultInitializationAndShapes() {
        Random.seed(1)
        let conv = Conv2d(4, 6, kernelSize: [3, 5], groups: 2)
        XCTAssertEqual(conv.weight.shape, [6, 2, 3, 5])
        XCTAssertEqual(conv.bias?.shape, [6])
        let bound = 1 / Float(2 * 3 * 5).squareRoot()
        XCTAssertTrue(conv.weight.scalars.allSatisfy { abs($0) <= bound })
        XCTAssertTrue(conv.weight.scalars.contains { abs($0) > bound * 0.8 })
        XCTAssertTrue(conv.bias!.scalars.allSatisfy { abs($0) <= bound })
        XCTAssertEqual(conv(Tensor.zeros([2, 4, 10, 11])).shape, [2, 6, 8, 7])
        XCTAssertEqual(Conv2d(3, 2, kernelSize: 3, stride: 2, padding: 1)(Tensor.zeros([1, 3, 7, 8])).shape, [1, 2, 4, 4])
    }

    func testGradientCheck() {
        Random.seed(2)
        let conv = Conv2d(4, 4, kernelSize: [3, 2], stride: [2, 1], padding: 1, dilation: [1, 2], groups: 2)
        let x = Tensor.randomNormal([2, 4, 5, 5], requiresGrad: true)
        assertGradientsMatch(gradientCheck([x, conv.weight, conv.bias!]) { t in conv(t[0]) })
    }

    func testPointwiseGradientCheck() {
        Random.seed(3)
        let conv = Conv2d(3, 2, kernelSize: 1)
        let x = Tensor.randomNormal([2, 3, 3, 2], requiresGrad: true)
        assertGradientsMatch(gradientCheck([x, conv.weight, conv.bias!]) { t in conv(t[0]) })
    }

    func testMatchesDirectSum() {
        // One output element computed by hand: out[0, 1, 1, 2] with padding 1.
        Random.seed(4)
        let conv = Conv2d(2, 3, kernelSize: 3, padding: 1)
        let x = Tensor.randomNormal([1, 2, 4, 5])
        let y = conv(x)
        var expected = conv.bias!.scalars[1]
        let w = conv.weight.scalars, xs = x.scalars
        for c in 0..<2 { for i in 0..<3 { for j in 0..<3 {
            let yy = 1 - 1 + i, xx = 2 - 1 + j
            if yy >= 0 && yy < 4 && xx >= 0 && xx < 5 { expected += w[((1 * 2 + c) * 3 + i) * 3 + j] * xs[(c * 4 + yy) * 5 + xx] }
        } } }
        XCTAssertEqual(y.scalars[(1 * 4 + 1) * 5 + 2], expected, accuracy: 1e-5)
    }

    /// Several samples share one product (the batched path) and give what one sample at a time
    /// gives (the per-sample path), forward and backward, with groups, stride and padding.
    func testBatchedProductsMatchOneSampleAtATime() {
        Random.seed(5)
        let conv = Conv2d(4, 6, kernelSize: 3, stride: [1, 2], padding: 1, groups: 2)
        let x = Tensor.randomNormal([5, 4, 6, 7], requiresGrad: true)
        XCTAssertGreaterThan(ConvolutionGeometry(batch: 5, inChannels: 4, height: 6, width: 7, outChannels: 6, kernelHeight: 3,
                                                 kernelWidth: 3, stride: [1, 2], padding: 1, dilation: 1, groups: 2).samplesPerProduct, 1)
        let y = conv(x)
        (y * y).sum().backward()
        let batchedWeightGrad = conv.weight.grad!.scalars, batchedBiasGrad = conv.bias!.grad!.scalars
        let batchedInputGrad = x.grad!.scalars
        conv.weight.grad = nil
        conv.bias!.grad = nil
        var outputs: [Float] = [], inputGrads: [Float] = []
        for n in 0..<5 {
            let sample = Tensor(shape: [1, 4, 6, 7], scalars: Array(x.scalars[(n * 168)..<((n + 1) * 168)]), requiresGrad: true)
            let ys = conv(sample)
            (ys * ys).sum().backward()
            outputs += ys.scalars
            inputGrads += sample.grad!.scalars
        }
        for (a, b) in zip(y.scalars, outputs) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        for (a, b) in zip(batchedInputGrad, inputGrads) { XCTAssertEqual(a, b, accuracy: 1e-4) }
        for (a, b) in zip(batchedWeightGrad, conv.weight.grad!.scalars) { XCTAssertEqual(a, b, accuracy: 1e-3 * max(1, abs(b))) }
        for (a, b) in zip(batchedBiasGrad, conv.bias!.grad!.scalars) { XCTAssertEqual(a, b, accuracy: 1e-3 * max(1, abs(b))) }
    }
}
