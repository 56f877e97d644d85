import ConvergeCore

extension Tensor {
    /// An embedding lookup as `nn.functional.embedding`: the rows of `weight` (V, D) picked by the
    /// integer values of `indices` (any shape), giving `indices.shape + [D]`. The gradient adds
    /// into the picked rows, except the row `paddingIndex` (when given), which gets none.
    public static func embedding(_ indices: Tensor, weight: Tensor, paddingIndex: Int? = nil) -> Tensor {
        precondition(weight.rank == 2, "embedding: weight must be (numEmbeddings, dimension), got shape \(weight.shape)")
        let v = weight.shape[0]
        let rows: [Int] = indices.scalars.map { value in
            let i = Int(value)
            precondition(Float(i) == value && i >= 0 && i < v,
                         "embedding: index \(value) is not an integer in 0..<\(v) (weight shape \(weight.shape), indices shape \(indices.shape))")
            return i
        }
        return embedding(rows: rows, shape: indices.shape, weight: weight, paddingIndex: paddingIndex)
    }

    /// The lookup both index forms share: output row `j` is `weight`'s row `rows[j]` (already
    /// validated), laid out as `shape + [D]`; the gradient adds back into those rows, except
    /// `paddingIndex`.
    static func embedding(rows: [Int], shape: [Int], weight: Tensor, paddingIndex: Int?) -> Tensor {
        let d = weight.shape[1]
        let out = Tensor(uninitializedShape: shape + [d])
        let pw = weight.storage.pointer, po = out.storage.pointer
        for (j, i) in rows.enumerated() { (po + j * d).update(from: pw + i * d, count: d) }
        return Tensor.recording(out, op: "embedding", inputs: [weight]) { gradient in
            let gw = Tensor.zeros(weight.shape)
            let pg = gradient.storage.pointer, pgw = gw.storage.pointer
            for (j, i) in rows.enumerated() where i != paddingIndex {
                let dst = pgw + i * d, src = pg + j * d
                for k in 0..<d { dst[k] += src[k] }
            }
            return [gw]
        }
    }
}
