internal import CConvergeKernels

/// The passes of batch normalization over an (N, C) matrix fused with ReLU and dropout
/// (`cv_batchnorm.c`: AVX-512 where the processor has it, else portable C, with the same bits).
///
/// Every tensor is read and written in its own storage, float32 or bfloat16 (the autocast path
/// keeps its activations in bfloat16); statistics and gradient sums are accumulated in double
/// precision. Rows (forward, input gradient) or channels (statistics, gradient sums) are split
/// across the cores from `parallelThreshold` elements; the results do not depend on the split.
public enum BatchNormKernels {
    /// Per-channel mean and biased variance of the (n, c) matrix `x` (shifted-data sums in double
    /// precision: the shift is each channel's first value, rows four at a time).
    public static func moments(_ x: TensorStorage, n: Int, c: Int,
                               parallelThreshold: Int) -> (mean: [Double], variance: [Double]) {
        precondition(x.count >= n * c, "BatchNormKernels.moments: storage of \(x.count) elements for (\(n), \(c))")
        let (source, format) = operand(x)
        return moments(source, format, n: n, c: c, parallelThreshold: parallelThreshold)
    }

    /// ``moments(_:n:c:parallelThreshold:)`` of `n·c` floats.
    public static func moments(float32 x: UnsafePointer<Float>, n: Int, c: Int,
                               parallelThreshold: Int) -> (mean: [Double], variance: [Double]) {
        moments(UnsafeRawPointer(x), CV_BN_FLOAT32, n: n, c: c, parallelThreshold: parallelThreshold)
    }

    /// ``moments(_:n:c:parallelThreshold:)`` of `n·c` bfloat16 bit patterns.
    public static func moments(bfloat16 x: UnsafePointer<UInt16>, n: Int, c: Int,
                               parallelThreshold: Int) -> (mean: [Double], variance: [Double]) {
        moments(UnsafeRawPointer(x), CV_BN_BFLOAT16, n: n, c: c, parallelThreshold: parallelThreshold)
    }

    private static func moments(_ source: UnsafeRawPointer, _ format: cv_bn_format, n: Int, c: Int,
                                parallelThreshold: Int) -> (mean: [Double], variance: [Double]) {
        precondition(n > 0 && c >= 0, "BatchNormKernels.moments: no rows in (\(n), \(c))")
        var mean = [Double](repeating: 0, count: c), variance = [Double](repeating: 0, count: c)
        mean.withUnsafeMutableBufferPointer { mp in
            variance.withUnsafeMutableBufferPointer { vp in
                let m = mp.baseAddress!, v = vp.baseAddress!
                forChannelBlocks(c, parallel: n * c >= parallelThreshold) { channels in
                    cv_bn_moments(source, format, n, c, channels.lowerBound, channels.upperBound, m, v)
                }
            }
        }
        return (mean, variance)
    }

    /// `y = relu(x·alpha + beta)·m` (without `relu`: `x·alpha + beta` times `m`) over the (n, c)
    /// matrix `x`, with `m` the factors of `mask` at element `row·c + column` (`scale` without a
    /// mask). `y` has `x`'s element type; in bfloat16, `x·alpha + beta` is rounded to bfloat16
    /// before the ReLU and the product again on store. A multiplication then an addition, never
    /// fused: the unfused ops' values to the bit.
    public static func forward(_ x: TensorStorage, into y: TensorStorage, n: Int, c: Int, alpha: [Float], beta: [Float],
                               relu: Bool, mask: DropoutMask?, scale: Float, parallelThreshold: Int) {
        precondition(x.elementType == y.elementType && x.count >= n * c && y.count >= n * c && alpha.count == c && beta.count == c,
                     "BatchNormKernels.forward: storages of \(x.count) and \(y.count) elements for (\(n), \(c))")
        let (source, format) = operand(x)
        let target = UnsafeMutableRawPointer(mutating: operand(y).pointer)
        let key = mask?.key ?? 0, threshold = mask?.threshold ?? 0
        alpha.withUnsafeBufferPointer { ap in
            beta.withUnsafeBufferPointer { bp in
                let a = ap.baseAddress!, b = bp.baseAddress!
                Parallel.forChunks(n, threshold: rowThreshold(parallelThreshold, c)) { rows in
                    cv_bn_relu_dropout_forward(source, target, format, c, rows.lowerBound, rows.upperBound, a, b,
                                               relu ? 1 : 0, mask == nil ? 0 : 1, key, threshold, scale)
                }
            }
        }
    }

