import XCTest
@testable import ConvergeCore

final class SplitGEMMTests: XCTestCase {
    /// C = op(A)·op(B) by the definition, one element at a time in a fixed order.
    private func reference(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                           a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                           c: UnsafeMutablePointer<Float>, ldc: Int) {
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k {
                    sum += (transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j])
                }
                c[i * ldc + j] = sum
            }
        }
    }

    private func withThreads(_ threads: Int, _ body: () throws -> Void) rethrows {
        let saved = Parallel.threadCount
        Parallel.threadCount = threads
        defer { Parallel.threadCount = saved }
        try body()
    }

    func testSplitBlocksGiveTheSameBitsAsTheWholeProduct() {
        // Tall (split by rows) and wide (split by columns) products, every transpose, padded
        // leading dimensions, on 2, 3 and 5 threads.
        for (m, n, k) in [(301, 70, 37), (70, 301, 37), (129, 129, 20)] {
            for transA in [false, true] {
                for transB in [false, true] {
                    let lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 1, ldc = n + 2
                    let a = (0..<((transA ? k : m) * lda)).map { Float(($0 * 37) % 101) / 50 - 1 }
                    let b = (0..<((transB ? n : k) * ldb)).map { Float(($0 * 53) % 97) / 48 - 1 }
                    var expected = [Float](repeating: .nan, count: m * ldc)
                    reference(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: &expected, ldc: ldc)
                    for threads in [2, 3, 5] {
                        var c = [Float](repeating: .nan, count: m * ldc)
                        var blocks = 0
                        let lock = NSLock()
                        withThreads(threads) {
                            XCTAssertGreaterThan(Kernels.splitParts(m: m, n: n, k: k), 1)
                            c.withUnsafeMutableBufferPointer { pc in
                                Kernels.splitGEMM(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda,
                                                  b: b, ldb: ldb, c: pc.baseAddress!, ldc: ldc) { bm, bn, ba, bb, bc in
                                    lock.lock(); blocks += 1; lock.unlock()
                                    reference(transA: transA, transB: transB, m: bm, n: bn, k: k, a: ba, lda: lda,
                                              b: bb, ldb: ldb, c: bc, ldc: ldc)
                                }
                            }
                        }
                        let label = "\(m)×\(n)×\(k) \(transA ? "T" : "N")\(transB ? "T" : "N"), \(threads) threads"
                        XCTAssertEqual(blocks, threads, label)
                        for i in 0..<m {
                            for j in 0..<n where c[i * ldc + j].bitPattern != expected[i * ldc + j].bitPattern {
                                return XCTFail("\(label): C[\(i), \(j)] is \(c[i * ldc + j]), expected \(expected[i * ldc + j])")
                            }
                            // The padding between rows is never written.
                            for j in n..<ldc { XCTAssertTrue(c[i * ldc + j].isNaN, label) }
                        }
                    }
                }
            }
        }
    }

    func testSmallNarrowAndNestedProductsAreNotSplit() {
        withThreads(4) {
            XCTAssertEqual(Kernels.splitParts(m: 63, n: 64, k: 64), 1, "below 64³")
            XCTAssertEqual(Kernels.splitParts(m: 4096, n: 1, k: 64), 4, "tall")
            XCTAssertEqual(Kernels.splitParts(m: 40, n: 8, k: 4096), 2, "only two 16-row blocks")
            XCTAssertEqual(Kernels.splitParts(m: 1024, n: 256, k: 128), 4)
            var nested = 0
            Parallel.run(2, threads: 2) { i in
                if i == 0 { nested = Kernels.splitParts(m: 1024, n: 256, k: 128) }
            }
            XCTAssertEqual(nested, 1, "inside a pool task")
        }
        withThreads(1) { XCTAssertEqual(Kernels.splitParts(m: 1024, n: 256, k: 128), 1) }
    }

    func testLibraryProductsMatchTheUnsplitLibraryProduct() throws {
        // Through the dispatch: the product of whichever library multiplies this class here,
        // split over 3 threads, against the same library on one thread.
        let (m, n, k) = (512, 96, 64)
        let a = (0..<(m * k)).map { Float(($0 * 29) % 89) / 44 - 1 }
        let b = (0..<(k * n)).map { Float(($0 * 31) % 83) / 41 - 1 }
        var whole = [Float](repeating: 0, count: m * n), split = whole
        withThreads(1) { Kernels.gemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n, beta: 0, c: &whole, ldc: n) }
        withThreads(3) { Kernels.gemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n, beta: 0, c: &split, ldc: n) }
        var reference = [Float](repeating: 0, count: m * n)
        self.reference(transA: false, transB: false, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &reference, ldc: n)
        for i in 0..<(m * n) {
            XCTAssertEqual(split[i], reference[i], accuracy: 1e-3 * max(1, abs(reference[i])), "element \(i)")
        }
        let differing = zip(whole, split).filter { $0.bitPattern != $1.bitPattern }.count
        XCTAssertEqual(differing, 0, "split and unsplit products differ in \(differing) elements")
    }
}
