import ConvergeCore
import Foundation

/// The fixed sinusoidal position signal of Vaswani et al. (2017), added to token vectors:
/// `pe[t, 2i] = sin(t / 10000^(2i/D))`, `pe[t, 2i+1] = cos(t / 10000^(2i/D))`, computed in double
/// precision and rounded once. It has no parameters and is not part of the state dictionary
/// (it is recomputed from its sizes).
public final class SinusoidalPositionalEncoding: Module {
    /// The table, `[maxLength, dimension]` (not a parameter).
    public let table: Tensor
    /// The longest sequence the table covers.
    public let maxLength: Int

    /// Creates the table for sequences up to `maxLength` of even width `dimension`.
    public init(maxLength: Int, dimension: Int) {
        precondition(maxLength > 0 && dimension > 0 && dimension % 2 == 0,
                     "SinusoidalPositionalEncoding: maxLength \(maxLength) must be positive and dimension \(dimension) positive and even")
        self.maxLength = maxLength
        var values = [Float](repeating: 0, count: maxLength * dimension)
        for t in 0..<maxLength {
            for i in stride(from: 0, to: dimension, by: 2) {
                let angle = Double(t) / Foundation.pow(10000, Double(i) / Double(dimension))
                values[t * dimension + i] = Float(Foundation.sin(angle))
                values[t * dimension + i + 1] = Float(Foundation.cos(angle))
            }
        }
        table = Tensor(shape: [maxLength, dimension], scalars: values)
        super.init()
    }

    /// Adds the first `T` rows of the table to `input` `[…, T, D]`.
    public override func forward(_ input: Tensor) -> Tensor {
        precondition(input.rank >= 2 && input.shape[input.rank - 1] == table.shape[1] && input.shape[input.rank - 2] <= maxLength,
                     "SinusoidalPositionalEncoding: input \(input.shape) must be […, T ≤ \(maxLength), \(table.shape[1])]")
        let t = input.shape[input.rank - 2]
        return input + (t == maxLength ? table : table.sliced(alongAxis: 0, 0..<t))
    }
}