    /// Per-channel Σ g′ and Σ g′·(x − mean) over the rows, with g′ = g·(`scale` where the forward
    /// output `y` is not zero, else 0), or g′ = g when there is no `y`: four rows at a time in
    /// float32, each group added into double-precision sums.
    public static func gradientSums(_ g: TensorStorage, _ x: TensorStorage, output y: TensorStorage?, n: Int, c: Int,
                                    mean: [Float], scale: Float, parallelThreshold: Int) -> (sums: [Double], dots: [Double]) {
        precondition(g.count >= n * c && x.count >= n * c && (y?.count ?? n * c) >= n * c && mean.count == c,
                     "BatchNormKernels.gradientSums: storages too small for (\(n), \(c))")
        var sums = [Double](repeating: 0, count: c), dots = [Double](repeating: 0, count: c)
        let (gp, gf) = operand(g), (xp, xf) = operand(x)
        let yo = y.map(operand)
        mean.withUnsafeBufferPointer { mp in
            sums.withUnsafeMutableBufferPointer { sp in
                dots.withUnsafeMutableBufferPointer { dp in
                    let mu = mp.baseAddress!, s = sp.baseAddress!, d = dp.baseAddress!
                    forChannelBlocks(c, parallel: n * c >= parallelThreshold) { channels in
                        cv_bn_relu_dropout_gradient_sums(gp, gf, xp, xf, yo?.pointer, yo?.format ?? CV_BN_FLOAT32, n, c,
                                                         channels.lowerBound, channels.upperBound, mu, scale, s, d)
                    }
                }
            }
        }
        return (sums, dots)
    }

    /// `dx = ((g′ − shift) − (x − mean)·slope)·gain` per channel (g′ as in
    /// ``gradientSums(_:_:output:n:c:mean:scale:parallelThreshold:)``), into `dx` in its element type.
    public static func inputGradient(_ g: TensorStorage, _ x: TensorStorage, output y: TensorStorage?, into dx: TensorStorage,
                                     n: Int, c: Int, mean: [Float], shift: [Float], slope: [Float], gain: [Float],
                                     scale: Float, parallelThreshold: Int) {
        precondition(g.count >= n * c && x.count >= n * c && dx.count >= n * c && (y?.count ?? n * c) >= n * c
                     && mean.count == c && shift.count == c && slope.count == c && gain.count == c,
                     "BatchNormKernels.inputGradient: storages too small for (\(n), \(c))")
        let (gp, gf) = operand(g), (xp, xf) = operand(x)
        let yo = y.map(operand)
        let (dp, df) = operand(dx)
        let target = UnsafeMutableRawPointer(mutating: dp)
        let constants = UnsafeMutablePointer<Float>.allocate(capacity: 4 * c)
        defer { constants.deallocate() }
        constants.update(from: mean, count: c)
        (constants + c).update(from: shift, count: c)
        (constants + 2 * c).update(from: slope, count: c)
        (constants + 3 * c).update(from: gain, count: c)
        let k = UnsafePointer(constants)
        Parallel.forChunks(n, threshold: rowThreshold(parallelThreshold, c)) { rows in
            cv_bn_relu_dropout_input_gradient(gp, gf, xp, xf, yo?.pointer, yo?.format ?? CV_BN_FLOAT32, target, df, c,
                                              rows.lowerBound, rows.upperBound, k, k + c, k + 2 * c, k + 3 * c, scale)
        }
    }

    /// The storage's elements and their format (float32 storage is read in place, bfloat16 as its patterns).
    private static func operand(_ s: TensorStorage) -> (pointer: UnsafeRawPointer, format: cv_bn_format) {
        if let bits = s.bfloat16Bits { return (UnsafeRawPointer(bits), CV_BN_BFLOAT16) }
        return (UnsafeRawPointer(s.pointer), CV_BN_FLOAT32)
    }

    /// Rows from which a row-split pass runs on all cores.
    private static func rowThreshold(_ elements: Int, _ c: Int) -> Int { Swift.max(2, elements / Swift.max(c, 1)) }

    /// Calls `body` over channel ranges of whole 16-channel blocks, on all cores when `parallel`.
    private static func forChannelBlocks(_ c: Int, parallel: Bool, _ body: (Range<Int>) -> Void) {
        let blocks = (c + 15) / 16
        guard parallel, blocks > 1 else { body(0..<c); return }
        Parallel.forChunks(blocks, threshold: 2) { r in
            body((r.lowerBound * 16)..<Swift.min(c, r.upperBound * 16))
        }
    }
}
