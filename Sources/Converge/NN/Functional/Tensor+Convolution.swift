import ConvergeCore

/// The sizes of one convolution over a batch of planes laid out as (N, C, H, W); a 1-D
/// convolution is the case H = 1, kernel height 1.
struct ConvolutionGeometry {
    var batch: Int, inChannels: Int, height: Int, width: Int
    var outChannels: Int, kernelHeight: Int, kernelWidth: Int
    var stride: Size2D, padding: Size2D, dilation: Size2D, groups: Int

    var outHeight: Int { (height + 2 * padding.height - dilation.height * (kernelHeight - 1) - 1) / stride.height + 1 }
    var outWidth: Int { (width + 2 * padding.width - dilation.width * (kernelWidth - 1) - 1) / stride.width + 1 }
    var inPerGroup: Int { inChannels / groups }
    var outPerGroup: Int { outChannels / groups }
    /// Rows of the column matrix of one group: input channels × kernel positions.
    var columnRows: Int { inPerGroup * kernelHeight * kernelWidth }
    /// Columns of the column matrix: output positions.
    var columnCount: Int { outHeight * outWidth }
    /// Samples whose column matrices sit side by side in one product: as many as fit in about
    /// 2M floats (8 MiB) of column matrix, so small images (8×8 digits: 64 output positions)
    /// make one product of thousands of columns instead of one tiny product per sample. 1 for
    /// pointwise kernels (they multiply the input in place) and for large images.
    var samplesPerProduct: Int {
        if isPointwise { return 1 }
        let perSample = Swift.max(1, Swift.max(columnRows, outPerGroup) * columnCount)
        return Swift.max(1, Swift.min(batch, (1 << 21) / perSample))
    }

    /// Calls `body(sample)` for `samples` samples, split over the cores when the copying is large
    /// (each sample touches only its own columns and its own input or output).
    func forSamples(_ samples: Int, _ body: (Int) -> Void) {
        let perSample = Swift.max(1, Swift.max(columnRows, outPerGroup) * columnCount)
        Parallel.forChunks(samples, threshold: Swift.max(2, Parallel.memoryBoundThreshold / perSample)) { range in
            for j in range { body(j) }
        }
    }

