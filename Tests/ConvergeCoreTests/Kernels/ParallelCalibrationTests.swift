import Foundation
import XCTest
@testable import ConvergeCore

final class ParallelCalibrationTests: XCTestCase {
    /// A measurement gives thresholds that are sizes it measured (4K…4M) or "never".
    func testMeasurementReturnsSaneThresholds() {
        let thresholds = ParallelCalibration.measure(threads: 2, rounds: 2)
        for value in [thresholds.memoryBound, thresholds.elementwise] {
            XCTAssertTrue(value == ParallelCalibration.never || (value >= 1 << 12 && value <= 1 << 22 && value.nonzeroBitCount == 1),
                          "threshold \(value)")
        }
        let timings = ParallelCalibration.probe(.memoryBound, threads: 2, rounds: 2, maxCount: 1 << 14)
        XCTAssertEqual(timings.map(\.count).first, 1 << 12)
        XCTAssertTrue(timings.allSatisfy { $0.serial > 0 && $0.parallel > 0 && $0.serial.isFinite })
    }

    func testThresholdIsFirstOfTwoConsecutiveWins() {
        func t(_ n: Int, _ serial: Double, _ parallel: Double) -> ParallelCalibration.Timing {
            .init(count: n, serial: serial, parallel: parallel)
        }
        // A single win (noise) is not enough; wins must be 10% or more.
        XCTAssertEqual(ParallelCalibration.threshold([t(1, 1, 2), t(2, 2, 1), t(4, 4, 5), t(8, 8, 7.5), t(16, 16, 8)]),
                       ParallelCalibration.never)
        XCTAssertEqual(ParallelCalibration.threshold([t(1, 1, 2), t(2, 2, 1), t(4, 4, 5), t(8, 8, 7.5), t(16, 16, 8), t(32, 32, 16)]), 16)
        XCTAssertEqual(ParallelCalibration.threshold([]), ParallelCalibration.never)
    }

    /// The environment sets both thresholds; a cache file keeps a measurement for the next process.
    func testEnvironmentOverrideAndCache() throws {
        let forced = ParallelCalibration.resolve(environment: ["CONVERGE_PARALLEL_THRESHOLD": "12345"])
        XCTAssertEqual(forced, ParallelThresholds(memoryBound: 12345, elementwise: 12345))

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("converge-parallel-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("parallel.json").path
        let environment = ["CONVERGE_PARALLEL_CACHE": file]
        let first = ParallelCalibration.resolve(environment: environment)
        XCTAssertTrue(FileManager.default.fileExists(atPath: file))
        let second = ParallelCalibration.resolve(environment: environment)
        XCTAssertEqual(first, second)
        XCTAssertEqual(ParallelCalibration.origin, "cache \(file)")
        XCTAssertEqual(ParallelCalibration.cacheFile(environment: ["CONVERGE_PARALLEL_CACHE": "none"]), nil)
    }

    /// Elementwise, broadcast and reduction kernels give the same bits split over threads as on one.
    func testParallelAndSerialResultsAgree() {
        let savedElementwise = Parallel.elementwiseThreshold, savedMemory = Parallel.memoryBoundThreshold
        let savedThreads = Parallel.threadCount
        defer {
            Parallel.elementwiseThreshold = savedElementwise
            Parallel.memoryBoundThreshold = savedMemory
            Parallel.threadCount = savedThreads
        }
        let n = 50_001, columns = 37
        let g = RandomGenerator(seed: 9)
        let a = (0..<n).map { _ in Float(g.nextUniform() * 4 - 2) }
        let b = (0..<n).map { _ in Float(g.nextUniform() * 4 - 2) }
        let row = (0..<columns).map { _ in Float(g.nextUniform()) }
        func compute() -> [[Float]] {
            var results: [[Float]] = []
            var out = [Float](repeating: 0, count: n)
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    out.withUnsafeMutableBufferPointer { po in
                        Kernels.map(pa.baseAddress!, po.baseAddress!, count: n) { Kernels.exp($0) }
                        results.append(Array(po))
                        Kernels.zip(pa.baseAddress!, pb.baseAddress!, po.baseAddress!, count: n) { $0 * $1 + 1 }
                        results.append(Array(po))
                        Kernels.addInPlace(po.baseAddress!, pb.baseAddress!, count: n)
                        results.append(Array(po))
                        let rows = n / columns
                        row.withUnsafeBufferPointer { pr in
                            Kernels.broadcastBinary(AddFunctor.self, pa.baseAddress!, aStrides: [columns, 1], pr.baseAddress!,
                                                    bStrides: [0, 1], po.baseAddress!, shape: [rows, columns])
                        }
                        results.append(Array(po.prefix(rows * columns)))
                        for kind in [ReductionKind.sum, .max, .min] {
                            // Rows (inner 1) and columns (inner > 1).
                            Kernels.reduce(kind, pa.baseAddress!, outer: rows, reduced: columns, inner: 1, po.baseAddress!)
                            results.append(Array(po.prefix(rows)))
                            Kernels.reduce(kind, pa.baseAddress!, outer: 1, reduced: rows, inner: columns, po.baseAddress!)
                            results.append(Array(po.prefix(columns)))
                        }
                    }
                }
            }
            return results
        }
        Parallel.threadCount = 4
        Parallel.elementwiseThreshold = ParallelCalibration.never
        Parallel.memoryBoundThreshold = ParallelCalibration.never
        let serial = compute()
        Parallel.elementwiseThreshold = 0
        Parallel.memoryBoundThreshold = 0
        let parallel = compute()
        XCTAssertEqual(serial.count, parallel.count)
        for (i, (s, p)) in zip(serial, parallel).enumerated() {
            XCTAssertEqual(s.map(\.bitPattern), p.map(\.bitPattern), "kernel \(i)")
        }
    }
}
