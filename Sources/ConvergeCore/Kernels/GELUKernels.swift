internal import CConvergeKernels

extension Kernels {
    /// `y[i] = x·0.5·(1 + erf(x/√2))` for `x = x[i]`: PyTorch's exact GELU, with the C kernel's
    /// erf (within 2.04 ulp; see ``erf(_:_:count:)``), on all cores for large buffers. `y` may be `x`.
    public static func gelu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.forChunks(count, threshold: vectorKernelThreshold) { r in
            cv_gelu_forward(x + r.lowerBound, y + r.lowerBound, r.count)
        }
    }

    /// The GELU input gradient `gx[i] = g[i]·(Φ(x) + x·φ(x))` for `x = x[i]`, with
    /// `Φ(x) = 0.5·(1 + erf(x/√2))` and `φ(x) = e^(−x²/2)/√(2π)` (PyTorch's formula), on all
    /// cores for large buffers. `gx` may be `g` or `x`.
    public static func geluBackward(_ g: UnsafePointer<Float>, input x: UnsafePointer<Float>,
                                    _ gx: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.forChunks(count, threshold: vectorKernelThreshold) { r in
            cv_gelu_backward(g + r.lowerBound, x + r.lowerBound, gx + r.lowerBound, r.count)
        }
    }
}

extension Kernels {
    /// The epilogue of an autocast linear layer with the exact GELU, in one pass over a
    /// `rows × columns` block: `z = c + bias` (per column; `bias` nil adds nothing), `z` written
    /// to `preActivation` when given (for the backward pass), and `out = bfloat16(gelu(z))` with
    /// ``bfloat16Bits(_:)``'s rounding. `c` is left as it is (`preActivation` may be `c`). Row
    /// blocks are split over the cores for large blocks.
    public static func biasGELUToBFloat16(_ c: UnsafePointer<Float>, bias: UnsafePointer<Float>?, rows: Int, columns: Int,
                                          preActivation: UnsafeMutablePointer<Float>?, into out: UnsafeMutablePointer<UInt16>) {
        guard columns > 0 else { return }
        Parallel.forChunks(rows, threshold: Swift.max(1, vectorKernelThreshold / columns)) { r in
            let o = r.lowerBound * columns
            cv_bias_gelu_to_bf16(c + o, bias, r.count, columns, preActivation.map { $0 + o }, out + o)
        }
    }

    /// `out[i] = bfloat16(g[i]·gelu′(x[i]))` in one pass: ``geluBackward(_:input:_:count:)``
    /// rounded with ``bfloat16Bits(_:)``'s rule, on all cores for large buffers.
    public static func geluBackwardToBFloat16(_ g: UnsafePointer<Float>, input x: UnsafePointer<Float>,
                                              into out: UnsafeMutablePointer<UInt16>, count: Int) {
        Parallel.forChunks(count, threshold: vectorKernelThreshold) { r in
            cv_gelu_backward_to_bf16(g + r.lowerBound, x + r.lowerBound, out + r.lowerBound, r.count)
        }
    }
}
