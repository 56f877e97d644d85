import Converge
import Foundation
import ConvergeCore

/// Draws samples from the simple distributions the dataset generators need, from a seeded
/// ``RandomGenerator`` (so every generator is reproducible from its seed). Computations are in
/// double precision.
struct DistributionSampler {
    /// The source of random bits.
    let generator: RandomGenerator
    /// The second value of the last Box–Muller pair, not yet returned.
    private var spareNormal: Double?

    /// Samples driven by `generator`.
    init(_ generator: RandomGenerator) { self.generator = generator }

    /// Samples driven by a new generator seeded with `seed`.
    init(seed: UInt64) { self.init(RandomGenerator(seed: seed)) }

    /// Uniform on [0, 1).
    mutating func uniform() -> Double { generator.nextUniformDouble() }

    /// Uniform on [low, high).
    mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * uniform() }

    /// Standard normal (Box–Muller; the pair's second value is kept for the next call).
    mutating func normal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        let u1 = Swift.max(uniform(), 1e-300)
        let u2 = uniform()
        let radius = (-2 * Foundation.log(u1)).squareRoot()
        spareNormal = radius * Foundation.sin(2 * Double.pi * u2)
        return radius * Foundation.cos(2 * Double.pi * u2)
    }

    /// Exponential with the given mean.
    mutating func exponential(mean: Double) -> Double { -mean * Foundation.log(1 - uniform()) }

    /// Index `i` with probability `probabilities[i]` (which should sum to 1).
    mutating func categorical(_ probabilities: [Double]) -> Int {
        let u = uniform()
        var cumulative = 0.0
        for (index, p) in probabilities.enumerated() {
            cumulative += p
            if u < cumulative { return index }
        }
        return probabilities.count - 1
    }

    /// Poisson with mean `lambda` (Knuth's product-of-uniforms method; for small means).
    mutating func poisson(mean lambda: Double) -> Int {
        let limit = Foundation.exp(-lambda)
        var product = uniform()
        var k = 0
        while product > limit {
            product *= uniform()
            k += 1
        }
        return k
    }

    /// 1 with probability `p`, else 0.
    mutating func bernoulli(_ p: Double) -> Float { uniform() < p ? 1 : 0 }

    /// The logistic function 1 / (1 + e^(−x)), which turns a logit into a probability.
    static func logistic(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
}
