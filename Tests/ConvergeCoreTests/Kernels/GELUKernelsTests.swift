import Foundation
import XCTest
@testable import ConvergeCore

/// The C GELU kernels against the scalar rule (libm's erf and exp) and finite differences, at
/// every vector level.
final class GELUKernelsTests: XCTestCase {
    func testForwardAndBackwardMatchTheScalarRule() {
        let x = VectorMathTests.samples(-10...10, count: 20_000, extra: [0, -0.0, 1e-20, -30, 30])
        var random = SystemRandomNumberGenerator()
        let g = x.map { _ in Float.random(in: -2...2, using: &random) }
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
}
