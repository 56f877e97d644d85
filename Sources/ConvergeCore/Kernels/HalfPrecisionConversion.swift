internal import CConvergeKernels

extension Kernels {
    /// The bfloat16 bit pattern nearest to `x` (round to nearest, ties to even, as PyTorch's
    /// `x.to(torch.bfloat16)`); NaN stays a quiet NaN, infinities stay infinite.
    @inline(__always)
    public static func bfloat16Bits(_ x: Float) -> UInt16 {
        let bits = x.bitPattern
        let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
        let nan = UInt16(truncatingIfNeeded: bits >> 16) | 0x0040
        return x.isNaN ? nan : UInt16(truncatingIfNeeded: rounded >> 16)
    }

    /// The float32 value of a bfloat16 bit pattern (exact).
    @inline(__always)
    public static func float(bfloat16Bits bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// `out[i] = bfloat16(x[i])` over `count` values (see ``bfloat16Bits(_:)``), on all cores for
    /// large buffers.
    public static func convertToBFloat16(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<UInt16>, count: Int) {
        Parallel.forChunks(count, threshold: conversionThreshold) { r in
            convertToBFloat16Serial(x + r.lowerBound, out + r.lowerBound, count: r.count)
        }
    }

    /// Elements from which a conversion (and the bfloat16 Linear's epilogue passes) runs on all
    /// cores: a conversion is a memory-bound loop of well under a nanosecond per element, so this
    /// is ``Parallel/memoryBoundThreshold``, the size from which such loops measured faster split
    /// on this machine.
    public static var conversionThreshold = Parallel.memoryBoundThreshold

    /// A float32 bit pattern rounded to bfloat16 (nearest, ties to even; NaN stays a quiet NaN),
    /// written branch-free so that loops over it vectorize (Swift's `SIMD` types were measured
    /// 25× slower than this plain loop: 4.4 against 0.17 ns per element).
    @inline(__always)
    public static func bfloat16Bits(bitPattern bits: UInt32) -> UInt16 {
        let rounded = bits &+ 0x7FFF &+ ((bits &>> 16) & 1)
        let isNaN = (bits & 0x7FFF_FFFF) > 0x7F80_0000
        return UInt16(truncatingIfNeeded: (isNaN ? (bits | 0x0040_0000) : rounded) &>> 16)
    }

    /// ``convertToBFloat16(_:_:count:)`` on the calling thread.
    @inline(__always)
    public static func convertToBFloat16Serial(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<UInt16>, count: Int) {
        cv_f32_to_bf16(x, out, count)
    }

    /// `out[i] = Float(x[i])` for bfloat16 bit patterns `x`.
    public static func convertFromBFloat16(_ x: UnsafePointer<UInt16>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.forChunks(count, threshold: conversionThreshold) { r in
            convertFromBFloat16Serial(x + r.lowerBound, out + r.lowerBound, count: r.count)
        }
    }

    /// ``convertFromBFloat16(_:_:count:)`` on the calling thread.
    @inline(__always)
    public static func convertFromBFloat16Serial(_ x: UnsafePointer<UInt16>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        cv_bf16_to_f32(x, out, count)
    }

    /// `x[i]` replaced by its nearest bfloat16 value, kept in float32, over `count` values.
    public static func roundToBFloat16InPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.forChunks(count, threshold: conversionThreshold) { r in
            cv_round_to_bf16(x + r.lowerBound, r.count)
        }
    }

    /// `out[i] = Float(x[i])` for float16 bit patterns `x` (exact).
    public static func convertFromFloat16Bits(_ x: UnsafePointer<UInt16>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.forChunks(count, threshold: conversionThreshold) { r in
            for i in r { out[i] = float(float16Bits: x[i]) }
        }
    }

    /// `out[i]` = the float16 bit pattern nearest to `x[i]` (ties to even; overflow to ±∞).
    public static func convertToFloat16Bits(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<UInt16>, count: Int) {
        Parallel.forChunks(count, threshold: conversionThreshold) { r in
            for i in r { out[i] = float16Bits(x[i]) }
        }
    }

