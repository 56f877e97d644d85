import ConvergeCore

/// The sizes of one pooling window sweep over planes of H × W (1-D pooling: H = 1).
struct PoolingGeometry {
    var planes: Int, height: Int, width: Int
    var kernel: Size2D, stride: Size2D, padding: Size2D, dilation: Size2D

    var outHeight: Int { (height + 2 * padding.height - dilation.height * (kernel.height - 1) - 1) / stride.height + 1 }
    var outWidth: Int { (width + 2 * padding.width - dilation.width * (kernel.width - 1) - 1) / stride.width + 1 }

    func validate(_ op: String, shape: [Int]) {
        precondition(kernel.height > 0 && kernel.width > 0 && stride.height > 0 && stride.width > 0
                     && dilation.height > 0 && dilation.width > 0,
                     "\(op): kernel \(kernel), stride \(stride) and dilation \(dilation) must be positive")
        precondition(padding.height >= 0 && padding.width >= 0
                     && padding.height * 2 <= kernel.height && padding.width * 2 <= kernel.width,
                     "\(op): padding \(padding) must be non-negative and at most half the kernel \(kernel)")
        precondition(outHeight > 0 && outWidth > 0,
                     "\(op): kernel \(kernel) with padding \(padding) is larger than the input of shape \(shape)")
    }
}

extension Tensor {
    /// 2-D max pooling as `nn.functional.max_pool2d` over (N, C, H, W) (or (C, H, W)); padded
    /// positions never win. The gradient goes to the first maximum of each window.
    public func maxPool2d(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0, dilation: Size2D = 1) -> Tensor {
        precondition(rank == 3 || rank == 4, "maxPool2d: input must be (N, C, H, W) or (C, H, W), got shape \(shape)")
        let h = shape[rank - 2], w = shape[rank - 1]
        let g = PoolingGeometry(planes: count / Swift.max(h * w, 1), height: h, width: w, kernel: kernelSize,
                                stride: stride ?? kernelSize, padding: padding, dilation: dilation)
        g.validate("maxPool2d", shape: shape)
        return Tensor.maxPool(self, geometry: g, outputShape: Array(shape.dropLast(2)) + [g.outHeight, g.outWidth], op: "maxPool2d")
    }

    /// 1-D max pooling as `nn.functional.max_pool1d` over (N, C, L) (or (C, L)).
    public func maxPool1d(kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1) -> Tensor {
        precondition(rank == 2 || rank == 3, "maxPool1d: input must be (N, C, L) or (C, L), got shape \(shape)")
        let l = shape[rank - 1]
        let g = PoolingGeometry(planes: count / Swift.max(l, 1), height: 1, width: l, kernel: Size2D(1, kernelSize),
                                stride: Size2D(1, stride ?? kernelSize), padding: Size2D(0, padding), dilation: Size2D(1, dilation))
        g.validate("maxPool1d", shape: shape)
        return Tensor.maxPool(self, geometry: g, outputShape: Array(shape.dropLast()) + [g.outWidth], op: "maxPool1d")
    }

    /// 2-D average pooling as `nn.functional.avg_pool2d` over (N, C, H, W) (or (C, H, W)). With
    /// `countIncludingPadding` (PyTorch's default) padded zeros count in the divisor.
    public func avgPool2d(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0,
                          countIncludingPadding: Bool = true) -> Tensor {
        precondition(rank == 3 || rank == 4, "avgPool2d: input must be (N, C, H, W) or (C, H, W), got shape \(shape)")
        let h = shape[rank - 2], w = shape[rank - 1]
        let g = PoolingGeometry(planes: count / Swift.max(h * w, 1), height: h, width: w, kernel: kernelSize,
                                stride: stride ?? kernelSize, padding: padding, dilation: 1)
        g.validate("avgPool2d", shape: shape)
        return Tensor.avgPool(self, geometry: g, includePadding: countIncludingPadding,
                              outputShape: Array(shape.dropLast(2)) + [g.outHeight, g.outWidth], op: "avgPool2d")
    }

    /// 1-D average pooling as `nn.functional.avg_pool1d` over (N, C, L) (or (C, L)).
    public func avgPool1d(kernelSize: Int, stride: Int? = nil, padding: Int = 0, countIncludingPadding: Bool = true) -> Tensor {
        precondition(rank == 2 || rank == 3, "avgPool1d: input must be (N, C, L) or (C, L), got shape \(shape)")
        let l = shape[rank - 1]
        let g = PoolingGeometry(planes: count / Swift.max(l, 1), height: 1, width: l, kernel: Size2D(1, kernelSize),
                                stride: Size2D(1, stride ?? kernelSize), padding: Size2D(0, padding), dilation: 1)
        g.validate("avgPool1d", shape: shape)
        return Tensor.avgPool(self, geometry: g, includePadding: countIncludingPadding,
                              outputShape: Array(shape.dropLast()) + [g.outWidth], op: "avgPool1d")
    }

