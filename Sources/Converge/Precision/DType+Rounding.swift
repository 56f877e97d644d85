import ConvergeCore

extension DType {
    /// `value` rounded to the nearest value of this type (ties to even) and returned as a `Float`.
    ///
    /// float16 overflows to ±Inf beyond 65504 (65520 and above round up to Inf), keeps
    /// subnormals down to 2⁻²⁴ and flushes smaller magnitudes to ±0; bfloat16 keeps float32's
    /// range and subnormals with 8 significant bits. NaN stays NaN; float32 values are unchanged.
    public func round(_ value: Float) -> Float {
        switch self {
        case .float32: return value
        case .float16: return HalfPrecision.float(fromFloat16Bits: HalfPrecision.float16Bits(from: value))
        case .bfloat16: return HalfPrecision.float(fromBFloat16Bits: HalfPrecision.bfloat16Bits(from: value))
        }
    }

    /// The largest finite value (`torch.finfo(dtype).max`): 65504 for float16, about 3.39e38 for
    /// bfloat16.
    public var greatestFiniteMagnitude: Float {
        switch self {
        case .float32: return .greatestFiniteMagnitude
        case .float16: return 65504
        case .bfloat16: return HalfPrecision.float(fromBFloat16Bits: 0x7F7F)
        }
    }

    /// The smallest positive normal value (`torch.finfo(dtype).tiny`): 2⁻¹⁴ for float16, 2⁻¹²⁶
    /// for bfloat16 and float32.
    public var leastNormalMagnitude: Float {
        self == .float16 ? Float(sign: .plus, exponent: -14, significand: 1) : .leastNormalMagnitude
    }

    /// The smallest positive subnormal value: 2⁻²⁴ for float16, 2⁻¹³³ for bfloat16.
    public var leastNonzeroMagnitude: Float {
        switch self {
        case .float32: return .leastNonzeroMagnitude
        case .float16: return Float(sign: .plus, exponent: -24, significand: 1)
        case .bfloat16: return Float(sign: .plus, exponent: -133, significand: 1)
        }
    }

    /// The gap between 1 and the next larger value (`torch.finfo(dtype).eps`): 2⁻¹⁰ for float16,
    /// 2⁻⁷ for bfloat16.
    public var ulpOfOne: Float {
        switch self {
        case .float32: return .ulpOfOne
        case .float16: return Float(sign: .plus, exponent: -10, significand: 1)
        case .bfloat16: return Float(sign: .plus, exponent: -7, significand: 1)
        }
    }
}
