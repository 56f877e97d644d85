import ConvergeCore

extension Tensor {
    /// An embedding lookup with integer ids (`nn.functional.embedding` with an `int64` input):
    /// the rows of `weight` (V, D) picked by `indices` (any shape), giving `indices.shape + [D]`.
    /// The gradient adds into the picked rows, except the row `paddingIndex` (when given).
    public static func embedding(_ indices: IndexTensor, weight: Tensor, paddingIndex: Int? = nil) -> Tensor {
        precondition(weight.rank == 2, "embedding: weight must be (numEmbeddings, dimension), got shape \(weight.shape)")
        let v = weight.shape[0]
        let rows: [Int] = indices.indices.map { value in
            let i = Int(value)
            precondition(i >= 0 && i < v,
                         "embedding: index \(i) is out of range 0..<\(v) (weight shape \(weight.shape), indices shape \(indices.shape))")
            return i
        }
        return embedding(rows: rows, shape: indices.shape, weight: weight, paddingIndex: paddingIndex)
    }
}

extension Embedding {
    /// Looks up the rows named by integer `indices`.
    public func callAsFunction(_ indices: IndexTensor) -> Tensor {
        Tensor.embedding(indices, weight: weight, paddingIndex: paddingIndex)
    }
}
