import ConvergeCore

/// One step of a gated recurrent unit (Cho et al. 2014) with PyTorch's `nn.GRUCell` layout:
/// gates r (reset), z (update), n (candidate) stacked in that order along the first axis of
/// `weightIH` `[3·hidden, input]` and `weightHH` `[3·hidden, hidden]`, and
/// `h′ = (1 − z)·n + z·h` with `n = tanh(W_in·x + b_in + r·(W_hn·h + b_hn))`.
public final class GRUCell: Module {
    /// Input-to-hidden weights `[3·hidden, input]`, gates r, z, n.
    @Parameter public var weightIH: Tensor
    /// Hidden-to-hidden weights `[3·hidden, hidden]`.
    @Parameter public var weightHH: Tensor
    /// Input-to-hidden bias `[3·hidden]`, or `nil`.
    @OptionalParameter public var biasIH: Tensor?
    /// Hidden-to-hidden bias `[3·hidden]`, or `nil`.
    @OptionalParameter public var biasHH: Tensor?
    /// Features per input step.
    public let inputSize: Int
    /// Size of the hidden state.
    public let hiddenSize: Int

    /// Creates a cell with PyTorch's default initialization U(−1/√hidden, 1/√hidden).
    ///
    /// - Parameters:
    ///   - inputSize: features of each input.
    ///   - hiddenSize: size of the hidden state.
    ///   - generator: the random numbers for the initial weights (default: the shared generator).
    ///   - bias: whether to learn `biasIH` and `biasHH`.
    ///   - updateGateBias: when set, the update gate's total bias starts at this value — the GRU
    ///     analogue of an LSTM's forget-gate bias: a positive value makes `z` start near 1, so the
    ///     state is carried forward and gradients flow through time.
    ///   - orthogonalRecurrentWeights: when true, each gate's `hidden × hidden` block of
    ///     `weightHH` is an orthogonal matrix.
    public init(inputSize: Int, hiddenSize: Int, bias: Bool = true, updateGateBias: Float? = nil,
                orthogonalRecurrentWeights: Bool = false, generator: RandomGenerator = Random.generator) {
        precondition(inputSize > 0 && hiddenSize > 0,
                     "GRUCell: sizes must be positive, got inputSize \(inputSize), hiddenSize \(hiddenSize)")
        precondition(updateGateBias == nil || bias, "GRUCell: updateGateBias needs bias: true")
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        weightIH = Tensor.zeros([3 * hiddenSize, inputSize])
        weightHH = Tensor.zeros([3 * hiddenSize, hiddenSize])
        biasIH = bias ? Tensor.zeros([3 * hiddenSize]) : nil
        biasHH = bias ? Tensor.zeros([3 * hiddenSize]) : nil
        super.init()
        RecurrentInitialization.apply(weightIH: weightIH, weightHH: weightHH, biasIH: biasIH, biasHH: biasHH,
                                      hiddenSize: hiddenSize, orthogonalRecurrentWeights: orthogonalRecurrentWeights,
                                      gateBias: updateGateBias.map { (1, $0) }, generator: generator)
    }

    /// The next hidden state for `input` `[batch, input]` (or `[input]`), starting from `hidden`
    /// (zeros when `nil`), shaped `[batch, hidden]` (or `[hidden]`).
    public func callAsFunction(_ input: Tensor, hidden: Tensor?) -> Tensor {
        Anomaly.withModulePath(path ?? "GRUCell") { step(input, hidden: hidden) }
    }

    /// The next hidden state from a zero state (use ``callAsFunction(_:hidden:)`` to carry state).
    public override func forward(_ input: Tensor) -> Tensor { step(input, hidden: nil) }

    private func step(_ input: Tensor, hidden: Tensor?) -> Tensor {
        precondition((input.rank == 1 || input.rank == 2) && input.shape.last == inputSize,
                     "GRUCell: input of shape \(input.shape) does not fit inputSize \(inputSize) (expected [batch, \(inputSize)] or [\(inputSize)])")
        let stateShape = Array(input.shape.dropLast()) + [hiddenSize]
        let h = hidden ?? Tensor.zeros(stateShape)
        precondition(h.shape == stateShape,
                     "GRUCell: hidden state of shape \(h.shape) does not fit input of shape \(input.shape) (expected \(stateShape))")
        return RecurrentCellStep.gruStep(inputProjection: input.linear(weight: weightIH, bias: biasIH), hidden: h,
                                     weightHH: weightHH, biasHH: biasHH)
    }
}
