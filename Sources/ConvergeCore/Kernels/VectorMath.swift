internal import CConvergeKernels

extension Kernels {
    /// Elements from which the C kernels built on exp and erf (GELU, softmax) split a loop over
    /// the cores: they compute more than they stream (erf and exp are 20–40 vector operations per
    /// 16 elements), so they are the compute-bound class of ``Parallel/elementwiseThreshold`` at
    /// either vector level.
    static var vectorKernelThreshold: Int { Parallel.elementwiseThreshold }

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
