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
