import XCTest
@testable import Converge
import ConvergeTestSupport

final class GRUTests: XCTestCase {
    private func check(_ name: String) throws {
        let golden = try RecurrentGoldenCase(name)
        let gru = GRU(inputSize: golden.config("input_size"), hiddenSize: golden.config("hidden_size"),
                      layerCount: golden.config("num_layers"), bias: golden.flag("bias"), batchFirst: golden.flag("batch_first"))
        try golden.loadParameters(into: gru)
        let (output, hidden) = gru(golden.inputs["x"]!, initialHidden: golden.inputs["h0"])
        golden.check(["output": output, "h_n": hidden], module: gru)
    }

    func testStackedMatchesPyTorch() throws { try check("gru_stacked") }
    func testBatchFirstMatchesPyTorch() throws { try check("gru_batch_first") }
    func testUnbatchedWithoutBiasMatchesPyTorch() throws { try check("gru_unbatched_no_bias") }

    func testParameterNamesAndState() {
        Random.seed(10)
        let gru = GRU(inputSize: 3, hiddenSize: 4, layerCount: 2, bias: false)
        XCTAssertEqual(gru.namedParameters().map { $0.0 }, ["weightIH0", "weightHH0", "weightIH1", "weightHH1"])
        XCTAssertEqual(gru.weightIH(layer: 0).shape, [12, 3])
        XCTAssertNil(gru.biasIH(layer: 0))
        let (output, hidden) = gru(Tensor.randomNormal([5, 2, 3]), initialHidden: nil)
        XCTAssertEqual(output.shape, [5, 2, 4])
        XCTAssertEqual(hidden.shape, [2, 2, 4])
    }

    /// The fused sequence op agrees with stepping the composite ``GRUCell`` with the same weights.
    func testFusedSequenceEqualsSteppingTheCell() {
        Random.seed(13)
        let gru = GRU(inputSize: 3, hiddenSize: 4)
        let cell = GRUCell(inputSize: 3, hiddenSize: 4)
        for ((_, a), (_, b)) in zip(cell.namedParameters(), gru.namedParameters()) { a.assign(b) }
        let x = Tensor.randomNormal([6, 2, 3], requiresGrad: true)
        let h0 = Tensor.randomNormal([1, 2, 4], requiresGrad: true)
        let v = Tensor.randomNormal([6, 2, 4])
        let (output, _) = gru(x, initialHidden: h0)
        (output * v).sum().backward()
        let fusedGrads = [x.grad!.scalars, h0.grad!.scalars] + gru.parameters.map { $0.grad!.scalars }
        x.grad = nil
        h0.grad = nil
        var h = h0.reshaped([2, 4])
        var steps: [Tensor] = []
        for t in 0..<6 {
            h = cell(x.sliced(alongAxis: 0, t..<(t + 1)).squeezed(at: 0), hidden: h)
            steps.append(h)
        }
        let stepped = Tensor.stack(steps)
        XCTAssertNil(mismatch(stepped.scalars, output.scalars, rtol: 1e-5, atol: 1e-6))
        (stepped * v).sum().backward()
        let steppedGrads = [x.grad!.scalars, h0.grad!.scalars] + cell.parameters.map { $0.grad!.scalars }
        for (a, b) in zip(fusedGrads, steppedGrads) { XCTAssertNil(mismatch(a, b, rtol: 1e-5, atol: 1e-6)) }
    }

    func testGradientCheckSmallSequence() {
        Random.seed(11)
        let gru = GRU(inputSize: 2, hiddenSize: 2, layerCount: 2, batchFirst: true)
        let x = Tensor.randomNormal([2, 3, 2], requiresGrad: true)
        let h0 = Tensor.randomNormal([2, 2, 2], requiresGrad: true)
        let result = gradientCheck([x, h0] + gru.parameters) { _ in gru(x, initialHidden: h0).output }
        XCTAssertTrue(result.passed, "\(result)")
    }
}
