internal import CConvergeKernels

extension Kernels {
    /// `y[i] = x·0.5·(1 + erf(x/√2))` for `x = x[i]`: PyTorch's exact GELU, with the C kernel's
    /// erf (within 2 ulp; see ``erf(_:_:count:)``), on all cores for large buffers. `y` may be `x`.
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
