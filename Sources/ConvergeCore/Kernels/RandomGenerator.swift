import Foundation

/// A seedable pseudo-random generator (xoshiro256**, seeded through SplitMix64).
///
/// Determinism: the generator is pure integer arithmetic, and every sampler below is a fixed
/// sequence of IEEE float/double operations on its output, so the same seed gives bit-identical
/// tensors on every run, platform and thread count (sampling never runs in parallel, and dropout
/// masks are counter-based, see below). Different
/// seeds give unrelated streams. Its ``state`` can be saved and restored, so a resumed checkpoint
/// continues the same random stream. The streams are not PyTorch's (its Mersenne Twister and
/// transforms are not reproduced); code that must match PyTorch bit for bit loads PyTorch's
/// tensors instead.
///
/// How each sampler uses the stream:
/// - ``nextUniform()``: the top 24 bits of one draw, scaled to [0, 1).
/// - ``fillUniform(_:low:high:)``: one ``nextUniform()`` per element, `low + (high − low) · u`.
/// - ``fillNormal(_:mean:std:)``: Box–Muller in double precision on two 53-bit uniforms per pair of
///   elements (an odd count discards the last sine value).
/// - Bernoulli masks: one ``nextUniform()`` per element, 1 when it is below the probability.
/// - Dropout masks (``DropoutMask``, used by dropout, the fused BatchNorm + ReLU + Dropout op and
///   attention dropout): one draw per mask, its `key`, whatever the mask's size. The mask itself
///   is a counter-based stream: pair `k` of elements is the SplitMix64 output
///   `mix(key + (k + 1)·0x9E3779B97F4A7C15)` (`mix`: `z ^= z >> 30; z &*= 0xBF58476D1CE4E5B9;
///   z ^= z >> 27; z &*= 0x94D049BB133111EB; z ^= z >> 31`), element `2k` takes its low 32 bits and
///   element `2k + 1` its high 32 bits, and an element is kept when that value is below
///   `keep·2³²` (rounded down). Each element depends only on the key and its index, so a mask
///   is the same on any number of threads (the kernels draw it in parallel, sixteen elements per
///   AVX-512 step) and a backward pass redraws it instead of storing it; a resumed checkpoint
///   (which saves ``state``) draws the same keys and so the same masks.
public final class RandomGenerator: RandomNumberGenerator {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// The four 64-bit words of xoshiro256** state (save them to resume the stream later).
    public var state: [UInt64] {
        get { [s0, s1, s2, s3] }
        set {
            precondition(newValue.count == 4, "RandomGenerator.state: expected 4 words, got \(newValue.count)")
            (s0, s1, s2, s3) = (newValue[0], newValue[1], newValue[2], newValue[3])
        }
    }

    /// Creates a generator seeded with `seed`.
    public init(seed: UInt64) {
        var s = seed
        func splitMix() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// Creates a generator from a saved ``state``.
    public init(state: [UInt64]) {
        precondition(state.count == 4, "RandomGenerator(state:): expected 4 words, got \(state.count)")
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The next 64 random bits.
    @inline(__always)
    public func next() -> UInt64 {
        let result = Self.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }

    /// A uniform float in [0, 1) with 24 random bits.
    @inline(__always)
    public func nextUniform() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// A uniform double in [0, 1) with 53 random bits.
    @inline(__always)
    public func nextUniformDouble() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// Fills `buffer` with normal samples N(mean, std²) (Box–Muller in double precision).
    public func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>, mean: Float = 0, std: Float = 1) {
        var i = 0
        while i < buffer.count {
            let u1 = max(nextUniformDouble(), 1e-300)
            let u2 = nextUniformDouble()
            let radius = (-2 * Foundation.log(u1)).squareRoot()
            let angle = 2 * Double.pi * u2
            buffer[i] = mean + std * Float(radius * Foundation.cos(angle))
            if i + 1 < buffer.count { buffer[i + 1] = mean + std * Float(radius * Foundation.sin(angle)) }
            i += 2
        }
    }

    /// Fills `buffer` with uniform samples in [low, high).
    public func fillUniform(_ buffer: UnsafeMutableBufferPointer<Float>, low: Float = 0, high: Float = 1) {
        let width = high - low
        for i in 0..<buffer.count { buffer[i] = low + width * nextUniform() }
    }

    /// Fills `buffer` with 1 where a uniform sample is below `probability` and 0 elsewhere.
    public func fillBernoulli(_ buffer: UnsafeMutableBufferPointer<Float>, probability: Float) {
        for i in 0..<buffer.count { buffer[i] = nextUniform() < probability ? 1 : 0 }
    }

    /// A random permutation of `0..<n` (Fisher–Yates).
    public func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n < 2 { return p }
        for i in stride(from: n - 1, to: 0, by: -1) {
            let j = Int(next() % UInt64(i + 1))
            p.swapAt(i, j)
        }
        return p
    }
}

/// The process-wide default generator used by random tensor creation, initializers and dropout.
public enum Random {
    /// The default generator; ``seed(_:)`` resets it.
    public static var generator = RandomGenerator(seed: 0)

    /// Seeds the default generator: the same seed reproduces initialization, dropout masks and
    /// data order.
    public static func seed(_ seed: UInt64) { generator = RandomGenerator(seed: seed) }
}
