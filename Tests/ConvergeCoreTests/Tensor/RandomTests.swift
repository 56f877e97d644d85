import ConvergeCore
import XCTest

/// Tests of `RandomGenerator` (Sources/ConvergeCore/Kernels/RandomGenerator.swift) and the random
/// creation functions that use it.
final class RandomTests: XCTestCase {
    private func bits(_ t: Tensor) -> [UInt32] { t.scalars.map(\.bitPattern) }

    func testSameSeedGivesBitIdenticalTensors() {
        for seed: UInt64 in [0, 1, 42, .max] {
            let a = RandomGenerator(seed: seed), b = RandomGenerator(seed: seed)
            XCTAssertEqual(bits(Tensor.randomNormal([101], mean: 0.5, std: 2, generator: a)),
                           bits(Tensor.randomNormal([101], mean: 0.5, std: 2, generator: b)))
            XCTAssertEqual(bits(Tensor.randomUniform([64], low: -3, high: 3, generator: a)),
                           bits(Tensor.randomUniform([64], low: -3, high: 3, generator: b)))
            XCTAssertEqual(bits(Tensor.randomBernoulli([64], probability: 0.3, generator: a)),
                           bits(Tensor.randomBernoulli([64], probability: 0.3, generator: b)))
        }
    }

    func testGlobalSeedReproducesTheDefaultStream() {
        Random.seed(7)
        let first = bits(Tensor.randomNormal([50]))
        Random.seed(7)
        XCTAssertEqual(bits(Tensor.randomNormal([50])), first)
    }

    func testKnownAnswerForSeed42() {
        // Pins the stream: a change here breaks every saved experiment's reproducibility.
        let g = RandomGenerator(seed: 42)
        XCTAssertEqual(bits(Tensor.randomNormal([5], generator: g)), [0xbfce7e1e, 0x3fc46a15, 0x3f481cf8, 0xbecce629, 0x3c820484])
        XCTAssertEqual(bits(Tensor.randomUniform([3], generator: g)), [0x3f382154, 0x3f599a27, 0x3f42e96e])
    }

    func testDifferentSeedsDiffer() {
        let a = Tensor.randomNormal([32], generator: RandomGenerator(seed: 1))
        let b = Tensor.randomNormal([32], generator: RandomGenerator(seed: 2))
        XCTAssertNotEqual(bits(a), bits(b))
        let agreeing = zip(a.scalars, b.scalars).filter { $0 == $1 }.count
        XCTAssertEqual(agreeing, 0)
    }

    func testSavedStateContinuesTheStream() {
        let g = RandomGenerator(seed: 3)
        _ = g.next()
        let resumed = RandomGenerator(state: g.state)
        XCTAssertEqual((0..<10).map { _ in g.next() }, (0..<10).map { _ in resumed.next() })
        let other = RandomGenerator(seed: 0)
        other.state = g.state
        XCTAssertEqual(other.next(), g.next())
    }

    func testNormalMomentsWithinSamplingTolerance() {
        let n = 200_000
        let x = Tensor.randomNormal([n], generator: RandomGenerator(seed: 11)).scalars.map(Double.init)
        let mean = x.reduce(0, +) / Double(n)
        let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        // Standard errors: 1/√n ≈ 0.0022 for the mean, √(2/n) ≈ 0.0032 for the variance; allow ~5σ.
        XCTAssertEqual(mean, 0, accuracy: 0.011)
        XCTAssertEqual(variance, 1, accuracy: 0.016)
        let scaled = Tensor.randomNormal([n], mean: 3, std: 0.5, generator: RandomGenerator(seed: 12))
        XCTAssertEqual(Double(scaled.mean().scalar), 3, accuracy: 0.006)
        XCTAssertEqual(Double(scaled.variance().scalar), 0.25, accuracy: 0.004)
    }

    func testUniformRangeAndMean() {
        let x = Tensor.randomUniform([100_000], low: -2, high: 6, generator: RandomGenerator(seed: 13))
        XCTAssertTrue(x.scalars.allSatisfy { $0 >= -2 && $0 < 6 })
        XCTAssertEqual(Double(x.mean().scalar), 2, accuracy: 0.04)   // σ = 8/√12 ≈ 2.31; 5σ/√n ≈ 0.037
    }

    func testBernoulliFrequencyAndValues() {
        let x = Tensor.randomBernoulli([100_000], probability: 0.3, generator: RandomGenerator(seed: 14))
        XCTAssertTrue(x.scalars.allSatisfy { $0 == 0 || $0 == 1 })
        XCTAssertEqual(Double(x.mean().scalar), 0.3, accuracy: 0.008)   // 5·√(0.21/n) ≈ 0.0072
        XCTAssertEqual(Tensor.randomBernoulli([10], probability: 0).scalars, [Float](repeating: 0, count: 10))
        XCTAssertEqual(Tensor.randomBernoulli([10], probability: 1).scalars, [Float](repeating: 1, count: 10))
    }

    func testPermutationIsAPermutation() {
        let p = RandomGenerator(seed: 5).permutation(100)
        XCTAssertEqual(p.sorted(), Array(0..<100))
        XCTAssertNotEqual(p, Array(0..<100))
        XCTAssertEqual(p, RandomGenerator(seed: 5).permutation(100))
    }
}
