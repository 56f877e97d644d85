internal import CConvergeKernels

/// One dropout mask: which elements are kept, drawn from a counter-based stream so that element
/// `i` depends only on the mask's ``key`` and `i`.
///
/// Any range of a mask can therefore be drawn on any thread and in any order with the same
/// result (the masks do not depend on the thread count), and a backward pass redraws the mask
/// from its key instead of storing it. The stream (see ``RandomGenerator``): pair `k` of the mask
/// is the SplitMix64 output `mix(key + (k + 1)·0x9E3779B97F4A7C15)`; element `2k` takes its low
/// 32 bits and element `2k + 1` its high 32 bits, and an element is kept when that value is below
/// `keep·2³²` (rounded down). A kept element is multiplied by ``scale`` = 1 / `keep`, a dropped one
/// by 0. The C kernel (`cv_dropout.c`) draws sixteen elements per step with AVX-512 where the
/// processor has it, with the same bits as its portable version.
public struct DropoutMask: Sendable, Equatable {
    /// The key: the mask's position in the random stream.
    public let key: UInt64
    /// The probability of keeping an element, in (0, 1].
    public let keep: Double
    /// The factor of a kept element, 1 / ``keep``.
    public let scale: Float
    /// Kept when the element's 32-bit value is below this.
    let threshold: UInt64

    /// A mask with keep probability `keep` at `key`.
    /// - Precondition: `keep` is in (0, 1].
    public init(keep: Double, key: UInt64) {
        precondition(keep > 0 && keep <= 1, "DropoutMask: keep probability must be in (0, 1], got \(keep)")
        self.key = key
        self.keep = keep
        self.scale = Float(1 / keep)
        self.threshold = UInt64((keep * 4_294_967_296).rounded(.down))
    }

    /// A mask with keep probability `keep` whose key is the next draw of `generator` (one 64-bit
    /// draw per mask, whatever its size).
    public init(keep: Double, generator: RandomGenerator) {
        self.init(keep: keep, key: generator.next())
    }

    /// Whether element `index` is kept (the scalar reference of the stream).
    public func isKept(_ index: Int) -> Bool {
        let bits = cv_dropout_pair_bits(key, UInt64(index) >> 1)
        let value = index & 1 == 0 ? bits & 0xFFFF_FFFF : bits >> 32
        return value < threshold
    }

    /// Writes ``scale`` (kept) or 0 (dropped) for elements `first ..< first + count` into `mask`.
    public func fill(_ mask: UnsafeMutablePointer<Float>, count: Int, first: Int = 0) {
        precondition(count >= 0 && first >= 0, "DropoutMask.fill: count \(count) and first \(first) must not be negative")
        cv_dropout_mask_f32(mask, count, key, UInt64(first), threshold, scale)
    }

    /// `y[j] = x[j]·m[first + j]` for `j < count`, with `m` the mask's factors (``scale`` or 0);
    /// `x` may be `y`. A product, not a select, as PyTorch's `x * mask`: a dropped NaN stays NaN.
    public func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, first: Int = 0) {
        precondition(count >= 0 && first >= 0, "DropoutMask.apply: count \(count) and first \(first) must not be negative")
        cv_dropout_apply_f32(x, y, count, key, UInt64(first), threshold, scale)
    }

    /// ``apply(_:_:count:first:)`` over `0..<count`, split across the cores from
    /// ``Parallel/memoryBoundThreshold`` elements (the result does not depend on the split).
    public func applyInParallel(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.forChunks(count, threshold: Parallel.memoryBoundThreshold) { r in
            apply(x + r.lowerBound, y + r.lowerBound, count: r.count, first: r.lowerBound)
        }
    }
}
