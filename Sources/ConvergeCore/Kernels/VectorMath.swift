internal import CConvergeKernels

extension Kernels {
    /// Elements from which the C vector kernels split a loop over the cores: the memory-bound
    /// threshold when the AVX-512 versions run (a fraction of a nanosecond per element), the
    /// elementwise one for the portable versions.
    static var vectorKernelThreshold: Int {
        vectorISA >= .avx512 ? Parallel.memoryBoundThreshold : Parallel.elementwiseThreshold
    }

    /// `y[i] = eˣ⁽ⁱ⁾` over `count` floats with the C kernel (within 1.01 ulp of the exact value,
    /// measured over every float; 0 below about −103.97, +∞ above about 88.72, NaN stays NaN), on
    /// all cores for large buffers. `y` may be `x`.
    public static func exp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.forChunks(count, threshold: vectorKernelThreshold) { r in
            cv_exp(x + r.lowerBound, y + r.lowerBound, r.count)
        }
    }

    /// `y[i] = erf(x[i])` over `count` floats with the C kernel (within 2.04 ulp of the exact
    /// value, measured over every float in [−4.5, 4.5]; ±1 for |x| ≥ 4, erf(−0) = −0, NaN stays
    /// NaN), on all cores for large buffers. `y` may be `x`.
    public static func erf(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.forChunks(count, threshold: vectorKernelThreshold) { r in
            cv_erf(x + r.lowerBound, y + r.lowerBound, r.count)
        }
    }
}
