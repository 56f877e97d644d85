import Foundation
import XCTest
@testable import ConvergeCore

final class GELUKernelTests: XCTestCase {
    private let inputs: [Float] = stride(from: -12, through: 12, by: 0.0137).map { Float($0) }
        + [0, -0, 1e-20, -1e-20, 1e-4, -1e-4, 30, -30, 80, 88.7, -88.7, 100, .infinity]

    /// GELU against `x · ½ erfc(−x/√2)` in double precision: within 4·10⁻⁷·(1 + x²) relative
    /// (rounding `x²` to float costs about x²·6·10⁻⁸ in the tail's exponential), or 10⁻³⁰
    /// absolute where the value underflows.
    private func tolerance(_ x: Float) -> Double { 4e-7 * (1 + Double(x) * Double(x)) }

    func testMatchesDoublePrecisionReference() {
        var out = [Float](repeating: 0, count: inputs.count)
        Kernels.gelu(inputs, &out, count: inputs.count)
        for (x, y) in zip(inputs, out) {
            let reference = Double(x) * 0.5 * Foundation.erfc(-Double(x) / 2.0.squareRoot())
            if x.isInfinite { XCTAssertEqual(y, x); continue }
            XCTAssertLessThanOrEqual(abs(Double(y) - reference), max(tolerance(x) * abs(reference), 1e-30), "GELU(\(x)) = \(y), expected \(reference)")
        }
    }

    func testDerivativeMatchesDoublePrecisionReference() {
        let g = inputs.indices.map { Float(1 + $0 % 3) }
        var out = [Float](repeating: 0, count: inputs.count)
        Kernels.geluBackward(g, preActivation: inputs, &out, count: inputs.count)
        for ((x, gi), y) in zip(zip(inputs, g), out) where x.isFinite {
            let xd = Double(x)
            let cdf = 0.5 * Foundation.erfc(-xd / 2.0.squareRoot()), density = Foundation.exp(-0.5 * xd * xd) / (2 * Double.pi).squareRoot()
            let reference = Double(gi) * (cdf + xd * density)
            // Relative to the terms' magnitudes: the sum cancels near x ≈ −0.75.
            let scale = Double(gi) * (cdf + abs(xd) * density)
            XCTAssertLessThanOrEqual(abs(Double(y) - reference), max(tolerance(x) * scale, 1e-30), "GELU'(\(x))·\(gi) = \(y), expected \(reference)")
        }
    }

    func testExpIsAccurateAndHandlesTheEnds() {
        for x in stride(from: Float(-87), through: 88, by: 0.173) {
            let e = Kernels.vectorExp(x), reference = Foundation.exp(Double(x))
            XCTAssertLessThanOrEqual(abs(Double(e) - reference) / reference, 5e-7, "exp(\(x))")
        }
        XCTAssertTrue(Kernels.vectorExp(.nan).isNaN)
        XCTAssertEqual(Kernels.vectorExp(1000), Kernels.vectorExp(88.72283))
        XCTAssertLessThan(Kernels.vectorExp(-1000), 2e-38)
        XCTAssertTrue(Kernels.vectorExp(88.72283).isFinite)
    }

    func testNaNPropagates() {
        var out: [Float] = [0, 0]
        Kernels.gelu([.nan, 1], &out, count: 2)
        XCTAssertTrue(out[0].isNaN)
        XCTAssertEqual(out[1], 0.8413447, accuracy: 1e-6)
    }
}
