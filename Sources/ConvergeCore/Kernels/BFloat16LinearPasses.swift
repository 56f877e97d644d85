internal import CConvergeKernels

/// The elementwise passes around a bfloat16 `Linear` layer's products under autocast, each one pass
/// over memory in the C kernels (`cv_linear_bf16.c`: AVX-512 where the processor has it, portable C
/// elsewhere, the same bits), on all cores for large blocks.
extension Kernels {
    /// `out[r, j] = bfloat16(z)` with `z = c[r, j] + bias[j]` (or `c[r, j]` without a bias), and
    /// `z` replaced by `max(z, 0)` when `relu`, over a `rows × columns` float32 block: the forward
    /// epilogue of a bfloat16 Linear (+ ReLU). `c` is only read.
    public static func biasActivationToBFloat16(_ c: UnsafePointer<Float>, bias: UnsafePointer<Float>?, rows: Int,
                                                columns: Int, relu: Bool, into out: UnsafeMutablePointer<UInt16>) {
        let threshold = Swift.max(1, conversionThreshold / Swift.max(columns, 1))
        Parallel.forChunks(rows, threshold: threshold) { r in
            cv_bias_activation_to_bf16(c, bias, r.lowerBound, r.upperBound, columns, relu ? 1 : 0, out)
        }
    }

    /// `out[i] = bfloat16(output[i] > 0 ? gradient[i] : 0)` over `count` elements: ReLU's backward
    /// fused with rounding the gradient to bfloat16 for the products that follow. Each of
    /// `gradient` and `output` may be float32 or bfloat16.
    public static func reluBackwardToBFloat16(gradient: GEMMOperand, output: GEMMOperand,
                                              into out: UnsafeMutablePointer<UInt16>, count: Int) {
        var g32: UnsafePointer<Float>?, g16: UnsafePointer<UInt16>?, y32: UnsafePointer<Float>?, y16: UnsafePointer<UInt16>?
        switch gradient {
        case .float32(let p): g32 = p
        case .bfloat16(let p): g16 = p
        }
        switch output {
        case .float32(let p): y32 = p
        case .bfloat16(let p): y16 = p
        }
        Parallel.forChunks(count, threshold: conversionThreshold) { r in
            cv_relu_backward_to_bf16(g32, g16, y32, y16, out, r.lowerBound, r.upperBound)
        }
    }

    /// `out[j] = Σᵢ x[i, j]` over the rows in order, in float32, of a `rows × columns` block of
    /// bfloat16 patterns (a bias gradient). Columns are split among the cores; each sum is the same
    /// sequence of additions on one core or several.
    public static func columnSums(bfloat16 x: UnsafePointer<UInt16>, rows: Int, columns: Int,
                                  into out: UnsafeMutablePointer<Float>) {
        let threshold = Swift.max(64, conversionThreshold / Swift.max(rows, 1))
        Parallel.forChunks((columns + 63) / 64, threshold: Swift.max(1, threshold / 64)) { r in
            cv_bf16_column_sums(x, rows, columns, r.lowerBound * 64, Swift.min(columns, r.upperBound * 64), out)
        }
    }
}
