import ConvergeCore

/// What ``LSTM`` and ``GRU`` share: stacked layers whose parameters are named as PyTorch names
/// them (`weightIH0`, `weightHH0`, `biasIH0`, `biasHH0`, `weightIH1`, … for `weight_ih_l0`, …),
/// the sequence layout (`[time, batch, features]`, `[batch, time, features]` with
/// ``batchFirst``, or unbatched `[time, features]`) and dropout between layers.
public class RecurrentLayer: Module {
    /// Features per input step.
    public let inputSize: Int
    /// Size of each layer's hidden state.
    public let hiddenSize: Int
    /// Number of stacked layers; layer `k > 0` reads layer `k − 1`'s output sequence.
    public let layerCount: Int
    /// Whether the layers have `biasIH`/`biasHH` parameters.
    public let hasBias: Bool
    /// Whether batched input and output are `[batch, time, features]` rather than
    /// `[time, batch, features]` (states are `[layers, batch, hidden]` either way).
    public let batchFirst: Bool
    /// Probability of zeroing each output feature of every layer but the last, in training mode.
    public let dropout: Float
    let gateCount: Int
    let kind: String
    var weightsIH: [Tensor] = []
    var weightsHH: [Tensor] = []
    var biasesIH: [Tensor] = []
    var biasesHH: [Tensor] = []

    init(kind: String, gateCount: Int, inputSize: Int, hiddenSize: Int, layerCount: Int, bias: Bool, batchFirst: Bool,
         dropout: Float, orthogonalRecurrentWeights: Bool, gateBias: (gate: Int, value: Float)?, generator: RandomGenerator) {
        precondition(inputSize > 0 && hiddenSize > 0 && layerCount > 0,
                     "\(kind): sizes must be positive, got inputSize \(inputSize), hiddenSize \(hiddenSize), layerCount \(layerCount)")
        precondition(dropout >= 0 && dropout < 1, "\(kind): dropout must lie in [0, 1), got \(dropout)")
        self.kind = kind
        self.gateCount = gateCount
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        self.hasBias = bias
        self.batchFirst = batchFirst
        self.dropout = dropout
        super.init()
        for layer in 0..<layerCount {
            let wih = Tensor.zeros([gateCount * hiddenSize, layer == 0 ? inputSize : hiddenSize], requiresGrad: true)
            let whh = Tensor.zeros([gateCount * hiddenSize, hiddenSize], requiresGrad: true)
            let bih = bias ? Tensor.zeros([gateCount * hiddenSize], requiresGrad: true) : nil
            let bhh = bias ? Tensor.zeros([gateCount * hiddenSize], requiresGrad: true) : nil
            RecurrentInitialization.apply(weightIH: wih, weightHH: whh, biasIH: bih, biasHH: bhh, hiddenSize: hiddenSize,
                                          orthogonalRecurrentWeights: orthogonalRecurrentWeights, gateBias: gateBias,
                                          generator: generator)
            weightsIH.append(wih)
            weightsHH.append(whh)
            if let bih, let bhh { biasesIH.append(bih); biasesHH.append(bhh) }
        }
    }

    /// Layer `layer`'s input-to-hidden weights `[gates·hidden, input or hidden]`.
    public func weightIH(layer: Int) -> Tensor { weightsIH[layer] }
    /// Layer `layer`'s hidden-to-hidden weights `[gates·hidden, hidden]`.
    public func weightHH(layer: Int) -> Tensor { weightsHH[layer] }
    /// Layer `layer`'s input-to-hidden bias `[gates·hidden]`, or `nil` without biases.
    public func biasIH(layer: Int) -> Tensor? { hasBias ? biasesIH[layer] : nil }
    /// Layer `layer`'s hidden-to-hidden bias `[gates·hidden]`, or `nil` without biases.
    public func biasHH(layer: Int) -> Tensor? { hasBias ? biasesHH[layer] : nil }

