/// The element type a tensor stores.
///
/// Computation happens in `Float` (float32). `float16` and `bfloat16` describe tensors held in
/// 16-bit storage (``TensorStorage/elementType``) or whose float32 values have been rounded to that
/// precision (mixed-precision emulation).
public enum DType: String, Sendable, CaseIterable {
    case float32
    case float16
    case bfloat16

    /// Bytes one element occupies when serialized in this type.
    public var byteCount: Int {
        switch self {
        case .float32: return 4
        case .float16, .bfloat16: return 2
        }
    }
}

extension Tensor {
    /// Records that this tensor's values are representable in `dtype` (set by rounding ops such
    /// as `rounded(to:)`); the values themselves are not changed.
    public func markPrecision(_ dtype: DType) { self.dtype = dtype }
}
