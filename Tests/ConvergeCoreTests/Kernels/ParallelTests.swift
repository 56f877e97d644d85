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

    func testRunCallsEveryIndexOnceOnEveryThreadCount() {
        for threads in [1, 2, 3, 8] {
            for count in [0, 1, 2, 3, 17, 1000] {
                var hits = [Int32](repeating: 0, count: max(count, 1))
                hits.withUnsafeMutableBufferPointer { buffer in
                    let p = buffer.baseAddress!
                    Parallel.run(count, threads: threads) { i in p[i] += 1 }
                }
                XCTAssertTrue(hits.prefix(count).allSatisfy { $0 == 1 }, "threads \(threads), count \(count)")
                XCTAssertEqual(hits.prefix(count).reduce(0, +), Int32(count))
            }
        }
    }

    func testANestedRunRunsInlineInsideTheTask() {
        var inner = [Int32](repeating: 0, count: 4 * 5)
        var insideFlags = [Bool](repeating: false, count: 4)
        inner.withUnsafeMutableBufferPointer { innerBuffer in
        insideFlags.withUnsafeMutableBufferPointer { flagBuffer in
            let p = innerBuffer.baseAddress!, flags = flagBuffer.baseAddress!
            Parallel.run(4, threads: 4) { outer in
                flags[outer] = Parallel.isInsideParallelTask
                Parallel.run(5, threads: 4) { i in p[outer * 5 + i] += 1 }
            }
        }
        }
        XCTAssertTrue(inner.allSatisfy { $0 == 1 })
        XCTAssertTrue(insideFlags.allSatisfy { $0 })
        XCTAssertFalse(Parallel.isInsideParallelTask)
    }

    func testRunsFromSeveralThreadsAtOnceEachCompleteTheirOwnJob() {
        let callers = 4, count = 257, repeats = 200
        let results = UnsafeMutablePointer<Int>.allocate(capacity: callers)
        results.initialize(repeating: 0, count: callers)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: callers) { caller in
            var total = 0
            for _ in 0..<repeats {
                var values = [Int](repeating: 0, count: count)
                values.withUnsafeMutableBufferPointer { buffer in
                    let p = buffer.baseAddress!
                    Parallel.run(count, threads: 2) { i in p[i] = i + caller }
                }
                total += values.reduce(0, +)
            }
            results[caller] = total
        }
        for caller in 0..<callers {
            XCTAssertEqual(results[caller], repeats * (count * (count - 1) / 2 + count * caller), "caller \(caller)")
        }
    }

    func testWorkersFindWorkAfterTheySleep() {
        let saved = Parallel.spinMicroseconds
        defer { Parallel.spinMicroseconds = saved }
        for spin in [0, 5] {
            Parallel.spinMicroseconds = spin
            XCTAssertEqual(Parallel.spinMicroseconds, spin)
            for _ in 0..<20 {
                usleep(300)   // longer than the spin: the worker is asleep when the job comes
                var hits = [Int32](repeating: 0, count: 6)
                hits.withUnsafeMutableBufferPointer { buffer in
                    let p = buffer.baseAddress!
                    Parallel.run(6, threads: 3) { i in p[i] += 1 }
                }
                XCTAssertEqual(hits, [1, 1, 1, 1, 1, 1], "spin \(spin) µs")
            }
        }
    }

    func testTheCallerTakesTheSharesOfAWorkerThatIsHeldUp() {
        // A worker's first index sleeps 50 ms (as if the scheduler kept it off its core); the
        // caller must take every other index meanwhile instead of waiting for its turn.
        let count = 100
        var ranOnCaller = [Int32](repeating: 0, count: count)
        var hits = [Int32](repeating: 0, count: count)
        let caller = pthread_self()
        var workerSlept: Int32 = 0
        hits.withUnsafeMutableBufferPointer { hitBuffer in
            ranOnCaller.withUnsafeMutableBufferPointer { callerBuffer in
                let h = hitBuffer.baseAddress!, c = callerBuffer.baseAddress!
                withUnsafeMutablePointer(to: &workerSlept) { slept in
                    Parallel.run(count, threads: 2) { i in
                        h[i] += 1
                        if pthread_equal(pthread_self(), caller) != 0 {
                            c[i] = 1
                        } else if slept.pointee == 0 {
                            slept.pointee = 1
                            usleep(50_000)
                        }
                    }
                }
            }
        }
        XCTAssertTrue(hits.allSatisfy { $0 == 1 })
        if workerSlept == 1 {   // the worker took part (it may not have woken in time at all)
            XCTAssertGreaterThanOrEqual(ranOnCaller.reduce(0, +), Int32(count - 5))
        } else {
            XCTAssertEqual(ranOnCaller.reduce(0, +), Int32(count))
        }
    }

    func testAvailableCPUsIsWithinTheOnlineCount() {
        XCTAssertGreaterThanOrEqual(Parallel.availableCPUs, 1)
        XCTAssertLessThanOrEqual(Parallel.availableCPUs, ProcessInfo.processInfo.processorCount)
    }

    func testEveryIndexRunsOnceAcrossManyJobsOfEverySize() {
        // Counts above 65535 are cut into groups of indices; thread counts change between jobs, so
        // a worker of one job may arrive late at the next. Two user threads submit at once.
        let counts = [2, 3, 7, 64, 1000, 65_535, 65_536, 200_003]
        DispatchQueue.concurrentPerform(iterations: 2) { submitter in
            for round in 0..<40 {
                let count = counts[(round + submitter) % counts.count]
                let threads = 2 + (round % 3)
                let hits = UnsafeMutablePointer<Int32>.allocate(capacity: count)
                hits.initialize(repeating: 0, count: count)
                Parallel.run(count, threads: threads) { i in hits[i] += 1 }
                var wrong = 0
                for i in 0..<count where hits[i] != 1 { wrong += 1 }
                XCTAssertEqual(wrong, 0, "count \(count), threads \(threads)")
                hits.deallocate()
            }
        }
    }

    func testForChunksGivesEachThreadSeveralConsecutiveChunks() {
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        Parallel.threadCount = 2
        var ranges: [Range<Int>] = []
        let lock = NSLock()
        Parallel.forChunks(1000, threshold: 100) { range in
            lock.lock(); ranges.append(range); lock.unlock()
        }
        ranges.sort { $0.lowerBound < $1.lowerBound }
        XCTAssertEqual(ranges.count, 2 * Parallel.chunksPerThread)
        XCTAssertEqual(ranges.first?.lowerBound, 0)
        XCTAssertEqual(ranges.last?.upperBound, 1000)
        for (a, b) in zip(ranges, ranges.dropFirst()) { XCTAssertEqual(a.upperBound, b.lowerBound) }
    }

    func testAfterSettlingAWorkerTakesPartInAJob() throws {
        guard Parallel.availableCPUs >= 2 else { throw XCTSkip("one CPU: no worker takes part") }
        Parallel.settleWorkers(threads: 2)
        let caller = pthread_self()
        var onWorker = [Bool](repeating: false, count: 2)
        onWorker.withUnsafeMutableBufferPointer { flags in
            let p = flags.baseAddress!
            Parallel.run(2, threads: 2) { i in
                p[i] = pthread_equal(pthread_self(), caller) == 0
                usleep(2_000)   // long enough that the caller cannot take both shares first
            }
        }
        XCTAssertTrue(onWorker.contains(true))
    }
}
