extension Tensor {
    /// Checks the shapes of a matrix product and returns the result shape.
    public static func matmulShape(_ a: [Int], _ b: [Int]) throws -> [Int] {
        guard !a.isEmpty && !b.isEmpty else { throw ShapeError("matmul: shapes \(a) and \(b): both operands need at least 1 dimension") }
        let a2 = a.count == 1 ? [1] + a : a
        let b2 = b.count == 1 ? b + [1] : b
        let k1 = a2[a2.count - 1], k2 = b2[b2.count - 2]
        guard k1 == k2 else { throw ShapeError("matmul: shapes \(a) and \(b) do not fit (inner dimensions \(k1) ≠ \(k2))") }
        let batch = try Shape.broadcast(Array(a2.dropLast(2)), Array(b2.dropLast(2)), op: "matmul")
        var result = batch + [a2[a2.count - 2], b2[b2.count - 1]]
        if a.count == 1 { result.remove(at: result.count - 2) }
        if b.count == 1 { result.removeLast() }
        return result
    }

    /// Raw batched product of `a` [batch…, m, k] (or [batch…, k, m] when `transA`) and `b`
    /// [batch…, k, n] (or [batch…, n, k] when `transB`) with equal batch dimensions.
    static func rawBatchedProduct(_ a: Tensor, _ b: Tensor, transA: Bool, transB: Bool) -> Tensor {
        let ra = a.rank, rb = b.rank
        let m = transA ? a.shape[ra - 1] : a.shape[ra - 2]
        let k = transA ? a.shape[ra - 2] : a.shape[ra - 1]
        let n = transB ? b.shape[rb - 2] : b.shape[rb - 1]
        let batchA = Shape.count(Array(a.shape.dropLast(2)))
        let batchB = Shape.count(Array(b.shape.dropLast(2)))
        let batchShape = ra >= rb ? Array(a.shape.dropLast(2)) : Array(b.shape.dropLast(2))
        let batch = Swift.max(batchA, batchB)
        let out = Tensor(uninitializedShape: batchShape + [m, n])
        let lda = a.shape[ra - 1], ldb = b.shape[rb - 1]
        for i in 0..<batch {
            let pa = a.storage.pointer + (batchA == 1 ? 0 : i * m * k)
            let pb = b.storage.pointer + (batchB == 1 ? 0 : i * k * n)
            Kernels.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1, a: pa, lda: lda,
                         b: pb, ldb: ldb, beta: 0, c: out.storage.pointer + i * m * n, ldc: n)
        }
        return out
    }

    /// Matrix product with PyTorch's `matmul` rules: 1-D operands are promoted (and the added
    /// dimension removed), leading batch dimensions broadcast.
    public func matmul(_ other: Tensor) -> Tensor {
        let resultShape = checked { try Tensor.matmulShape(shape, other.shape) }
        var a = rank == 1 ? unsqueezed(at: 0) : self
        var b = other.rank == 1 ? other.unsqueezed(at: 1) : other
        // A batched left operand times a matrix folds into one GEMM.
        if a.rank > 2 && b.rank == 2 {
            let rows = Shape.count(Array(a.shape.dropLast()))
            let folded = a.reshaped([rows, a.shape[a.rank - 1]]).matmul(b)
            return folded.reshaped(resultShape)
        }
        if a.rank > 2 || b.rank > 2 {
            let batch = checked { try Shape.broadcast(Array(a.shape.dropLast(2)), Array(b.shape.dropLast(2)), op: "matmul") }
            let aFull = batch + Array(a.shape.suffix(2)), bFull = batch + Array(b.shape.suffix(2))
            if a.shape != aFull && Shape.count(Array(a.shape.dropLast(2))) != 1 { a = a.expanded(to: aFull) }
            if b.shape != bFull && Shape.count(Array(b.shape.dropLast(2))) != 1 { b = b.expanded(to: bFull) }
        }
        let (x, y) = (a, b)
        let out = Tensor.rawBatchedProduct(x, y, transA: false, transB: false)
        let recorded = Tensor.result(out, op: "matmul", inputs: [x, y]) { g in
            [x.requiresGrad ? Tensor.rawBatchedProduct(g, y, transA: false, transB: true).summed(toShape: x.shape) : nil,
             y.requiresGrad ? Tensor.rawBatchedProduct(x, g, transA: true, transB: false).summed(toShape: y.shape) : nil]
        }
        return recorded.shape == resultShape ? recorded : recorded.reshaped(resultShape)
    }

    /// `x · Wᵀ + b` as in `nn.Linear`, with `weight` of shape [out, in]: one GEMM with no
    /// transpose copy, forward or backward.
    public func linear(weight: Tensor, bias: Tensor?) -> Tensor {
        precondition(weight.rank == 2, "linear: weight must be 2-D, got shape \(weight.shape)")
        let inFeatures = weight.shape[1], outFeatures = weight.shape[0]
        precondition(rank >= 1 && shape[rank - 1] == inFeatures,
                     "linear: input of shape \(shape) does not fit weight of shape \(weight.shape) (last dimension must be \(inFeatures))")
        if let bias { precondition(bias.shape == [outFeatures], "linear: bias of shape \(bias.shape) does not fit weight of shape \(weight.shape)") }
        let lead = Array(shape.dropLast())
        let rows = Shape.count(lead)
        let x = self
        let out = Tensor(uninitializedShape: lead + [outFeatures])
        let po = out.storage.pointer
        if let bias {
            for r in 0..<rows { (po + r * outFeatures).update(from: bias.storage.pointer, count: outFeatures) }
        }
        Kernels.gemm(transA: false, transB: true, m: rows, n: outFeatures, k: inFeatures, alpha: 1,
                     a: storage.pointer, lda: inFeatures, b: weight.storage.pointer, ldb: inFeatures,
                     beta: bias == nil ? 0 : 1, c: po, ldc: outFeatures)
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        return Tensor.result(out, op: "linear", inputs: inputs) { g in
            var grads: [Tensor?] = []
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
                grads.append(bias.requiresGrad ? g.reshaped([rows, outFeatures]).reduceRaw(.sum, axes: [0]).reshaped([outFeatures]) : nil)
            }
            return grads
        }
    }
}
