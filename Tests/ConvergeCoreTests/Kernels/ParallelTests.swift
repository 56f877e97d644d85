import XCTest
@testable import ConvergeCore

final class ParallelTests: XCTestCase {
    func testForChunksCoversEveryIndexOnce() {
        for count in [0, 1, 5, 1000, 100_003] {
            var hits = [Int32](repeating: 0, count: count)
            hits.withUnsafeMutableBufferPointer { buffer in
                let p = buffer.baseAddress
                Parallel.forChunks(count, threshold: 1) { range in
                    for i in range { p![i] += 1 }
                }
            }
            XCTAssertTrue(hits.allSatisfy { $0 == 1 }, "count \(count)")
        }
    }

    func testForWorkersRunsEachWorkerOnce() {
        for workers in [0, 1, 2, 7] {
            var hits = [Int32](repeating: 0, count: max(workers, 1))
            hits.withUnsafeMutableBufferPointer { buffer in
                let p = buffer.baseAddress!
                Parallel.forWorkers(workers) { w in p[w] += 1 }
            }
            XCTAssertEqual(hits.reduce(0, +), Int32(workers))
            XCTAssertTrue(hits.prefix(workers).allSatisfy { $0 == 1 })
        }
    }
}
