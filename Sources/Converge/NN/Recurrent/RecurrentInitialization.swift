import ConvergeCore

/// PyTorch's initialization of recurrent parameters and the options the seed chapter names for
/// them (a forget-gate bias, orthogonal recurrent weights), shared by the cells and the layers.
enum RecurrentInitialization {
    /// Fills recurrent parameters: PyTorch's default U(−1/√hidden, 1/√hidden) for all, drawn in
    /// the order weightIH, weightHH, biasIH, biasHH; then optionally orthogonal recurrent weights
    /// (one orthogonal `hidden × hidden` block per gate) and a constant bias for one gate (put in
    /// `biasIH`, with `biasHH`'s entries for that gate zeroed, so the gate's total bias is `value`).
    static func apply(weightIH: Tensor, weightHH: Tensor, biasIH: Tensor?, biasHH: Tensor?, hiddenSize: Int,
                      orthogonalRecurrentWeights: Bool, gateBias: (gate: Int, value: Float)?,
                      generator: RandomGenerator) {
        let bound = 1 / Float(hiddenSize).squareRoot()
        for t in [weightIH, weightHH] + [biasIH, biasHH].compactMap({ $0 }) {
            t.initialize(.uniform(low: -bound, high: bound), generator: generator)
        }
        if orthogonalRecurrentWeights {
            let gates = weightHH.shape[0] / hiddenSize
            let p = weightHH.storage.pointer
            for k in 0..<gates {
                let block = orthogonalMatrix(rows: hiddenSize, columns: hiddenSize, generator: generator)
                for i in 0..<block.count { p[k * hiddenSize * hiddenSize + i] = block[i] }
            }
        }
        if let gateBias {
            let range = (gateBias.gate * hiddenSize)..<((gateBias.gate + 1) * hiddenSize)
            if let biasIH { for i in range { biasIH.storage.pointer[i] = gateBias.value } }
            if let biasHH { for i in range { biasHH.storage.pointer[i] = biasIH == nil ? gateBias.value : 0 } }
        }
    }
}
