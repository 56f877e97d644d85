import ConvergeCore

/// One time step of the LSTM and GRU recurrences built from differentiable ops (autograd
/// provides the backward pass), used by ``LSTMCell`` and ``GRUCell``. The multi-layer modules run
/// the same equations as fused sequence ops (``SequenceRecurrence``).
enum RecurrentCellStep {
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
}
