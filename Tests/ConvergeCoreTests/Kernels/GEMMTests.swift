import XCTest
@testable import ConvergeCore

final class GEMMTests: XCTestCase {
    func testDispatchedGEMMMatchesReference() {
        for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
            GEMMCase(transA: ta, transB: tb, m: 33, n: 65, k: 7, alpha: 1, beta: 0).check(dispatchedGEMMFunction)
            GEMMCase(transA: ta, transB: tb, m: 17, n: 5, k: 130, alpha: -0.5, beta: 0.25,
                     padA: 2, padB: 1, padC: 3).check(dispatchedGEMMFunction)
        }
    }

    func testZeroDepthScalesC() {
        for beta: Float in [0, 1, 0.5] {
            GEMMCase(m: 3, n: 4, k: 0, beta: beta, padC: 2).check(dispatchedGEMMFunction)
        }
    }

    func testMatmulUsesGEMM() {
        let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3, 2], scalars: [7, 8, 9, 10, 11, 12])
        XCTAssertEqual(a.matmul(b).scalars, [58, 64, 139, 154])
    }
}
