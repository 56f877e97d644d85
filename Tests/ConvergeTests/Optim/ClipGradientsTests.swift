import ConvergeTestSupport
import XCTest
@testable import Converge

final class GradientClippingTests: XCTestCase {
    private func parametersWithGoldenGradients() -> [Tensor] {
        (0..<3).map { i in
            let g = OptimGolden.golden.tensor("clip/grads/\(i)")
            let p = Tensor.zeros(g.shape, requiresGrad: true)
            p.grad = g
            return p
        }
    }

    /// clip_grad_norm_ for norm types 2, 1, ∞ and 3, clipping and not clipping.
    func testClipGradNormMatchesPyTorch() {
        for label in ["l2", "l2_no_clip", "l1", "inf", "l3"] {
            let params = parametersWithGoldenGradients()
            let typeValue = OptimGolden.golden.lookup("clip/\(label)/norm_type")
            let normType = (typeValue as? String) == "inf" ? Double.infinity : OptimGolden.golden.number("clip/\(label)/norm_type")
            let total = clipGradNorm(params, maxNorm: OptimGolden.golden.number("clip/\(label)/max_norm"), normType: normType)
            let expected = OptimGolden.golden.number("clip/\(label)/total_norm")
            XCTAssertEqual(total, expected, accuracy: 1e-6 * expected, label)
            for (i, p) in params.enumerated() {
                XCTAssertNil(mismatch(p.grad!, OptimGolden.golden.tensor("clip/\(label)/clipped/\(i)"), rtol: 1e-6, atol: 1e-8), "\(label) \(i)")
            }
        }
    }

    func testClippedNormIsJustBelowMaximum() {
        let params = parametersWithGoldenGradients()
        let before = clipGradNorm(params, maxNorm: 1)
        XCTAssertGreaterThan(before, 1)
        let after = gradNorm(params)
        XCTAssertLessThan(after, 1)
        XCTAssertEqual(after, 1 * before / (before + 1e-6), accuracy: 1e-6)
    }

    func testNonFiniteNormIsReported() {
        let a = Tensor.zeros([2], requiresGrad: true), b = Tensor.zeros([2], requiresGrad: true)
        a.grad = Tensor([1, .infinity]); b.grad = Tensor([1, 2])
        XCTAssertEqual(clipGradNorm([a, b], maxNorm: 1), .infinity)
        // As in PyTorch the coefficient is 1/(∞) = 0: finite gradients become 0, ∞ becomes NaN.
        XCTAssertEqual(b.grad!.scalars, [0, 0])
        XCTAssertTrue(a.grad!.scalars[1].isNaN)
        a.grad = Tensor([1, .nan]); b.grad = Tensor([1, 2])
        XCTAssertTrue(clipGradNorm([a, b], maxNorm: 1).isNaN)
        XCTAssertTrue(b.grad!.scalars.allSatisfy { $0.isNaN })
    }

    func testNoGradientsGiveZeroNorm() {
        let p = Tensor.zeros([3], requiresGrad: true)
        XCTAssertEqual(clipGradNorm([p], maxNorm: 1), 0)
        XCTAssertNil(p.grad)
    }

    func testClipGradValueMatchesPyTorch() {
        let params = parametersWithGoldenGradients()
        clipGradValue(params, clipValue: OptimGolden.golden.number("clip/value/clip_value"))
        for (i, p) in params.enumerated() {
            XCTAssertNil(mismatch(p.grad!, OptimGolden.golden.tensor("clip/value/clipped/\(i)"), rtol: 0, atol: 0), "\(i)")
        }
        let q = Tensor.zeros([3], requiresGrad: true)
        q.grad = Tensor([.nan, -9, 0.5])
        clipGradValue([q], clipValue: 1)
        XCTAssertTrue(q.grad!.scalars[0].isNaN)
        XCTAssertEqual(Array(q.grad!.scalars[1...]), [-1, 0.5])
    }
}
