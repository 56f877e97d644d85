import XCTest
@testable import ConvergeCore

final class FallbackGEMVTests: XCTestCase {
    func testSingleRowAndSingleColumnAllTransposesAndStrides() {
        for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
            for (m, n, k) in [(1, 1, 1), (1, 1, 37), (1, 29, 17), (1, 8, 16), (23, 1, 19), (16, 1, 8), (1, 3, 1)] {
                GEMMCase(transA: ta, transB: tb, m: m, n: n, k: k).check(fallbackGEMMFunction)
                GEMMCase(transA: ta, transB: tb, m: m, n: n, k: k, alpha: -1.5, beta: 0.5,
                         padA: 2, padB: 3, padC: 1).check(fallbackGEMMFunction)
            }
        }
    }

    func testDotAndAddScaledTails() {
        for count in [0, 1, 7, 8, 9, 16, 17, 31, 33] {
            let x = GEMMCase.values(count, seed: 3), y = GEMMCase.values(count, seed: 4)
            let expected = zip(x, y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            XCTAssertEqual(Double(FallbackGEMV.dot(x, y, count: count)), expected, accuracy: 1e-5, "count \(count)")
            var z = y
            FallbackGEMV.addScaled(2, x, to: &z, count: count)
            for j in 0..<count { XCTAssertEqual(z[j], y[j] + 2 * x[j], accuracy: 1e-6) }
        }
    }
}
