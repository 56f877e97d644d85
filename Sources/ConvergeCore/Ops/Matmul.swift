extension Tensor {
    /// Checks the shapes of a matrix product and returns the result shape.
    public static func matmulShape(_ a: [Int], _ b: [Int]) throws -> [Int] {
        guard !a.isEmpty && !b.isEmpty else { throw ShapeError("matmul: shapes \(a) and \(b): both operands need at least 1 dimension") }
        let a2 = a.count == 1 ? [1] + a : a
        let b2 = b.count == 1 ? b + [1] : b
        let k1 = a2[a2.count - 1], k2 = b2[b2.count - 2]
        guard k1 == k2 else { throw ShapeError("matmul: shapes \(a) and \(b) do not fit (inner dimensions \(k1) ≠ \(k2))") }
        let batch: [Int]
        do {
            batch = try Shape.broadcast(Array(a2.dropLast(2)), Array(b2.dropLast(2)), op: "matmul")
        } catch {
            throw ShapeError("matmul: batch dimensions of shapes \(a) and \(b) cannot be broadcast together")
        }
        var result = batch + [a2[a2.count - 2], b2[b2.count - 1]]
        if a.count == 1 { result.remove(at: result.count - 2) }
        if b.count == 1 { result.removeLast() }
        return result
    }

    /// The batch loop of a broadcast batched product: for every index of `batch`, the element
    /// offsets of the operands' matrices (0 steps along broadcast batch dimensions).
    struct BatchOffsets {
        let count: Int
        private let shape: [Int], aStrides: [Int], bStrides: [Int]

        /// `aBatch`/`bBatch` are the operands' batch dimensions; `aMatrix`/`bMatrix` their matrix sizes.
        init(batch: [Int], aBatch: [Int], aMatrix: Int, bBatch: [Int], bMatrix: Int) {
            shape = batch
            count = Shape.count(batch)
            aStrides = Shape.broadcastStrides(aBatch, to: batch).map { $0 * aMatrix }
            bStrides = Shape.broadcastStrides(bBatch, to: batch).map { $0 * bMatrix }
        }

        /// Calls `body(i, aOffset, bOffset)` for every batch index in row-major order.
        func forEach(_ body: (Int, Int, Int) -> Void) {
            var index = [Int](repeating: 0, count: shape.count)
            var offA = 0, offB = 0
            for i in 0..<count {
                body(i, offA, offB)
                var d = shape.count - 1
                while d >= 0 {
                    index[d] += 1
                    offA += aStrides[d]
                    offB += bStrides[d]
                    if index[d] < shape[d] { break }
                    offA -= index[d] * aStrides[d]
                    offB -= index[d] * bStrides[d]
                    index[d] = 0
                    d -= 1
                }
            }
        }
    }

    /// Matrix product with PyTorch's `matmul` rules: 1-D operands are promoted (and the added
    /// dimension removed), leading batch dimensions broadcast (without copying the operands).
    /// A batched left operand times a matrix runs as one GEMM.
    public func matmul(_ other: Tensor) -> Tensor {
        let resultShape = checked { try Tensor.matmulShape(shape, other.shape) }
        let x = self, y = other
        let ra = rank, rb = other.rank
        let m = ra == 1 ? 1 : shape[ra - 2], k = shape[ra - 1]
        let n = rb == 1 ? 1 : other.shape[rb - 1]
        let aBatch = ra > 2 ? Array(shape.dropLast(2)) : []
        let bBatch = rb > 2 ? Array(other.shape.dropLast(2)) : []
        let out = Tensor(uninitializedShape: resultShape)
        let pa = storage.pointer, pb = other.storage.pointer, po = out.storage.pointer

        if bBatch.isEmpty {
            // [batch…, m, k] · [k, n]: fold the batch into the rows.
            let rows = Shape.count(aBatch) * m
            Kernels.gemm(transA: false, transB: false, m: rows, n: n, k: k, alpha: 1, a: pa, lda: k,
                         b: pb, ldb: n, beta: 0, c: po, ldc: n)
            return Tensor.result(out, op: "matmul", inputs: [x, y]) { g in
                let pg = g.storage.pointer
                var ga: Tensor?, gb: Tensor?
                if x.requiresGrad {
                    let t = Tensor(uninitializedShape: x.shape)
                    Kernels.gemm(transA: false, transB: true, m: rows, n: k, k: n, alpha: 1, a: pg, lda: n,
                                 b: pb, ldb: n, beta: 0, c: t.storage.pointer, ldc: k)
                    ga = t
                }
                if y.requiresGrad {
                    let t = Tensor(uninitializedShape: y.shape)
                    Kernels.gemm(transA: true, transB: false, m: k, n: n, k: rows, alpha: 1, a: pa, lda: k,
                                 b: pg, ldb: n, beta: 0, c: t.storage.pointer, ldc: n)
                    gb = t
                }
                return [ga, gb]
            }
        }

        let batch = checked { try Shape.broadcast(aBatch, bBatch, op: "matmul") }
        let offsets = BatchOffsets(batch: batch, aBatch: aBatch, aMatrix: m * k, bBatch: bBatch, bMatrix: k * n)
        offsets.forEach { i, offA, offB in
            Kernels.gemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: pa + offA, lda: k,
                         b: pb + offB, ldb: n, beta: 0, c: po + i * m * n, ldc: n)
        }
        // An operand broadcast over batch dimensions receives the sum of its batch gradients:
        // its gradient buffer is zeroed and every batch GEMM accumulates into it (beta = 1).
        let aBroadcast = Shape.count(aBatch) != offsets.count
        let bBroadcast = Shape.count(bBatch) != offsets.count
        return Tensor.result(out, op: "matmul", inputs: [x, y]) { g in
            let pg = g.storage.pointer
            var ga: Tensor?, gb: Tensor?
            if x.requiresGrad {
                let t = aBroadcast ? Tensor.zeros(x.shape) : Tensor(uninitializedShape: x.shape)
                let pt = t.storage.pointer
                offsets.forEach { i, offA, offB in
                    Kernels.gemm(transA: false, transB: true, m: m, n: k, k: n, alpha: 1, a: pg + i * m * n, lda: n,
                                 b: pb + offB, ldb: n, beta: aBroadcast ? 1 : 0, c: pt + offA, ldc: k)
                }
                ga = t
            }
            if y.requiresGrad {
                let t = bBroadcast ? Tensor.zeros(y.shape) : Tensor(uninitializedShape: y.shape)
                let pt = t.storage.pointer
                offsets.forEach { i, offA, offB in
                    Kernels.gemm(transA: true, transB: false, m: k, n: n, k: m, alpha: 1, a: pa + offA, lda: k,
                                 b: pg + i * m * n, ldb: n, beta: bBroadcast ? 1 : 0, c: pt + offB, ldc: n)
                }
                gb = t
            }
            return [ga, gb]
        }
    }

    /// `x · Wᵀ + b` as in `nn.Linear`, with `weight` of shape [out, in] and `bias` [out]: one GEMM
    /// with no transpose copy, forward or backward; the bias gradient is a column sum.
    public func linear(weight: Tensor, bias: Tensor?) -> Tensor {
        let x = self
        let out = linearOutput(weight: weight, bias: bias)
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        return Tensor.result(out, op: "linear", inputs: inputs) { g in
            Tensor.linearGradients(upstream: g, input: x, weight: weight, bias: bias)
        }
    }

    /// The value of ``linear(weight:bias:)`` without recording the op (for fused layers that
    /// record their own backward).
    public func linearOutput(weight: Tensor, bias: Tensor?) -> Tensor {
        let resultShape = checked { try ShapeCheck.linear(input: shape, weight: weight.shape, bias: bias?.shape) }
        let inFeatures = weight.shape[1], outFeatures = weight.shape[0]
        let rows = Shape.count(shape, 0..<(rank - 1))
        let out = Tensor(uninitializedShape: resultShape)
        let po = out.storage.pointer
        if let bias {
            let pb = bias.storage.pointer
            // The bias rows, on the threads that then multiply those rows (the split is by rows).
            Parallel.forChunks(rows, threshold: Swift.max(1, Parallel.memoryBoundThreshold / Swift.max(1, outFeatures))) { range in
                for r in range { (po + r * outFeatures).update(from: pb, count: outFeatures) }
            }
        }
        Kernels.gemm(transA: false, transB: true, m: rows, n: outFeatures, k: inFeatures, alpha: 1,
                     a: storage.pointer, lda: inFeatures, b: weight.storage.pointer, ldb: inFeatures,
                     beta: bias == nil ? 0 : 1, c: po, ldc: outFeatures)
        return out
    }

    /// Gradients of `x · Wᵀ + b` with respect to `input`, `weight` and `bias` (when present), given
    /// the gradient of its output; `nil` for operands that do not require one.
    public static func linearGradients(upstream g: Tensor, input x: Tensor, weight: Tensor, bias: Tensor?) -> [Tensor?] {
        let inFeatures = weight.shape[1], outFeatures = weight.shape[0]
        let rows = Shape.count(x.shape, 0..<(x.rank - 1))
        var grads: [Tensor?] = []
        grads.reserveCapacity(3)
        if x.requiresGrad {
            let gx = Tensor(uninitializedShape: x.shape)
            Kernels.gemm(transA: false, transB: false, m: rows, n: inFeatures, k: outFeatures, alpha: 1,
                         a: g.storage.pointer, lda: outFeatures, b: weight.storage.pointer, ldb: inFeatures,
                         beta: 0, c: gx.storage.pointer, ldc: inFeatures)
            grads.append(gx)
        } else { grads.append(nil) }
        if weight.requiresGrad {
            let gw = Tensor(uninitializedShape: weight.shape)
            Kernels.gemm(transA: true, transB: false, m: outFeatures, n: inFeatures, k: rows, alpha: 1,
                         a: g.storage.pointer, lda: outFeatures, b: x.storage.pointer, ldb: inFeatures,
                         beta: 0, c: gw.storage.pointer, ldc: inFeatures)
            grads.append(gw)
        } else { grads.append(nil) }
        if let bias {
            if bias.requiresGrad {
                let gb = Tensor(uninitializedShape: bias.shape)
                Kernels.reduce(.sum, g.storage.pointer, outer: 1, reduced: rows, inner: outFeatures, gb.storage.pointer)
                grads.append(gb)
            } else { grads.append(nil) }
        }
        return grads
    }
}
