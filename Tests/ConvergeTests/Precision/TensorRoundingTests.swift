import XCTest
@testable import Converge
import ConvergeTestSupport

final class TensorRoundingTests: XCTestCase {
    func testForwardMatchesTorchAndSetsDType() throws {
        let golden = try Golden("precision", bundle: .module)
        let x = golden.tensor("rounding/input")
        for dtype in [DType.float16, .bfloat16] {
            let y = x.rounded(to: dtype)
            XCTAssertEqual(y.dtype, dtype)
            XCTAssertEqual(y.shape, x.shape)
            DTypeRoundingTests.sameBits(y.scalars, golden.floats("rounding/\(dtype.rawValue)"))
        }
        XCTAssertEqual(x.dtype, .float32, "the input is not changed")
        XCTAssertTrue(x.rounded(to: .float32) === x)
    }

    /// The gradient passes straight through, rounded to the same type: torch's gradient of
    /// `x.half().float()` (a finite-difference check does not apply to this staircase function).
    func testGradientMatchesTorch() throws {
        let golden = try Golden("precision", bundle: .module)
        let upstream = golden.tensor("gradient/upstream")
        for dtype in [DType.float16, .bfloat16] {
            let x = golden.tensor("gradient/input")
            x.requiresGrad = true
            (x.rounded(to: dtype) * upstream).sum().backward()
            let grad = try XCTUnwrap(x.grad)
            DTypeRoundingTests.sameBits(grad.scalars, golden.floats("gradient/\(dtype.rawValue)"))
            XCTAssertNotEqual(grad.scalars, upstream.scalars, "\(dtype): the gradient is rounded")
        }
    }

    func testRoundingInsideACompositeGraph() {
        let w = Tensor([0.1, 0.2, 0.3], requiresGrad: true)
        let loss = (w.rounded(to: .bfloat16) * Tensor([2, 2, 2])).sum()
        XCTAssertEqual(loss.item(), 2 * (DType.bfloat16.round(0.1) + DType.bfloat16.round(0.2) + DType.bfloat16.round(0.3)), accuracy: 1e-6)
        loss.backward()
        XCTAssertEqual(w.grad?.scalars, [2, 2, 2])
    }
}
