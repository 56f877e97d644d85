import ConvergeCore

/// A multi-layer gated recurrent unit network over sequences, with PyTorch's `nn.GRU` semantics
/// and parameter layout (gates r, z, n; parameters `weightIH0`, `weightHH0`, `biasIH0`,
/// `biasHH0`, … for `weight_ih_l0`, …).
///
/// ```swift
/// let gru = GRU(inputSize: 16, hiddenSize: 32, layerCount: 2)
/// let output = gru(x)                                   // [time, batch, 32]
/// let (output2, hidden) = gru(x, initialHidden: nil)    // hidden: [2, batch, 32]
/// ```
public final class GRU: RecurrentLayer {
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
    ///   - updateGateBias: when set, each layer's update gate starts with this total bias — the
    ///     GRU analogue of an LSTM's forget-gate bias (a positive value carries the state forward).
    ///   - orthogonalRecurrentWeights: when true, each gate's `hidden × hidden` block of every
    ///     `weightHH` is orthogonal.
    public init(inputSize: Int, hiddenSize: Int, layerCount: Int = 1, bias: Bool = true, batchFirst: Bool = false,
                dropout: Float = 0, updateGateBias: Float? = nil, orthogonalRecurrentWeights: Bool = false,
                generator: RandomGenerator = Random.generator) {
        precondition(updateGateBias == nil || bias, "GRU: updateGateBias needs bias: true")
        super.init(kind: "GRU", gateCount: 3, inputSize: inputSize, hiddenSize: hiddenSize, layerCount: layerCount,
                   bias: bias, batchFirst: batchFirst, dropout: dropout,
                   orthogonalRecurrentWeights: orthogonalRecurrentWeights,
                   gateBias: updateGateBias.map { (1, $0) }, generator: generator)
    }

    /// The last layer's hidden state at every step, from zero initial states:
    /// `[time, batch, hidden]` (`[batch, time, hidden]` with ``RecurrentLayer/batchFirst``, or
    /// `[time, hidden]` for unbatched input).
    public override func forward(_ input: Tensor) -> Tensor { run(input, initialHidden: nil).output }

    /// The output sequence (as ``forward(_:)``) and the final hidden state of every layer,
    /// `[layers, batch, hidden]` (`[layers, hidden]` unbatched), starting from `initialHidden` of
    /// that shape (zeros when `nil`).
    public func callAsFunction(_ input: Tensor, initialHidden: Tensor?) -> (output: Tensor, hidden: Tensor) {
        Anomaly.withModulePath(path ?? "GRU") { run(input, initialHidden: initialHidden) }
    }

    private func run(_ input: Tensor, initialHidden: Tensor?) -> (output: Tensor, hidden: Tensor) {
        let (x, unbatched) = timeMajor(input)
        let h0 = initialState(initialHidden, name: "hidden", batch: x.shape[1], unbatched: unbatched)
        let steps = x.shape[0]
        var sequence = x
        var finalHidden: [Tensor] = []
        for layer in 0..<layerCount {
            let outputs = SequenceRecurrence.gru(projected: projected(sequence, layer: layer), h0: layerState(h0, layer),
                                                 weightHH: weightsHH[layer], biasHH: hasBias ? biasesHH[layer] : nil)
            finalHidden.append(outputs.sliced(alongAxis: 0, (steps - 1)..<steps).squeezed(at: 0))
            sequence = betweenLayers(outputs, layer: layer)
        }
        return (callerLayout(sequence, unbatched: unbatched), stackedStates(finalHidden, unbatched: unbatched))
    }
}