    /// Adaptive average pooling as `nn.functional.adaptive_avg_pool2d`: output cell (i, j) averages
    /// rows ⌊i·H/oh⌋ ..< ⌈(i+1)·H/oh⌉ and the matching columns.
    public func adaptiveAvgPool2d(outputSize: Size2D) -> Tensor {
        precondition(rank == 3 || rank == 4, "adaptiveAvgPool2d: input must be (N, C, H, W) or (C, H, W), got shape \(shape)")
        precondition(outputSize.height > 0 && outputSize.width > 0, "adaptiveAvgPool2d: output size \(outputSize) must be positive")
        return Tensor.adaptiveAvgPool(self, height: shape[rank - 2], width: shape[rank - 1], output: outputSize,
                                      outputShape: Array(shape.dropLast(2)) + [outputSize.height, outputSize.width],
                                      op: "adaptiveAvgPool2d")
    }

    /// Adaptive average pooling as `nn.functional.adaptive_avg_pool1d` over (N, C, L) (or (C, L)).
    public func adaptiveAvgPool1d(outputSize: Int) -> Tensor {
        precondition(rank == 2 || rank == 3, "adaptiveAvgPool1d: input must be (N, C, L) or (C, L), got shape \(shape)")
        precondition(outputSize > 0, "adaptiveAvgPool1d: output size \(outputSize) must be positive")
        return Tensor.adaptiveAvgPool(self, height: 1, width: shape[rank - 1], output: Size2D(1, outputSize),
                                      outputShape: Array(shape.dropLast()) + [outputSize], op: "adaptiveAvgPool1d")
    }

