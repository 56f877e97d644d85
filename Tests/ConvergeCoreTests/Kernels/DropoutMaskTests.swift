import XCTest
@testable import ConvergeCore

/// The counter-based dropout stream (`cv_dropout.c`) against a scalar Swift reference of its
/// documented definition, at every vector level.
final class DropoutMaskTests: XCTestCase {
    /// SplitMix64 at counter `k + 1` from `key`, written out as documented.
    private func pairBits(_ key: UInt64, _ k: UInt64) -> UInt64 {
        var z = key &+ (k &+ 1) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private func referenceFactors(_ mask: DropoutMask, count: Int, first: Int) -> [Float] {
        let threshold = UInt64((mask.keep * 4_294_967_296).rounded(.down))
        return (first..<(first + count)).map { i in
            let bits = pairBits(mask.key, UInt64(i / 2))
            let value = i % 2 == 0 ? bits & 0xFFFF_FFFF : bits >> 32
            return value < threshold ? Float(1 / mask.keep) : 0
        }
    }

    func testStreamIsSplitMix64AtConsecutiveCounters() {
        // SplitMix64 seeded with 0: its first outputs are the published test values.
        XCTAssertEqual(pairBits(0, 0), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(pairBits(0, 1), 0x6E78_9E6A_A1B9_65F4)
        let mask = DropoutMask(keep: 0.75, key: 0)
        XCTAssertEqual(mask.isKept(0), 0x7B1D_CDAF < 3_221_225_472)
        XCTAssertEqual(mask.isKept(1), 0xE220_A839 < 3_221_225_472)
        XCTAssertEqual(mask.scale, Float(1 / 0.75))
    }

    func testFillAndApplyMatchTheReferenceAtEveryLevelAndOffset() {
        let mask = DropoutMask(keep: 0.7, key: 0x1234_5678_9ABC_DEF0)
        let x = (0..<200).map { Float($0) * 0.25 - 20 }
        VectorISATests.atEachLevel { level in
            // Whole vectors, every tail shape, and odd and even starting elements.
            for count in [0, 1, 2, 15, 16, 17, 31, 33, 200] {
                for first in [0, 1, 2, 7, 1_000_001] {
                    let expected = referenceFactors(mask, count: count, first: first)
                    var out = [Float](repeating: 42, count: count + 1)
                    mask.fill(&out, count: count, first: first)
                    XCTAssertEqual(Array(out.prefix(count)), expected, "\(level) count \(count) first \(first)")
                    XCTAssertEqual(out[count], 42, "\(level) wrote past \(count) values")
                    var y = [Float](repeating: 42, count: count + 1)
                    mask.apply(x, &y, count: count, first: first)
                    XCTAssertEqual(Array(y.prefix(count)), zip(x, expected).map { $0 * $1 }, "\(level) apply count \(count)")
                    XCTAssertEqual(y[count], 42)
                }
            }
        }
    }

    func testKeepRateAndEdgeProbabilities() {
        let count = 100_000
        var out = [Float](repeating: 0, count: count)
        for keep in [0.1, 0.5, 0.7, 0.9] {
            DropoutMask(keep: keep, key: 77).fill(&out, count: count)
            let kept = out.filter { $0 != 0 }.count
            XCTAssertEqual(Double(kept) / Double(count), keep, accuracy: 0.006, "keep \(keep)")
            XCTAssertTrue(out.allSatisfy { $0 == 0 || $0 == Float(1 / keep) })
        }
        DropoutMask(keep: 1, key: 5).fill(&out, count: count)
        XCTAssertTrue(out.allSatisfy { $0 == 1 }, "keep 1 keeps every element")
        // A dropped NaN stays NaN (a product, as PyTorch's x * mask).
        let nans = [Float](repeating: .nan, count: 64)
        var y = [Float](repeating: 0, count: 64)
        DropoutMask(keep: 0.5, key: 3).apply(nans, &y, count: 64)
        XCTAssertTrue(y.allSatisfy { $0.isNaN })
    }

    func testParallelApplyEqualsSerialWhateverTheSplit() {
        let count = 10_001
        let x = (0..<count).map { Float($0 % 13) - 6 }
        let mask = DropoutMask(keep: 0.6, key: 99)
        var serial = [Float](repeating: 0, count: count)
        mask.apply(x, &serial, count: count)
        let saved = Parallel.memoryBoundThreshold
        defer { Parallel.memoryBoundThreshold = saved }
        Parallel.memoryBoundThreshold = 2
        var parallel = [Float](repeating: 0, count: count)
        x.withUnsafeBufferPointer { xp in
            parallel.withUnsafeMutableBufferPointer { yp in
                mask.applyInParallel(xp.baseAddress!, yp.baseAddress!, count: count)
            }
        }
        XCTAssertEqual(parallel, serial)
    }

    func testKeyIsOneDrawOfTheGenerator() {
        let generator = RandomGenerator(seed: 11), reference = RandomGenerator(seed: 11)
        let mask = DropoutMask(keep: 0.5, generator: generator)
        XCTAssertEqual(mask.key, reference.next())
        XCTAssertEqual(generator.state, reference.state)
    }
}
