import XCTest
@testable import Converge
import ConvergeTestSupport

final class LSTMTests: XCTestCase {
    private func check(_ name: String) throws {
        let golden = try RecurrentGoldenCase(name)
        let lstm = LSTM(inputSize: golden.config("input_size"), hiddenSize: golden.config("hidden_size"),
                        layerCount: golden.config("num_layers"), bias: golden.flag("bias"), batchFirst: golden.flag("batch_first"))
        try golden.loadParameters(into: lstm)
        let initial = golden.inputs["h0"].map { LSTMState(hidden: $0, cell: golden.inputs["c0"]!) }
        let (output, state) = lstm(golden.inputs["x"]!, initialState: initial)
        golden.check(["output": output, "h_n": state.hidden, "c_n": state.cell], module: lstm)
    }

    func testStackedMatchesPyTorch() throws { try check("lstm_stacked") }
    func testBatchFirstMatchesPyTorch() throws { try check("lstm_batch_first") }
    func testUnbatchedWithoutBiasMatchesPyTorch() throws { try check("lstm_unbatched_no_bias") }

    func testParameterNamesMirrorPyTorch() {
        let lstm = LSTM(inputSize: 3, hiddenSize: 4, layerCount: 2)
        XCTAssertEqual(lstm.namedParameters().map { $0.0 },
                       ["weightIH0", "weightHH0", "biasIH0", "biasHH0", "weightIH1", "weightHH1", "biasIH1", "biasHH1"])
        XCTAssertEqual(lstm.namedParameters().map { $0.1.shape }, [[16, 3], [16, 4], [16], [16], [16, 4], [16, 4], [16], [16]])
        XCTAssertTrue(lstm.parameters.allSatisfy { $0.requiresGrad })
        let nested = Sequential([lstm])
        XCTAssertEqual(nested.namedParameters().first?.0, "0.weightIH0")
    }

    func testForwardEqualsOutputOfStatefulCall() {
        Random.seed(6)
        let lstm = LSTM(inputSize: 3, hiddenSize: 4, layerCount: 2, batchFirst: true, forgetGateBias: 1,
                        orthogonalRecurrentWeights: true)
        XCTAssertEqual(Array(lstm.biasIH(layer: 1)!.scalars[4..<8]), [1, 1, 1, 1])
        let x = Tensor.randomNormal([2, 5, 3])
        let (output, state) = lstm(x, initialState: nil)
        XCTAssertEqual(lstm(x).scalars, output.scalars)
        XCTAssertEqual(output.shape, [2, 5, 4])
        XCTAssertEqual(state.hidden.shape, [2, 2, 4])
        // The last layer's final hidden state is the last output step.
        XCTAssertEqual(Array(state.hidden.scalars[8..<12]), Array(output.scalars[16..<20]))
    }

    func testCarryingStateEqualsOneLongSequence() {
        Random.seed(7)
        let lstm = LSTM(inputSize: 2, hiddenSize: 3, layerCount: 2)
        let x = Tensor.randomNormal([6, 1, 2])
        let whole = lstm(x, initialState: nil)
        let first = lstm(x.sliced(alongAxis: 0, 0..<4), initialState: nil)
        let second = lstm(x.sliced(alongAxis: 0, 4..<6), initialState: first.state)
        XCTAssertNil(mismatch(second.output.scalars, Array(whole.output.scalars[12...]), rtol: 1e-6, atol: 1e-7))
        XCTAssertNil(mismatch(second.state.cell.scalars, whole.state.cell.scalars, rtol: 1e-6, atol: 1e-7))
    }

    func testDropoutOnlyBetweenLayersInTraining() {
        Random.seed(8)
        let lstm = LSTM(inputSize: 2, hiddenSize: 8, layerCount: 2, dropout: 0.5)
        let x = Tensor.randomNormal([4, 3, 2])
        lstm.eval()
        let a = lstm(x).scalars
        XCTAssertEqual(lstm(x).scalars, a, "evaluation is deterministic")
        lstm.train()
        XCTAssertNotEqual(lstm(x).scalars, a, "training applies dropout")
        let single = LSTM(inputSize: 2, hiddenSize: 8, dropout: 0.5)
        XCTAssertEqual(single(x).scalars, single(x).scalars, "no dropout after the last layer")
    }

    /// The fused sequence op agrees with stepping the composite ``LSTMCell`` with the same weights,
    /// in outputs and in every gradient.
    func testFusedSequenceEqualsSteppingTheCell() {
        Random.seed(12)
        let lstm = LSTM(inputSize: 3, hiddenSize: 4)
        let cell = LSTMCell(inputSize: 3, hiddenSize: 4)
        for ((_, a), (_, b)) in zip(cell.namedParameters(), lstm.namedParameters()) { a.assign(b) }
        let x = Tensor.randomNormal([5, 2, 3], requiresGrad: true)
        let h0 = Tensor.randomNormal([1, 2, 4]), c0 = Tensor.randomNormal([1, 2, 4])
        let v = Tensor.randomNormal([5, 2, 4])
        let (output, state) = lstm(x, initialState: LSTMState(hidden: h0, cell: c0))
        ((output * v).sum() + state.cell.sum()).backward()
        let fusedGrads = [x.grad!.scalars] + lstm.parameters.map { $0.grad!.scalars }
        x.grad = nil
        var s = LSTMState(hidden: h0.reshaped([2, 4]), cell: c0.reshaped([2, 4]))
        var steps: [Tensor] = []
        for t in 0..<5 {
            s = cell(x.sliced(alongAxis: 0, t..<(t + 1)).squeezed(at: 0), state: s)
            steps.append(s.hidden)
        }
        let stepped = Tensor.stack(steps)
        XCTAssertNil(mismatch(stepped.scalars, output.scalars, rtol: 1e-5, atol: 1e-6))
        ((stepped * v).sum() + s.cell.sum()).backward()
        let steppedGrads = [x.grad!.scalars] + cell.parameters.map { $0.grad!.scalars }
        for (a, b) in zip(fusedGrads, steppedGrads) { XCTAssertNil(mismatch(a, b, rtol: 1e-5, atol: 1e-6)) }
    }

    func testGradientCheckSmallSequence() {
        Random.seed(9)
        let lstm = LSTM(inputSize: 2, hiddenSize: 2, layerCount: 2)
        let x = Tensor.randomNormal([3, 2, 2], requiresGrad: true)
        let result = gradientCheck([x] + lstm.parameters) { _ in
            let (output, state) = lstm(x, initialState: nil)
            return Tensor.concatenate([output.flattened(startAxis: 0), state.cell.flattened(startAxis: 0)])
        }
        XCTAssertTrue(result.passed, "\(result)")
    }
}