    static func maxPool(_ x: Tensor, geometry g: PoolingGeometry, outputShape: [Int], op: String) -> Tensor {
        let oh = g.outHeight, ow = g.outWidth, inPlane = g.height * g.width, outPlane = oh * ow
        let out = Tensor(uninitializedShape: outputShape)
        var winners = [Int32](repeating: 0, count: out.count)
        let px = x.storage.pointer, po = out.storage.pointer
        winners.withUnsafeMutableBufferPointer { idx in
            if g.padding == Size2D(0) && g.dilation == Size2D(1) {
                maxPoolUnpadded(px, po, idx.baseAddress!, g)
                return
            }
            for p in 0..<g.planes {
                let src = px + p * inPlane
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        var best = -Float.infinity, bestIndex = -1
                        for ki in 0..<g.kernel.height {
                            let y = oy * g.stride.height - g.padding.height + ki * g.dilation.height
                            if y < 0 || y >= g.height { continue }
                            for kj in 0..<g.kernel.width {
                                let xx = ox * g.stride.width - g.padding.width + kj * g.dilation.width
                                if xx < 0 || xx >= g.width { continue }
                                let v = src[y * g.width + xx]
                                if v > best || v.isNaN || bestIndex < 0 {
                                    best = v; bestIndex = y * g.width + xx
                                    if v.isNaN { break }
                                }
                            }
                            if best.isNaN { break }
                        }
                        let o = p * outPlane + oy * ow + ox
                        po[o] = best
                        idx[o] = Int32(bestIndex)
                    }
                }
            }
        }
        return Tensor.recording(out, op: op, inputs: [x]) { gradient in
            let gx = Tensor.zeros(x.shape)
            let pg = gradient.storage.pointer, pgx = gx.storage.pointer
            for p in 0..<g.planes {
                for o in 0..<outPlane {
                    pgx[p * inPlane + Int(winners[p * outPlane + o])] += pg[p * outPlane + o]
                }
            }
            return [gx]
        }
    }

    /// Max pooling without padding or dilation (every window lies inside the plane): the same
    /// winners as the general loop (the first maximum in window order; the first NaN wins), with
    /// no bounds tests, planes split over the cores.
    private static func maxPoolUnpadded(_ px: UnsafeMutablePointer<Float>, _ po: UnsafeMutablePointer<Float>,
                                        _ idx: UnsafeMutablePointer<Int32>, _ g: PoolingGeometry) {
        let oh = g.outHeight, ow = g.outWidth, width = g.width, inPlane = g.height * width, outPlane = oh * ow
        let kh = g.kernel.height, kw = g.kernel.width, sh = g.stride.height, sw = g.stride.width
        Parallel.forChunks(g.planes, threshold: Swift.max(2, Parallel.memoryBoundThreshold / Swift.max(inPlane, 1))) { planes in
            for p in planes {
                let src = px + p * inPlane
                let dst = po + p * outPlane, winner = idx + p * outPlane
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        let base = oy * sh * width + ox * sw
                        var best = src[base], bestIndex = base
                        if !best.isNaN {
                            search: for ki in 0..<kh {
                                let row = base + ki * width
                                for kj in (ki == 0 ? 1 : 0)..<kw {
                                    let v = src[row + kj]
                                    if v > best || v.isNaN {
                                        best = v
                                        bestIndex = row + kj
                                        if v.isNaN { break search }
                                    }
                                }
                            }
                        }
                        dst[oy * ow + ox] = best
                        winner[oy * ow + ox] = Int32(bestIndex)
                    }
                }
            }
        }
    }

    static func avgPool(_ x: Tensor, geometry g: PoolingGeometry, includePadding: Bool, outputShape: [Int], op: String) -> Tensor {
        let oh = g.outHeight, ow = g.outWidth, inPlane = g.height * g.width, outPlane = oh * ow
        // Window bounds and divisor per output cell (the same for every plane).
        var windows: [(y0: Int, y1: Int, x0: Int, x1: Int, divisor: Float)] = []
        windows.reserveCapacity(outPlane)
        for oy in 0..<oh {
            for ox in 0..<ow {
                let ys = oy * g.stride.height - g.padding.height, xs = ox * g.stride.width - g.padding.width
                let ye = Swift.min(ys + g.kernel.height, g.height + g.padding.height)
                let xe = Swift.min(xs + g.kernel.width, g.width + g.padding.width)
                let padded = (ye - ys) * (xe - xs)
                let y0 = Swift.max(ys, 0), x0 = Swift.max(xs, 0)
                let y1 = Swift.min(ye, g.height), x1 = Swift.min(xe, g.width)
                let divisor = includePadding ? padded : (y1 - y0) * (x1 - x0)
                windows.append((y0, y1, x0, x1, Float(divisor)))
            }
        }
        let out = Tensor(uninitializedShape: outputShape)
        let px = x.storage.pointer, po = out.storage.pointer
        for p in 0..<g.planes {
            let src = px + p * inPlane
            for (o, w) in windows.enumerated() {
                var total: Float = 0
                for y in w.y0..<w.y1 { for xx in w.x0..<w.x1 { total += src[y * g.width + xx] } }
                po[p * outPlane + o] = total / w.divisor
            }
        }
        return Tensor.recording(out, op: op, inputs: [x]) { gradient in
            let gx = Tensor.zeros(x.shape)
            let pg = gradient.storage.pointer, pgx = gx.storage.pointer
            for p in 0..<g.planes {
                let dst = pgx + p * inPlane
                for (o, w) in windows.enumerated() {
                    let v = pg[p * outPlane + o] / w.divisor
                    for y in w.y0..<w.y1 { for xx in w.x0..<w.x1 { dst[y * g.width + xx] += v } }
                }
            }
            return [gx]
        }
    }

    static func adaptiveAvgPool(_ x: Tensor, height: Int, width: Int, output: Size2D, outputShape: [Int], op: String) -> Tensor {
        let inPlane = height * width, outPlane = output.height * output.width
        let planes = x.count / Swift.max(inPlane, 1)
        var windows: [(y0: Int, y1: Int, x0: Int, x1: Int, divisor: Float)] = []
        for i in 0..<output.height {
            let y0 = i * height / output.height, y1 = ((i + 1) * height + output.height - 1) / output.height
            for j in 0..<output.width {
                let x0 = j * width / output.width, x1 = ((j + 1) * width + output.width - 1) / output.width
                windows.append((y0, y1, x0, x1, Float((y1 - y0) * (x1 - x0))))
            }
        }
        let out = Tensor(uninitializedShape: outputShape)
        let px = x.storage.pointer, po = out.storage.pointer
        for p in 0..<planes {
            let src = px + p * inPlane
            for (o, w) in windows.enumerated() {
                var total: Float = 0
                for y in w.y0..<w.y1 { total += Kernels.sumContiguous(src + y * width + w.x0, w.x1 - w.x0) }
                po[p * outPlane + o] = total / w.divisor
            }
        }
        return Tensor.recording(out, op: op, inputs: [x]) { gradient in
            let gx = Tensor.zeros(x.shape)
            let pg = gradient.storage.pointer, pgx = gx.storage.pointer
            for p in 0..<planes {
                let dst = pgx + p * inPlane
                for (o, w) in windows.enumerated() {
                    let v = pg[p * outPlane + o] / w.divisor
                    for y in w.y0..<w.y1 { for xx in w.x0..<w.x1 { dst[y * width + xx] += v } }
                }
            }
            return [gx]
        }
    }
}
