/// Bit-level conversions between float32 and the 16-bit formats used in files (IEEE float16 and
/// bfloat16), independent of whether the platform has a native `Float16` type.
public enum HalfPrecision {
    /// The float32 value of IEEE 754 binary16 bits (exact: every float16 is a float32).
    public static func float(fromFloat16Bits h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x03FF)
        if exponent == 0x1F {  // infinity or NaN
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        if exponent == 0 {
            if mantissa == 0 { return Float(bitPattern: sign) }
            // Subnormal: mantissa · 2⁻²⁴.
            let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign != 0 ? -magnitude : magnitude
        }
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
    }

    /// The float32 value of bfloat16 bits (the upper half of a float32).
    public static func float(fromBFloat16Bits b: UInt16) -> Float { Float(bitPattern: UInt32(b) << 16) }

    /// `value` rounded to the nearest float16 (ties to even), as bits; overflow gives infinity and
    /// NaN stays NaN.
    public static func float16Bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF)
        var mantissa = bits & 0x007F_FFFF
        if exponent == 0xFF {  // infinity or NaN (keep NaN quiet and non-zero)
            return sign | 0x7C00 | (mantissa != 0 ? 0x0200 | UInt16(mantissa >> 13) : 0)
        }
        let e = exponent - 127 + 15
        if e >= 0x1F { return sign | 0x7C00 }
        if e <= 0 {
            // Subnormal or zero in float16: shift the full significand right.
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
        if remainder > 0x1000 || (remainder == 0x1000 && half & 1 == 1) { half += 1 }  // may carry into the exponent: correct
        return sign | UInt16(half)
    }

    /// `value` rounded to the nearest bfloat16 (ties to even), as bits; NaN stays NaN.
    public static func bfloat16Bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(bits >> 16) | 0x0040 }
        let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
        return UInt16(rounded >> 16)
    }
}
