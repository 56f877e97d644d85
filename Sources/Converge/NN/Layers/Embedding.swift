import ConvergeCore

/// A lookup table of `numEmbeddings` vectors of size `dimension`, as PyTorch's `nn.Embedding`:
/// the input holds integer indices (stored as floats) of any shape; the output appends
/// `dimension`. Initialized from N(0, 1) as PyTorch does; the row ``paddingIndex`` (if any) starts
/// at zero and receives no gradient.
public final class Embedding: Module {
    /// The table, of shape [numEmbeddings, dimension].
    @Parameter public var weight: Tensor
    /// Number of rows.
    public let numEmbeddings: Int
    /// Size of each vector.
    public let dimension: Int
    /// A row that stays fixed (zero at creation, no gradient), or `nil`.
    public let paddingIndex: Int?

    /// Creates a table; a negative `paddingIndex` counts from the end, as in PyTorch.
    public init(_ numEmbeddings: Int, _ dimension: Int, paddingIndex: Int? = nil, generator: RandomGenerator = Random.generator) {
        precondition(numEmbeddings > 0 && dimension > 0, "Embedding: sizes must be positive, got \(numEmbeddings) × \(dimension)")
        let padding = paddingIndex.map { $0 < 0 ? $0 + numEmbeddings : $0 }
        if let padding {
            precondition(padding >= 0 && padding < numEmbeddings,
                         "Embedding: padding index \(paddingIndex!) is out of range for \(numEmbeddings) embeddings")
        }
        self.numEmbeddings = numEmbeddings
        self.dimension = dimension
        self.paddingIndex = padding
        let table = Tensor.randomNormal([numEmbeddings, dimension], generator: generator)
        if let padding { (table.storage.pointer + padding * dimension).update(repeating: 0, count: dimension) }
        weight = table
        super.init()
    }

    /// Looks up the rows named by `input`'s integer values.
    public override func forward(_ input: Tensor) -> Tensor {
        Tensor.embedding(input, weight: weight, paddingIndex: paddingIndex)
    }
}
