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

    /// `out[i] = bfloat16(x[i])` over `count` values (see ``bfloat16Bits(_:)``).
    public static func convertToBFloat16(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<UInt16>, count: Int) {
        Parallel.forChunks(count, threshold: Parallel.memoryBoundThreshold) { r in
            for i in r { out[i] = bfloat16Bits(x[i]) }
        }
    }

    /// `out[i] = Float(x[i])` for bfloat16 bit patterns `x`.
    public static func convertFromBFloat16(_ x: UnsafePointer<UInt16>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.forChunks(count, threshold: Parallel.memoryBoundThreshold) { r in
            for i in r { out[i] = float(bfloat16Bits: x[i]) }
        }
    }

    /// Packs the `rows × columns` block of a row-major matrix with leading dimension `ld` into
    /// contiguous bfloat16 (leading dimension `columns`).
    static func packBFloat16(_ x: UnsafePointer<Float>, rows: Int, columns: Int, ld: Int,
                             into out: UnsafeMutablePointer<UInt16>) {
        if ld == columns {
            convertToBFloat16(x, out, count: rows * columns)
            return
        }
        let threshold = Swift.max(2, Parallel.memoryBoundThreshold / Swift.max(columns, 1))
        Parallel.forChunks(rows, threshold: threshold) { r in
            for i in r {
                let src = x + i * ld, dst = out + i * columns
                for j in 0..<columns { dst[j] = bfloat16Bits(src[j]) }
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
                let src = x + i * ld, dst = out + i * columns
                for j in 0..<columns { dst[j] = float(bfloat16Bits: bfloat16Bits(src[j])) }
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
