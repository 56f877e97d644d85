import XCTest
@testable import ConvergeCore

final class BatchedGEMMTests: XCTestCase {
    /// Heads of a packed `[B, T, 3E]` buffer multiplied in place equal the same products one at
    /// a time through `Kernels.gemm`, in float32 and in bfloat16.
    func testStridedHeadsMatchOneProductAtATime() {
        let (B, T, H, D) = (3, 7, 2, 5)
        let E = H * D
        let g = RandomGenerator(seed: 1)
        let packed = Tensor.randomNormal([B, T, 3 * E], generator: g)
        let layout = MatrixBatchLayout(inner: H, outerStride: T * 3 * E, innerStride: D, rowStride: 3 * E)
        let scores = MatrixBatchLayout.contiguous(rows: T, columns: T)
        XCTAssertEqual(layout.offset(3), 1 * T * 3 * E + 1 * D)
        for precision in [GEMMPrecision.float32, .bfloat16] {
            Kernels.withGEMMPrecision(precision) {
                let batched = Tensor.zeros([B * H, T, T]), single = Tensor.zeros([B * H, T, T])
                let p = packed.storage.pointer
                Kernels.batchedGEMM(count: B * H, transA: false, transB: true, m: T, n: T, k: D, alpha: 0.5,
                                    a: p, aLayout: layout, b: p + E, bLayout: layout, beta: 0,
                                    c: batched.storage.pointer, cLayout: scores)
                for i in 0..<(B * H) {
                    Kernels.gemm(transA: false, transB: true, m: T, n: T, k: D, alpha: 0.5, a: p + layout.offset(i), lda: 3 * E,
                                 b: p + E + layout.offset(i), ldb: 3 * E, beta: 0, c: single.storage.pointer + i * T * T, ldc: T)
                }
                for (x, y) in zip(batched.scalars, single.scalars) {
                    XCTAssertEqual(x, y, accuracy: 1e-5 * max(1, abs(y)), "\(precision)")
                }
                XCTAssertGreaterThan(batched.scalars.map { abs($0) }.max()!, 0.1)
            }
        }
    }

    func testEveryItemRunsOnceWhateverTheWorkerCount() {
        for parallel in [false, true] {
            var seen = [Int](repeating: 0, count: 37)
            let lock = NSLock()
            Kernels.forEachBatchItem(37, parallel: parallel) { i, worker in
                XCTAssertLessThan(worker, max(1, Kernels.batchWorkerCount))
                lock.lock(); seen[i] += 1; lock.unlock()
            }
            XCTAssertEqual(seen, [Int](repeating: 1, count: 37))
        }
    }
}