    /// The parameters in PyTorch's order: `weightIH0, weightHH0, biasIH0, biasHH0, weightIH1, …`.
    public override func namedLocalParameters() -> [(String, Tensor)] {
        var result: [(String, Tensor)] = []
        for layer in 0..<layerCount {
            result.append(("weightIH\(layer)", weightsIH[layer]))
            result.append(("weightHH\(layer)", weightsHH[layer]))
            if hasBias {
                result.append(("biasIH\(layer)", biasesIH[layer]))
                result.append(("biasHH\(layer)", biasesHH[layer]))
            }
        }
        return result
    }

    /// Checks `input` and returns it as `[time, batch, features]`, and whether it was unbatched.
    func timeMajor(_ input: Tensor) -> (Tensor, unbatched: Bool) {
        precondition((input.rank == 2 || input.rank == 3) && input.shape.last == inputSize,
                     "\(kind): input of shape \(input.shape) does not fit inputSize \(inputSize) (expected \(batchFirst ? "[batch, time, \(inputSize)]" : "[time, batch, \(inputSize)]") or unbatched [time, \(inputSize)])")
        precondition(input.shape[input.rank == 3 && batchFirst ? 1 : 0] > 0, "\(kind): input of shape \(input.shape) has no time steps")
        if input.rank == 2 { return (input.unsqueezed(at: 1), true) }
        return (batchFirst ? input.transposed(0, 1) : input, false)
    }

    /// Turns a `[time, batch, hidden]` output back into the caller's layout.
    func callerLayout(_ output: Tensor, unbatched: Bool) -> Tensor {
        if unbatched { return output.squeezed(at: 1) }
        return batchFirst ? output.transposed(0, 1) : output
    }

    /// Checks an initial state (`[layers, batch, hidden]`, or `[layers, hidden]` when unbatched)
    /// and returns it as `[layers, batch, hidden]`; zeros when `nil`.
    func initialState(_ state: Tensor?, name: String, batch: Int, unbatched: Bool) -> Tensor {
        let expected = unbatched ? [layerCount, hiddenSize] : [layerCount, batch, hiddenSize]
        guard let state else { return Tensor.zeros([layerCount, batch, hiddenSize]) }
        precondition(state.shape == expected,
                     "\(kind): initial \(name) state of shape \(state.shape) does not fit (expected \(expected) for \(layerCount) layers, batch \(unbatched ? "none (unbatched)" : String(batch)), hiddenSize \(hiddenSize))")
        return unbatched ? state.unsqueezed(at: 1) : state
    }

    /// Layer `layer`'s slice `[batch, hidden]` of a `[layers, batch, hidden]` state.
    func layerState(_ state: Tensor, _ layer: Int) -> Tensor {
        state.sliced(alongAxis: 0, layer..<(layer + 1)).squeezed(at: 0)
    }

    /// Final states per layer stacked to `[layers, batch, hidden]` (or `[layers, hidden]`).
    func stackedStates(_ states: [Tensor], unbatched: Bool) -> Tensor {
        let stacked = Tensor.stack(states, alongAxis: 0)
        return unbatched ? stacked.squeezed(at: 1) : stacked
    }

    /// Dropout on a layer's output sequence before the next layer reads it (training mode only).
    func betweenLayers(_ x: Tensor, layer: Int) -> Tensor {
        guard dropout > 0 && isTraining && layer < layerCount - 1 else { return x }
        let keep = 1 - dropout
        let mask = Tensor.randomBernoulli(x.shape, probability: keep) * (1 / keep)
        return x * mask
    }

    /// The input projection `x·W_ihᵀ + b_ih` of a `[time, batch, features]` sequence for all steps.
    func projected(_ sequence: Tensor, layer: Int) -> Tensor {
        sequence.linear(weight: weightsIH[layer], bias: hasBias ? biasesIH[layer] : nil)
    }
}