    /// The float16 bit pattern nearest to `x` (round to nearest, ties to even); overflow gives
    /// infinity and NaN stays a quiet NaN. Portable: no native `Float16` needed.
    @inline(__always)
    public static func float16Bits(_ x: Float) -> UInt16 {
        let bits = x.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF)
        var mantissa = bits & 0x007F_FFFF
        if exponent == 0xFF { return sign | 0x7C00 | (mantissa != 0 ? 0x0200 | UInt16(mantissa >> 13) : 0) }
        let e = exponent - 127 + 15
        if e >= 0x1F { return sign | 0x7C00 }
        if e <= 0 {
            if e < -10 { return sign }
            mantissa |= 0x0080_0000
            let shift = UInt32(14 - e)
            var half = mantissa >> shift
            let remainder = mantissa & ((1 << shift) - 1)
            let halfway = UInt32(1) << (shift - 1)
            if remainder > halfway || (remainder == halfway && half & 1 == 1) { half += 1 }
            return sign | UInt16(half)
        }
        var half = UInt32(e) << 10 | (mantissa >> 13)
        let remainder = mantissa & 0x1FFF
        if remainder > 0x1000 || (remainder == 0x1000 && half & 1 == 1) { half += 1 }
        return sign | UInt16(half)
    }

    /// The float32 value of a float16 bit pattern (exact). Portable: no native `Float16` needed.
    @inline(__always)
    public static func float(float16Bits h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x03FF)
        if exponent == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
        if exponent == 0 {
            if mantissa == 0 { return Float(bitPattern: sign) }
            let magnitude = Float(mantissa) * 0x1p-24
            return sign != 0 ? -magnitude : magnitude
        }
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
    }

    /// Packs the `rows × columns` block of a row-major matrix with leading dimension `ld` into
    /// contiguous bfloat16 (leading dimension `columns`).
    static func packBFloat16(_ x: UnsafePointer<Float>, rows: Int, columns: Int, ld: Int,
                             into out: UnsafeMutablePointer<UInt16>) {
        if ld == columns {
            convertToBFloat16(x, out, count: rows * columns)
            return
        }
        let threshold = Swift.max(2, conversionThreshold / Swift.max(columns, 1))
        Parallel.forChunks(rows, threshold: threshold) { r in
            for i in r {
                let src = x + i * ld, dst = out + i * columns
                convertToBFloat16Serial(src, dst, count: columns)
            }
        }
    }

    /// `out = x` rounded to bfloat16 values, kept in float32 (the `rows × columns` block of a
    /// matrix with leading dimension `ld`, written contiguously).
    static func packRoundedToBFloat16(_ x: UnsafePointer<Float>, rows: Int, columns: Int, ld: Int,
                                      into out: UnsafeMutablePointer<Float>) {
        let threshold = Swift.max(2, Parallel.memoryBoundThreshold / Swift.max(columns, 1))
        Parallel.forChunks(rows, threshold: threshold) { r in
            for i in r {
                let dst = out + i * columns
                dst.update(from: x + i * ld, count: columns)
                cv_round_to_bf16(dst, columns)
            }
        }
    }

    #if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
    /// `out[i] = Float16(x[i])` (round to nearest even; overflow to ±∞) over `count` values.
    public static func convertToFloat16(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float16>, count: Int) {
        Parallel.forChunks(count, threshold: Parallel.memoryBoundThreshold) { r in
            for i in r { out[i] = Float16(x[i]) }
        }
    }

    /// `out[i] = Float(x[i])` over `count` float16 values.
    public static func convertFromFloat16(_ x: UnsafePointer<Float16>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.forChunks(count, threshold: Parallel.memoryBoundThreshold) { r in
            for i in r { out[i] = Float(x[i]) }
        }
    }
    #endif
}
