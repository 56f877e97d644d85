import ConvergeCore

/// The hidden and cell state of an LSTM: `[batch, hidden]` for ``LSTMCell``,
/// `[layers, batch, hidden]` for ``LSTM`` (without the batch axis for unbatched input).
public struct LSTMState {
    /// The hidden state `h` (also the output).
    public var hidden: Tensor
    /// The cell state `c`.
    public var cell: Tensor

    /// Creates a state from its two tensors.
    public init(hidden: Tensor, cell: Tensor) {
        self.hidden = hidden
        self.cell = cell
    }
}

/// One time step of the LSTM and GRU recurrences, built from differentiable ops (autograd
/// provides the backward pass), shared by the cells and the multi-layer modules.
enum RecurrentMath {
    /// Gate `k` (of width `hidden`) of pre-activations whose last axis holds the gates side by side.
    @inline(__always)
    static func gate(_ x: Tensor, _ k: Int, _ hidden: Int) -> Tensor {
        x.sliced(alongAxis: -1, (k * hidden)..<((k + 1) * hidden))
    }

    /// LSTM step with PyTorch's gate order i, f, g, o:
    /// `i, f, o = σ(·)`, `g = tanh(·)`, `c′ = f·c + i·g`, `h′ = o·tanh(c′)`, where the gate
    /// pre-activations are `inputProjection + h·W_hhᵀ + b_hh` and `inputProjection = x·W_ihᵀ + b_ih`.
    static func lstmStep(inputProjection: Tensor, state: LSTMState, weightHH: Tensor, biasHH: Tensor?) -> LSTMState {
        let h = weightHH.shape[1]
        let gates = inputProjection + state.hidden.linear(weight: weightHH, bias: biasHH)
        let i = gate(gates, 0, h).sigmoid(), f = gate(gates, 1, h).sigmoid()
        let g = gate(gates, 2, h).tanh(), o = gate(gates, 3, h).sigmoid()
        let cell = f * state.cell + i * g
        return LSTMState(hidden: o * cell.tanh(), cell: cell)
    }

    /// GRU step with PyTorch's gate order r, z, n:
    /// `r = σ(x_r + h_r)`, `z = σ(x_z + h_z)`, `n = tanh(x_n + r·h_n)`, `h′ = (1 − z)·n + z·h`, where
    /// `x_* = x·W_ihᵀ + b_ih` (the input projection) and `h_* = h·W_hhᵀ + b_hh`, split by gate.
    static func gruStep(inputProjection: Tensor, hidden: Tensor, weightHH: Tensor, biasHH: Tensor?) -> Tensor {
        let size = weightHH.shape[1]
        let hp = hidden.linear(weight: weightHH, bias: biasHH)
        let r = (gate(inputProjection, 0, size) + gate(hp, 0, size)).sigmoid()
        let z = (gate(inputProjection, 1, size) + gate(hp, 1, size)).sigmoid()
        let n = (gate(inputProjection, 2, size) + r * gate(hp, 2, size)).tanh()
        return n + z * (hidden - n)
    }

    /// Fills recurrent parameters: PyTorch's default U(−1/√hidden, 1/√hidden) for all, drawn in
    /// the order weightIH, weightHH, biasIH, biasHH; then optionally orthogonal recurrent weights
    /// (one orthogonal `hidden × hidden` block per gate) and a constant bias for one gate (put in
    /// `biasIH`, with `biasHH`'s entries for that gate zeroed, so the gate's total bias is `value`).
    static func initialize(weightIH: Tensor, weightHH: Tensor, biasIH: Tensor?, biasHH: Tensor?, hiddenSize: Int,
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
