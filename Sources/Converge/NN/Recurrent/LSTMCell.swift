import ConvergeCore

/// One step of a long short-term memory cell (Hochreiter & Schmidhuber 1997) with PyTorch's
/// `nn.LSTMCell` layout: gates i, f, g, o stacked in that order along the first axis of
/// `weightIH` `[4·hidden, input]` and `weightHH` `[4·hidden, hidden]`.
///
/// ```swift
/// let cell = LSTMCell(inputSize: 8, hiddenSize: 16, forgetGateBias: 1)
/// var state: LSTMState? = nil
/// for x in steps { state = cell(x, state: state) }
/// ```
public final class LSTMCell: Module {
    /// Input-to-hidden weights `[4·hidden, input]`, gates i, f, g, o.
    @Parameter public var weightIH: Tensor
    /// Hidden-to-hidden weights `[4·hidden, hidden]`.
    @Parameter public var weightHH: Tensor
    /// Input-to-hidden bias `[4·hidden]`, or `nil`.
    @OptionalParameter public var biasIH: Tensor?
    /// Hidden-to-hidden bias `[4·hidden]`, or `nil`.
    @OptionalParameter public var biasHH: Tensor?
    /// Features per input step.
    public let inputSize: Int
    /// Size of the hidden and cell states.
    public let hiddenSize: Int

    /// Creates a cell with PyTorch's default initialization U(−1/√hidden, 1/√hidden).
    ///
    /// - Parameters:
    ///   - inputSize: features of each input.
    ///   - hiddenSize: size of the hidden state.
    ///   - generator: the random numbers for the initial weights (default: the shared generator).
    ///   - bias: whether to learn `biasIH` and `biasHH`.
    ///   - forgetGateBias: when set, the forget gate's total bias starts at this value
    ///     (Jozefowicz et al. 2015 recommend 1): `biasIH`'s forget entries take it and `biasHH`'s
    ///     are zeroed.
    ///   - orthogonalRecurrentWeights: when true, each gate's `hidden × hidden` block of
    ///     `weightHH` is an orthogonal matrix (Saxe et al. 2014).
    public init(inputSize: Int, hiddenSize: Int, bias: Bool = true, forgetGateBias: Float? = nil,
                orthogonalRecurrentWeights: Bool = false, generator: RandomGenerator = Random.generator) {
        precondition(inputSize > 0 && hiddenSize > 0,
                     "LSTMCell: sizes must be positive, got inputSize \(inputSize), hiddenSize \(hiddenSize)")
        precondition(forgetGateBias == nil || bias, "LSTMCell: forgetGateBias needs bias: true")
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        weightIH = Tensor.zeros([4 * hiddenSize, inputSize])
        weightHH = Tensor.zeros([4 * hiddenSize, hiddenSize])
        biasIH = bias ? Tensor.zeros([4 * hiddenSize]) : nil
        biasHH = bias ? Tensor.zeros([4 * hiddenSize]) : nil
        super.init()
        RecurrentInitialization.apply(weightIH: weightIH, weightHH: weightHH, biasIH: biasIH, biasHH: biasHH,
                                      hiddenSize: hiddenSize, orthogonalRecurrentWeights: orthogonalRecurrentWeights,
                                      gateBias: forgetGateBias.map { (1, $0) }, generator: generator)
    }

    /// The next hidden and cell states for `input` `[batch, input]` (or `[input]`), starting from
    /// `state` (zeros when `nil`), each `[batch, hidden]` (or `[hidden]`).
    public func callAsFunction(_ input: Tensor, state: LSTMState?) -> LSTMState {
        Anomaly.withModulePath(path ?? "LSTMCell") { step(input, state: state) }
    }

    /// The next hidden state from a zero state (use ``callAsFunction(_:state:)`` to carry state).
    public override func forward(_ input: Tensor) -> Tensor { step(input, state: nil).hidden }

    private func step(_ input: Tensor, state: LSTMState?) -> LSTMState {
        precondition((input.rank == 1 || input.rank == 2) && input.shape.last == inputSize,
                     "LSTMCell: input of shape \(input.shape) does not fit inputSize \(inputSize) (expected [batch, \(inputSize)] or [\(inputSize)])")
        let stateShape = Array(input.shape.dropLast()) + [hiddenSize]
        let current = state ?? LSTMState(hidden: Tensor.zeros(stateShape), cell: Tensor.zeros(stateShape))
        precondition(current.hidden.shape == stateShape && current.cell.shape == stateShape,
                     "LSTMCell: state of shapes \(current.hidden.shape) and \(current.cell.shape) does not fit input of shape \(input.shape) (expected \(stateShape))")
        return RecurrentCellStep.lstmStep(inputProjection: input.linear(weight: weightIH, bias: biasIH), state: current,
                                      weightHH: weightHH, biasHH: biasHH)
    }
}
