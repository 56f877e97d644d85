internal import CConvergeKernels

/// The float32 ReLU passes of a fused `Linear` + ReLU layer, in the C kernels (`cv_linear_relu.c`:
/// AVX-512 where the processor has it, portable C elsewhere, the same bits), on all cores for
/// large buffers.
extension Kernels {
    /// `x[i] = x[i] > 0 ? x[i] : 0` in place over `count` elements (NaN and −0 become +0), the
    /// rule of `Activation.relu`.
    public static func linearReLUInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.forChunks(count, threshold: Parallel.memoryBoundThreshold) { r in
            cv_relu_f32(x, r.lowerBound, r.upperBound)
        }
    }

    /// `out[i] = output[i] > 0 ? gradient[i] : 0` over `count` elements: ReLU's backward read off
    /// its output. `out` may be `gradient`.
    public static func linearReLUBackward(_ gradient: UnsafePointer<Float>, output: UnsafePointer<Float>,
                                          into out: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.forChunks(count, threshold: Parallel.memoryBoundThreshold) { r in
            cv_relu_backward_f32(gradient, output, out, r.lowerBound, r.upperBound)
        }
    }
}
