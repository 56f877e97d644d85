import Foundation
import XCTest
@testable import ConvergeCore

/// The C kernels' exp and erf against the correctly rounded values (double precision rounded
/// once), at every vector level: within the error their comments state.
final class VectorMathTests: XCTestCase {
    /// Distance in units in the last place of the float nearest to `exact`.
    static func ulps(_ got: Float, _ exact: Double) -> Double {
        if exact.isNaN { return got.isNaN ? 0 : .infinity }
        let rounded = Float(exact)
        if rounded.isInfinite { return got == rounded ? 0 : .infinity }
        let spacing = rounded == 0 ? Double(Float.leastNonzeroMagnitude) : Double(rounded.magnitude.nextUp) - Double(rounded.magnitude)
        return Swift.abs(Double(got) - exact) / spacing
    }

    /// Values over `range` (evenly spread and seeded random) plus the edges.
    static func samples(_ range: ClosedRange<Float>, count: Int, extra: [Float]) -> [Float] {
        let generator = RandomGenerator(seed: 17)
        let width = range.upperBound - range.lowerBound
        var v = (0..<count).map { i in range.lowerBound + width * Float(i) / Float(count - 1) }
        for _ in 0..<count { v.append(range.lowerBound + width * Float(generator.next() >> 40) / Float(1 << 24)) }
        return v + extra
    }

    /// The exhaustive measurement (every float in range, in the kernel's comment) found at most
    /// 1.01 ulp; the test allows 1.5.
    func testExpIsWithinItsStatedErrorAndKeepsSpecialValues() {
        let x = Self.samples(-110...95, count: 50_000,
                             extra: [0, -0.0, 1, -1, 88.72, 88.73, -103.9, -104, -87.3, 1e-8, -1e-8, .infinity, -.infinity, .nan])
        VectorISATests.atEachLevel { level in
            var y = [Float](repeating: 7, count: x.count + 1)
            Kernels.exp(x, &y, count: x.count)
            var worst = 0.0
            for i in 0..<x.count { worst = Swift.max(worst, Self.ulps(y[i], Foundation.exp(Double(x[i])))) }
            XCTAssertLessThanOrEqual(worst, 1.5, "\(level): exp off by \(worst) ulp")
            XCTAssertEqual(y[x.count], 7, "\(level): wrote past the end")
            XCTAssertEqual(y[x.count - 3], .infinity)
            XCTAssertEqual(y[x.count - 2], 0)
            XCTAssertTrue(y[x.count - 1].isNaN)
        }
    }

    /// The exhaustive measurement found at most 2.04 ulp; the test allows 2.5.
    func testErfIsWithinItsStatedErrorAndKeepsSpecialValues() {
        let x = Self.samples(-6...6, count: 50_000, extra: [0, -0.0, 3.9999998, 4, -4, 1e-30, -1e-30, .leastNonzeroMagnitude,
                                                           .infinity, -.infinity, .nan])
        VectorISATests.atEachLevel { level in
            for count in [0, 1, 15, 16, 17, x.count] {   // every tail shape
                var y = [Float](repeating: 7, count: count + 1)
                Kernels.erf(x, &y, count: count)
                var worst = 0.0
                for i in 0..<count { worst = Swift.max(worst, Self.ulps(y[i], Foundation.erf(Double(x[i])))) }
                XCTAssertLessThanOrEqual(worst, 2.5, "\(level): erf off by \(worst) ulp (\(count) values)")
                XCTAssertEqual(y[count], 7, "\(level): wrote past \(count) values")
                if count == x.count {
                    XCTAssertEqual(y[count - 10].bitPattern, (-0.0 as Float).bitPattern, "\(level): erf(−0) is −0")
                    XCTAssertEqual(Array(y[(count - 3)..<(count - 1)]), [1, -1])
                    XCTAssertTrue(y[count - 1].isNaN)
                }
            }
        }
    }

    func testVectorAndPortableVersionsAgree() throws {
        guard Kernels.supportedVectorISA >= .avx512 else { throw XCTSkip("no AVX-512 here") }
        let x = Self.samples(-8...8, count: 20_000, extra: [])
        var results: [[Float]] = []
        VectorISATests.atEachLevel { _ in
            var e = [Float](repeating: 0, count: x.count), y = e
            Kernels.erf(x, &e, count: x.count)
            Kernels.exp(x, &y, count: x.count)
            results.append(e + y)
        }
        for (a, b) in zip(results.first!, results.last!) {
            XCTAssertLessThanOrEqual(Swift.abs(a - b), 2 * a.magnitude.ulp, "\(a) vs \(b)")
        }
    }
}
