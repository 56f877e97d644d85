import ConvergeCore

/// Bit-level conversions between float32 and the 16-bit formats used in files (IEEE float16 and
/// bfloat16), independent of whether the platform has a native `Float16` type. The readers and
/// writers of safetensors and NPY use these names; the conversions themselves are the kernels'
/// (``Kernels/float16Bits(_:)`` and friends), so files and tensors round the same way.
public enum HalfPrecision {
    /// The float32 value of IEEE 754 binary16 bits (exact: every float16 is a float32).
    @inline(__always)
    public static func float(fromFloat16Bits h: UInt16) -> Float { Kernels.float(float16Bits: h) }

    /// The float32 value of bfloat16 bits (the upper half of a float32).
    @inline(__always)
    public static func float(fromBFloat16Bits b: UInt16) -> Float { Kernels.float(bfloat16Bits: b) }

    /// `value` rounded to the nearest float16 (ties to even), as bits; overflow gives infinity and
    /// NaN stays NaN.
    @inline(__always)
    public static func float16Bits(from value: Float) -> UInt16 { Kernels.float16Bits(value) }

    /// `value` rounded to the nearest bfloat16 (ties to even), as bits; NaN stays NaN.
    @inline(__always)
    public static func bfloat16Bits(from value: Float) -> UInt16 { Kernels.bfloat16Bits(value) }
}
