import ConvergeCore

extension Tensor {
    /// The values rounded to `dtype` (ties to even) and stored as `Float`, with `Tensor.dtype`
    /// set to `dtype`: what `x.half().float()` / `x.bfloat16().float()` give in PyTorch.
    ///
    /// Differentiable: the gradient passes straight through, rounded to the same type (PyTorch's
    /// gradient of a float16 tensor is float16). Rounding to `.float32` returns `self`.
    public func rounded(to dtype: DType) -> Tensor {
        if dtype == .float32 { return self }
        let out = Tensor(uninitializedShape: shape)
        let n = count
        let source = storage.pointer, target = out.storage.pointer
        if dtype == .bfloat16 {
            target.update(from: source, count: n)
            Kernels.roundToBFloat16InPlace(target, count: n)
        } else {
            for i in 0..<n { target[i] = dtype.round(source[i]) }
        }
        out.markPrecision(dtype)
        return Tensor.recording(out, op: "rounded_to_\(dtype.rawValue)", inputs: [self]) { gradient in
            [gradient.rounded(to: dtype)]
        }
    }

    /// Rounds the values to `dtype` in place and marks ``Tensor/dtype`` (no graph is recorded:
    /// used by autocast on freshly computed layer outputs).
    func roundInPlace(to dtype: DType) {
        guard dtype != .float32 else { return }
        if dtype == .bfloat16 && storage.bfloat16Bits != nil { markPrecision(dtype); return }
        let pointer = storage.pointer
        if dtype == .bfloat16 {
            Kernels.roundToBFloat16InPlace(pointer, count: count)
        } else {
            for i in 0..<count { pointer[i] = dtype.round(pointer[i]) }
        }
        markPrecision(dtype)
    }
}