    /// A 1×1 kernel with unit stride and no padding reads the input itself as the column matrix.
    var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && stride == Size2D(1) && padding == Size2D(0)
    }

    /// Copies the receptive fields of one sample's group (`source` points at its first input
    /// channel) into a [columnRows, columnCount] matrix whose rows lie `rowStride` apart (at
    /// least `columnCount`; larger when several samples share one column matrix side by side),
    /// writing zeros for padding.
    func im2col(_ source: UnsafePointer<Float>, _ columns: UnsafeMutablePointer<Float>, rowStride: Int? = nil) {
        let oh = outHeight, ow = outWidth, plane = height * width
        let ld = rowStride ?? oh * ow
        for c in 0..<inPerGroup {
            let src = source + c * plane
            for ki in 0..<kernelHeight {
                for kj in 0..<kernelWidth {
                    let row = columns + ((c * kernelHeight + ki) * kernelWidth + kj) * ld
                    let dy = ki * dilation.height - padding.height
                    let dx = kj * dilation.width - padding.width
                    for oy in 0..<oh {
                        let y = oy * stride.height + dy
                        let dst = row + oy * ow
                        if y < 0 || y >= height {
                            dst.update(repeating: 0, count: ow)
                            continue
                        }
                        let line = src + y * width
                        if stride.width == 1 {
                            // Contiguous run with zero edges (plain loops: rows of small images are
                            // a few floats, shorter than a library call pays for).
                            let first = Swift.max(0, -dx), last = Swift.min(ow, width - dx)
                            if last <= first { dst.update(repeating: 0, count: ow); continue }
                            for ox in 0..<first { dst[ox] = 0 }
                            let from = line + dx
                            for ox in first..<last { dst[ox] = from[ox] }
                            for ox in last..<ow { dst[ox] = 0 }
                        } else {
                            for ox in 0..<ow {
                                let x = ox * stride.width + dx
                                dst[ox] = x >= 0 && x < width ? line[x] : 0
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adds a [columnRows, columnCount] gradient matrix (rows `rowStride` apart) back into one
    /// sample's group of input gradients (the adjoint of ``im2col(_:_:rowStride:)``).
    func col2imAdd(_ columns: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, rowStride: Int? = nil) {
        let oh = outHeight, ow = outWidth, plane = height * width
        let ld = rowStride ?? oh * ow
        for c in 0..<inPerGroup {
            let dst = target + c * plane
            for ki in 0..<kernelHeight {
                for kj in 0..<kernelWidth {
                    let row = columns + ((c * kernelHeight + ki) * kernelWidth + kj) * ld
                    let dy = ki * dilation.height - padding.height
                    let dx = kj * dilation.width - padding.width
                    for oy in 0..<oh {
                        let y = oy * stride.height + dy
                        if y < 0 || y >= height { continue }
                        let line = dst + y * width
                        let src = row + oy * ow
                        if stride.width == 1 {
                            let first = Swift.max(0, -dx), last = Swift.min(ow, width - dx)
                            if first < last { for ox in first..<last { line[ox + dx] += src[ox] } }
                        } else {
                            for ox in 0..<ow {
                                let x = ox * stride.width + dx
                                if x >= 0 && x < width { line[x] += src[ox] }
                            }
                        }
                    }
                }
            }
        }
    }
}

extension Tensor {
    /// 2-D cross-correlation as `nn.functional.conv2d`: input (N, C, H, W), `weight`
    /// (O, C / groups, kH, kW), optional `bias` (O); zero padding. One fused op: im2col and one
    /// GEMM per sample and group (`Kernels.gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`),
    /// with a hand-written backward for the input, weight and bias.
    public func conv2d(weight: Tensor, bias: Tensor? = nil, stride: Size2D = 1, padding: Size2D = 0,
                       dilation: Size2D = 1, groups: Int = 1) -> Tensor {
        precondition(rank == 4, "conv2d: input must be (N, C, H, W), got shape \(shape)")
        precondition(weight.rank == 4, "conv2d: weight must be (O, C/groups, kH, kW), got shape \(weight.shape)")
        let geometry = ConvolutionGeometry(
            batch: shape[0], inChannels: shape[1], height: shape[2], width: shape[3],
            outChannels: weight.shape[0], kernelHeight: weight.shape[2], kernelWidth: weight.shape[3],
            stride: stride, padding: padding, dilation: dilation, groups: groups)
        return Tensor.convolution(self, weight: weight, bias: bias, geometry: geometry,
                                  outputShape: [shape[0], weight.shape[0], geometry.outHeight, geometry.outWidth], op: "conv2d")
    }

    /// 1-D cross-correlation as `nn.functional.conv1d`: input (N, C, L), `weight` (O, C / groups, k),
    /// optional `bias` (O); zero padding. Fused like ``conv2d(weight:bias:stride:padding:dilation:groups:)``.
    public func conv1d(weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0,
                       dilation: Int = 1, groups: Int = 1) -> Tensor {
        precondition(rank == 3, "conv1d: input must be (N, C, L), got shape \(shape)")
        precondition(weight.rank == 3, "conv1d: weight must be (O, C/groups, k), got shape \(weight.shape)")
        let geometry = ConvolutionGeometry(
            batch: shape[0], inChannels: shape[1], height: 1, width: shape[2],
            outChannels: weight.shape[0], kernelHeight: 1, kernelWidth: weight.shape[2],
            stride: Size2D(1, stride), padding: Size2D(0, padding), dilation: Size2D(1, dilation), groups: groups)
        return Tensor.convolution(self, weight: weight, bias: bias, geometry: geometry,
                                  outputShape: [shape[0], weight.shape[0], geometry.outWidth], op: "conv1d")
    }

    static func convolution(_ x: Tensor, weight: Tensor, bias: Tensor?, geometry g: ConvolutionGeometry,
                            outputShape: [Int], op: String) -> Tensor {
        precondition(g.groups > 0 && g.inChannels % g.groups == 0 && g.outChannels % g.groups == 0,
                     "\(op): groups \(g.groups) must divide the input channels \(g.inChannels) and output channels \(g.outChannels)")
        precondition(weight.shape[1] == g.inPerGroup,
                     "\(op): weight of shape \(weight.shape) does not fit input of shape \(x.shape) with groups \(g.groups) (weight dimension 1 must be \(g.inPerGroup))")
        precondition(g.stride.height > 0 && g.stride.width > 0 && g.dilation.height > 0 && g.dilation.width > 0
                     && g.padding.height >= 0 && g.padding.width >= 0,
                     "\(op): stride \(g.stride) and dilation \(g.dilation) must be positive, padding \(g.padding) non-negative")
        precondition(g.outHeight > 0 && g.outWidth > 0,
                     "\(op): kernel of shape \(weight.shape) with padding \(g.padding) and dilation \(g.dilation) is larger than the input of shape \(x.shape)")
        if let bias {
            precondition(bias.shape == [g.outChannels], "\(op): bias of shape \(bias.shape) does not fit weight of shape \(weight.shape)")
        }
        let rows = g.columnRows, cols = g.columnCount, og = g.outPerGroup
        let inPlane = g.height * g.width, inSample = g.inChannels * inPlane, outSample = g.outChannels * cols
        let out = Tensor(uninitializedShape: outputShape)
        let po = out.storage.pointer, px = x.storage.pointer, pw = weight.storage.pointer
        let chunk = g.samplesPerProduct
        if chunk == 1 {
            let scratch = g.isPointwise ? nil : TensorStorage(uninitializedCount: rows * cols)
            for n in 0..<g.batch {
                for group in 0..<g.groups {
                    let source = px + n * inSample + group * g.inPerGroup * inPlane
                    let columns: UnsafePointer<Float>
                    if let scratch { g.im2col(source, scratch.pointer); columns = UnsafePointer(scratch.pointer) } else { columns = UnsafePointer(source) }
                    let dst = po + n * outSample + group * og * cols
                    if let bias {
                        for o in 0..<og { (dst + o * cols).update(repeating: bias.storage.pointer[group * og + o], count: cols) }
                    }
                    Kernels.gemm(transA: false, transB: false, m: og, n: cols, k: rows, alpha: 1,
                                 a: pw + group * og * rows, lda: rows, b: columns, ldb: cols,
                                 beta: bias == nil ? 0 : 1, c: dst, ldc: cols)
                }
            }
        } else {
            // Several samples side by side in one column matrix [rows, chunk · cols]: one product
            // per chunk and group instead of one per sample (small images make tiny products).
            let columns = TensorStorage(uninitializedCount: rows * chunk * cols)
            let product = TensorStorage(uninitializedCount: og * chunk * cols)
            for n0 in stride(from: 0, to: g.batch, by: chunk) {
                let samples = Swift.min(chunk, g.batch - n0), width = samples * cols
                for group in 0..<g.groups {
                    g.forSamples(samples) { j in
                        g.im2col(px + (n0 + j) * inSample + group * g.inPerGroup * inPlane, columns.pointer + j * cols, rowStride: width)
                    }
                    Kernels.gemm(transA: false, transB: false, m: og, n: width, k: rows, alpha: 1,
                                 a: pw + group * og * rows, lda: rows, b: UnsafePointer(columns.pointer), ldb: width,
                                 beta: 0, c: product.pointer, ldc: width)
                    let pb = bias?.storage.pointer
                    g.forSamples(samples) { j in
                        for o in 0..<og {
                            let src = product.pointer + o * width + j * cols
                            let dst = po + (n0 + j) * outSample + (group * og + o) * cols
                            if let pb {
                                let b = pb[group * og + o]
                                for p in 0..<cols { dst[p] = b + src[p] }
                            } else {
                                dst.update(from: src, count: cols)
                            }
                        }
                    }
                }
            }
        }
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        return Tensor.recording(out, op: op, inputs: inputs) { gradient in
            let pg = gradient.storage.pointer
            var gx: Tensor?, gw: Tensor?, gb: Tensor?
            if x.requiresGrad { gx = Tensor.zeros(x.shape) }
            if weight.requiresGrad { gw = Tensor.zeros(weight.shape) }
            if chunk == 1 {
                let scratch = g.isPointwise ? nil : TensorStorage(uninitializedCount: rows * cols)
                for n in 0..<g.batch {
                    for group in 0..<g.groups {
                        let upstream = pg + n * outSample + group * og * cols
                        if let gw {
                            let source = px + n * inSample + group * g.inPerGroup * inPlane
                            let columns: UnsafePointer<Float>
                            if let scratch { g.im2col(source, scratch.pointer); columns = UnsafePointer(scratch.pointer) } else { columns = UnsafePointer(source) }
                            Kernels.gemm(transA: false, transB: true, m: og, n: rows, k: cols, alpha: 1,
                                         a: upstream, lda: cols, b: columns, ldb: cols,
                                         beta: 1, c: gw.storage.pointer + group * og * rows, ldc: rows)
                        }
                        if let gx {
                            let target = gx.storage.pointer + n * inSample + group * g.inPerGroup * inPlane
                            if let scratch {
                                Kernels.gemm(transA: true, transB: false, m: rows, n: cols, k: og, alpha: 1,
                                             a: pw + group * og * rows, lda: rows, b: upstream, ldb: cols,
                                             beta: 0, c: scratch.pointer, ldc: cols)
                                g.col2imAdd(scratch.pointer, target)
                            } else {
                                Kernels.gemm(transA: true, transB: false, m: rows, n: cols, k: og, alpha: 1,
                                             a: pw + group * og * rows, lda: rows, b: upstream, ldb: cols,
                                             beta: 1, c: target, ldc: cols)
                            }
                        }
                    }
                }
            } else {
                let columns = TensorStorage(uninitializedCount: rows * chunk * cols)
                let gathered = TensorStorage(uninitializedCount: og * chunk * cols)
                for n0 in stride(from: 0, to: g.batch, by: chunk) {
                    let samples = Swift.min(chunk, g.batch - n0), width = samples * cols
                    for group in 0..<g.groups {
                        // The chunk's upstream gradient as one [og, samples · cols] matrix.
                        g.forSamples(samples) { j in
                            for o in 0..<og {
                                (gathered.pointer + o * width + j * cols)
                                    .update(from: pg + (n0 + j) * outSample + (group * og + o) * cols, count: cols)
                            }
                        }
                        if let gw {
                            g.forSamples(samples) { j in
                                g.im2col(px + (n0 + j) * inSample + group * g.inPerGroup * inPlane, columns.pointer + j * cols,
                                         rowStride: width)
                            }
                            Kernels.gemm(transA: false, transB: true, m: og, n: rows, k: width, alpha: 1,
                                         a: UnsafePointer(gathered.pointer), lda: width, b: UnsafePointer(columns.pointer), ldb: width,
                                         beta: 1, c: gw.storage.pointer + group * og * rows, ldc: rows)
                        }
                        if let gx {
                            Kernels.gemm(transA: true, transB: false, m: rows, n: width, k: og, alpha: 1,
                                         a: pw + group * og * rows, lda: rows, b: UnsafePointer(gathered.pointer), ldb: width,
                                         beta: 0, c: columns.pointer, ldc: width)
                            g.forSamples(samples) { j in
                                g.col2imAdd(UnsafePointer(columns.pointer + j * cols),
                                            gx.storage.pointer + (n0 + j) * inSample + group * g.inPerGroup * inPlane, rowStride: width)
                            }
                        }
                    }
                }
            }
            if let bias, bias.requiresGrad {
                let b = Tensor(uninitializedShape: [g.outChannels])
                for o in 0..<g.outChannels {
                    var total: Float = 0
                    for n in 0..<g.batch { total += Kernels.sumContiguous(pg + n * outSample + o * cols, cols) }
                    b.storage.pointer[o] = total
                }
                gb = b
            }
            return bias == nil ? [gx, gw] : [gx, gw, gb]
        }
    }
}
