import XCTest
@testable import ConvergeCore

final class FallbackGEMMTests: XCTestCase {
    private let transposes = [(false, false), (false, true), (true, false), (true, true)]

    /// Runs `body` with small block sizes (so small products cross every block boundary) and a
    /// low parallel threshold with `threads` workers, restoring the defaults afterwards.
    private func withBlocking(kc: Int, mc: Int, nc: Int, threads: Int, _ body: () -> Void) {
        let saved = (FallbackGEMMBlocking.kc, FallbackGEMMBlocking.mc, FallbackGEMMBlocking.nc,
                     FallbackGEMMBlocking.parallelThreshold, Parallel.threadCount)
        (FallbackGEMMBlocking.kc, FallbackGEMMBlocking.mc, FallbackGEMMBlocking.nc) = (kc, mc, nc)
        FallbackGEMMBlocking.parallelThreshold = 1
        Parallel.threadCount = threads
        defer {
            (FallbackGEMMBlocking.kc, FallbackGEMMBlocking.mc, FallbackGEMMBlocking.nc,
             FallbackGEMMBlocking.parallelThreshold, Parallel.threadCount) = saved
        }
        body()
    }

    func testOddSizesAllTransposes() {
        let shapes = [(1, 1, 1), (1, 7, 33), (7, 1, 65), (33, 65, 1), (65, 33, 7), (130, 7, 33),
                      (7, 130, 65), (33, 33, 130), (6, 8, 256), (12, 16, 257), (5, 9, 3), (2, 3, 4)]
        for (m, n, k) in shapes {
            for (ta, tb) in transposes {
                GEMMCase(transA: ta, transB: tb, m: m, n: n, k: k).check(fallbackGEMMFunction)
            }
        }
    }

    func testAlphaBetaAndStrides() {
        for (alpha, beta) in [(Float(1), Float(1)), (0.5, -0.75), (-2, 0), (1, 2)] {
            for (ta, tb) in transposes {
                GEMMCase(transA: ta, transB: tb, m: 13, n: 19, k: 23, alpha: alpha, beta: beta,
                         padA: 3, padB: 5, padC: 2).check(fallbackGEMMFunction)
            }
        }
    }

    func testEveryBlockBoundaryWithSmallBlocks() {
        // kc 16, mc 12, nc 16: 50×37×41 crosses depth, row and column blocks and partial tiles.
        withBlocking(kc: 16, mc: 12, nc: 16, threads: 3) {
            for (ta, tb) in transposes {
                GEMMCase(transA: ta, transB: tb, m: 50, n: 37, k: 41, alpha: 0.5, beta: -1,
                         padA: 1, padB: 2, padC: 3).check(fallbackGEMMFunction)
                GEMMCase(transA: ta, transB: tb, m: 7, n: 61, k: 33, beta: 0).check(fallbackGEMMFunction)
            }
        }
    }

    func testParallelPathWithDefaultBlocks() {
        // Above the parallel threshold with 2 and 5 workers (more workers than row blocks).
        for threads in [2, 5] {
            let saved = Parallel.threadCount
            Parallel.threadCount = threads
            defer { Parallel.threadCount = saved }
            GEMMCase(m: 97, n: 75, k: 300, beta: 0).check(fallbackGEMMFunction)
            GEMMCase(transA: true, transB: true, m: 9, n: 200, k: 300, alpha: 2, beta: 1, padC: 4).check(fallbackGEMMFunction)
        }
    }

    func testZeroDepthAndZeroAlphaScaleC() {
        for (k, alpha) in [(0, Float(1)), (5, 0)] {
            for beta: Float in [0, 1, -3] {
                GEMMCase(m: 4, n: 3, k: k, alpha: alpha, beta: beta, padC: 1).check(fallbackGEMMFunction)
            }
        }
    }

    func testEmptyOutputWritesNothing() {
        var c: [Float] = [7]
        let a: [Float] = [1], b: [Float] = [2]
        Kernels.fallbackGEMM(transA: false, transB: false, m: 0, n: 1, k: 1, alpha: 1, a: a, lda: 1,
                             b: b, ldb: 1, beta: 0, c: &c, ldc: 1)
        Kernels.fallbackGEMM(transA: false, transB: false, m: 1, n: 0, k: 1, alpha: 1, a: a, lda: 1,
                             b: b, ldb: 1, beta: 0, c: &c, ldc: 1)
        XCTAssertEqual(c, [7])
    }

    func testBetaZeroIgnoresNaNInC() {
        // C starts as NaN (GEMMCase fills it so when beta is 0): no NaN may survive.
        GEMMCase(m: 20, n: 20, k: 20, alpha: 1, beta: 0).check(fallbackGEMMFunction)
    }
}

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
