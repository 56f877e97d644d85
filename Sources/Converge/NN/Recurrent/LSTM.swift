import ConvergeCore

/// A multi-layer long short-term memory network over sequences, with PyTorch's `nn.LSTM`
/// semantics and parameter layout (gates i, f, g, o; parameters `weightIH0`, `weightHH0`,
/// `biasIH0`, `biasHH0`, … for `weight_ih_l0`, …).
///
/// ```swift
/// let lstm = LSTM(inputSize: 16, hiddenSize: 32, layerCount: 2, batchFirst: true, forgetGateBias: 1)
/// let output = lstm(x)                               // [batch, time, 32]
/// let (output2, state) = lstm(x, initialState: nil)  // state.hidden, state.cell: [2, batch, 32]
/// ```
public final class LSTM: RecurrentLayer {
    /// Creates the network with PyTorch's default initialization U(−1/√hidden, 1/√hidden).
    ///
    /// - Parameters:
    ///   - inputSize: features per time step of the input.
    ///   - hiddenSize: size of the hidden state (of every layer).
    ///   - generator: the random numbers for the initial weights (default: the shared generator).
    ///   - layerCount: number of stacked layers (PyTorch's `num_layers`).
    ///   - bias: whether each layer learns `biasIH`/`biasHH`.
    ///   - batchFirst: whether batched sequences are `[batch, time, features]`.
    ///   - dropout: dropout probability on the outputs of every layer but the last, in training.
    ///   - forgetGateBias: when set, each layer's forget gate starts with this total bias
    ///     (Jozefowicz et al. 2015 recommend 1); it goes into `biasIH`, and `biasHH`'s forget
    ///     entries are zeroed.
    ///   - orthogonalRecurrentWeights: when true, each gate's `hidden × hidden` block of every
    ///     `weightHH` is orthogonal (Saxe et al. 2014).
    public init(inputSize: Int, hiddenSize: Int, layerCount: Int = 1, bias: Bool = true, batchFirst: Bool = false,
                dropout: Float = 0, forgetGateBias: Float? = nil, orthogonalRecurrentWeights: Bool = false,
                generator: RandomGenerator = Random.generator) {
        precondition(forgetGateBias == nil || bias, "LSTM: forgetGateBias needs bias: true")
        super.init(kind: "LSTM", gateCount: 4, inputSize: inputSize, hiddenSize: hiddenSize, layerCount: layerCount,
                   bias: bias, batchFirst: batchFirst, dropout: dropout,
                   orthogonalRecurrentWeights: orthogonalRecurrentWeights,
                   gateBias: forgetGateBias.map { (1, $0) }, generator: generator)
    }

    /// The last layer's hidden state at every step, from zero initial states:
    /// `[time, batch, hidden]` (`[batch, time, hidden]` with ``RecurrentLayer/batchFirst``, or
    /// `[time, hidden]` for unbatched input).
    public override func forward(_ input: Tensor) -> Tensor { run(input, initialState: nil).output }

    /// The output sequence (as ``forward(_:)``) and the final hidden and cell states of every
    /// layer, `[layers, batch, hidden]` (`[layers, hidden]` unbatched), starting from
    /// `initialState` of those shapes (zeros when `nil`).
    public func callAsFunction(_ input: Tensor, initialState: LSTMState?) -> (output: Tensor, state: LSTMState) {
        Anomaly.withModulePath(path ?? "LSTM") { run(input, initialState: initialState) }
    }

    private func run(_ input: Tensor, initialState: LSTMState?) -> (output: Tensor, state: LSTMState) {
        let (x, unbatched) = timeMajor(input)
        let batch = x.shape[1]
        let h0 = self.initialState(initialState?.hidden, name: "hidden", batch: batch, unbatched: unbatched)
        let c0 = self.initialState(initialState?.cell, name: "cell", batch: batch, unbatched: unbatched)
        let steps = x.shape[0]
        var sequence = x
        var finalHidden: [Tensor] = [], finalCell: [Tensor] = []
        for layer in 0..<layerCount {
            let packed = SequenceRecurrence.lstm(projected: projected(sequence, layer: layer), h0: layerState(h0, layer),
                                                 c0: layerState(c0, layer), weightHH: weightsHH[layer],
                                                 biasHH: hasBias ? biasesHH[layer] : nil)
            let outputs = packed.sliced(alongAxis: 0, 0..<steps)
            finalHidden.append(outputs.sliced(alongAxis: 0, (steps - 1)..<steps).squeezed(at: 0))
            finalCell.append(packed.sliced(alongAxis: 0, steps..<(steps + 1)).squeezed(at: 0))
            sequence = betweenLayers(outputs, layer: layer)
        }
        let final = LSTMState(hidden: stackedStates(finalHidden, unbatched: unbatched),
                              cell: stackedStates(finalCell, unbatched: unbatched))
        return (callerLayout(sequence, unbatched: unbatched), final)
    }
}
