import Foundation
import XCTest
@testable import ConvergeCore

/// The C GELU kernels against the scalar rule (libm's erf and exp) and finite differences, at
/// every vector level.
final class GELUKernelsTests: XCTestCase {
    func testForwardAndBackwardMatchTheScalarRule() {
        let x = VectorMathTests.samples(-10...10, count: 20_000, extra: [0, -0.0, 1e-20, -30, 30])
        let g = VectorMathTests.samples(-2...2, count: 20_000, extra: [1, -1, 0.5, 2, -2])
        VectorISATests.atEachLevel { level in
            var y = [Float](repeating: 0, count: x.count + 1), gx = y
            Kernels.gelu(x, &y, count: x.count)
            Kernels.geluBackward(g, input: x, &gx, count: x.count)
            for i in 0..<x.count {
                let v = Double(x[i])
                let exact = v * 0.5 * (1 + Foundation.erf(v / 2.0.squareRoot()))
                // PyTorch's formula rounds 1 + erf for negative x: allow erf's 2 ulp at 1 on x's scale.
                let tolerance = 4e-7 * Swift.abs(exact) + 1.2e-7 * Swift.abs(v)
                XCTAssertLessThanOrEqual(Swift.abs(Double(y[i]) - exact), tolerance, "\(level): gelu(\(x[i])) = \(y[i]), want \(exact)")
                let reference = GELUOp.gradient(g[i], x[i], 0)
                XCTAssertEqual(gx[i], reference, accuracy: 4e-7 * Swift.max(1, Swift.abs(reference)), "\(level): gelu′ at \(x[i])")
            }
            XCTAssertEqual(y[x.count], 0, "\(level): wrote past the end")
            XCTAssertEqual(y[x.count - 2], 0)
            XCTAssertEqual(y[x.count - 1], 30)
        }
    }

    func testTensorGELUPassesAFiniteDifferenceCheck() {
        VectorISATests.atEachLevel { level in
            let x = Tensor.randomNormal([5, 37], generator: RandomGenerator(seed: 11), requiresGrad: true)
            let r = gradientCheck([x]) { t in t[0].gelu() }
            XCTAssertTrue(r.passed, "\(level): \(r)")
        }
    }

    /// The fused bfloat16 epilogue and backward give the bits of the separate passes (GELU, then
    /// rounding), and keep the pre-activation.
    func testFusedBFloat16PassesMatchTheSeparatePasses() {
        let rows = 5, columns = 37
        let generator = RandomGenerator(seed: 13)
        let c = Tensor.randomNormal([rows, columns], std: 3, generator: generator).scalars
        let bias = Tensor.randomNormal([columns], generator: generator).scalars
        let g = Tensor.randomNormal([rows, columns], generator: generator).scalars
        VectorISATests.atEachLevel { level in
            var z = [Float](repeating: 0, count: c.count)
            for r in 0..<rows { for j in 0..<columns { z[r * columns + j] = c[r * columns + j] + bias[j] } }
            var y = [Float](repeating: 0, count: c.count), gz = y
            Kernels.gelu(z, &y, count: z.count)
            Kernels.geluBackward(g, input: z, &gz, count: z.count)
            var pre = [Float](repeating: 0, count: c.count)
            var out = [UInt16](repeating: 0, count: c.count + 1), gout = out
            Kernels.biasGELUToBFloat16(c, bias: bias, rows: rows, columns: columns, preActivation: &pre, into: &out)
            Kernels.geluBackwardToBFloat16(g, input: z, into: &gout, count: z.count)
            XCTAssertEqual(pre, z, "\(level)")
            XCTAssertEqual(Array(out.prefix(c.count)), y.map(Kernels.bfloat16Bits), "\(level)")
            XCTAssertEqual(Array(gout.prefix(c.count)), gz.map(Kernels.bfloat16Bits), "\(level)")
            XCTAssertEqual(out[c.count], 0, "\(level): wrote past the end")
            var plain = [UInt16](repeating: 0, count: c.count)
            Kernels.biasGELUToBFloat16(c, bias: nil, rows: rows, columns: columns, preActivation: nil, into: &plain)
            var yc = [Float](repeating: 0, count: c.count)
            Kernels.gelu(c, &yc, count: c.count)
            XCTAssertEqual(plain, yc.map(Kernels.bfloat16Bits), "\(level) without bias")
        }
    }

    /// Split over the cores (threshold 0) or not, the kernels give the same bits.
    func testResultsDoNotDependOnTheSplit() {
        let x = VectorMathTests.samples(-6...6, count: 5_000, extra: [])
        func run(threshold: Int) -> [[Float]] {
            let saved = Parallel.elementwiseThreshold
            Parallel.elementwiseThreshold = threshold
            defer { Parallel.elementwiseThreshold = saved }
            var y = [Float](repeating: 0, count: x.count), gx = y, e = y, s = y
            Kernels.gelu(x, &y, count: x.count)
            Kernels.geluBackward(y, input: x, &gx, count: x.count)
            Kernels.exp(x, &e, count: x.count)
            let t = Tensor(shape: [100, 100], scalars: Array(x.prefix(10_000))).softmax(alongAxis: -1)
            s = t.scalars
            return [y, gx, e, s]
        }
        XCTAssertEqual(run(threshold: 0), run(threshold: 1 << 40))
    }
}
