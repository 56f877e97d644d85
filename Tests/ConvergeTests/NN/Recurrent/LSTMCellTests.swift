import XCTest
@testable import Converge

final class LSTMCellTests: XCTestCase {
    func testMatchesPyTorch() throws {
        let golden = try RecurrentGoldenCase("lstm_cell")
        let cell = LSTMCell(inputSize: golden.config("input_size"), hiddenSize: golden.config("hidden_size"))
        try golden.loadParameters(into: cell)
        let state = cell(golden.inputs["x"]!, state: LSTMState(hidden: golden.inputs["h0"]!, cell: golden.inputs["c0"]!))
        golden.check(["h": state.hidden, "c": state.cell], module: cell)
    }

    func testParameterNamesAndShapes() {
        let cell = LSTMCell(inputSize: 3, hiddenSize: 2)
        XCTAssertEqual(cell.namedParameters().map { $0.0 }, ["weightIH", "weightHH", "biasIH", "biasHH"])
        XCTAssertEqual(cell.namedParameters().map { $0.1.shape }, [[8, 3], [8, 2], [8], [8]])
        XCTAssertEqual(LSTMCell(inputSize: 3, hiddenSize: 2, bias: false).parameters.count, 2)
    }

    func testDefaultInitIsUniformInverseSqrtHidden() {
        let cell = LSTMCell(inputSize: 30, hiddenSize: 16, generator: RandomGenerator(seed: 1))
        for (name, p) in cell.namedParameters() {
            XCTAssertLessThanOrEqual(p.scalars.map { abs($0) }.max()!, 0.25, name)
            XCTAssertGreaterThan(p.scalars.map { abs($0) }.max()!, 0.2, name)
        }
    }

    func testForgetGateBiasAndOrthogonalRecurrentWeights() {
        let h = 6
        let cell = LSTMCell(inputSize: 3, hiddenSize: h, forgetGateBias: 1, orthogonalRecurrentWeights: true,
                            generator: RandomGenerator(seed: 2))
        XCTAssertEqual(Array(cell.biasIH!.scalars[h..<(2 * h)]), [Float](repeating: 1, count: h))
        XCTAssertEqual(Array(cell.biasHH!.scalars[h..<(2 * h)]), [Float](repeating: 0, count: h))
        XCTAssertNotEqual(Array(cell.biasIH!.scalars[0..<h]), [Float](repeating: 1, count: h))
        // Each gate's block of weightHH is orthogonal: block·blockᵀ = I.
        let w = cell.weightHH.scalars
        for gate in 0..<4 {
            for i in 0..<h {
                for j in 0..<h {
                    var dot: Float = 0
                    for k in 0..<h { dot += w[(gate * h + i) * h + k] * w[(gate * h + j) * h + k] }
                    XCTAssertEqual(dot, i == j ? 1 : 0, accuracy: 1e-5)
                }
            }
        }
    }

    func testGradientCheck() {
        Random.seed(3)
        let cell = LSTMCell(inputSize: 3, hiddenSize: 2)
        let x = Tensor.randomNormal([2, 3], requiresGrad: true)
        let h0 = Tensor.randomNormal([2, 2], requiresGrad: true), c0 = Tensor.randomNormal([2, 2], requiresGrad: true)
        let result = gradientCheck([x, h0, c0] + cell.parameters) { _ in
            let s = cell(x, state: LSTMState(hidden: h0, cell: c0))
            return Tensor.concatenate([s.hidden, s.cell], alongAxis: 1)
        }
        XCTAssertTrue(result.passed, "\(result)")
        XCTAssertEqual(result.checkedCount, 6 + 4 + 4 + 24 + 16 + 8 + 8)
    }

    func testUnbatchedInput() {
        Random.seed(4)
        let cell = LSTMCell(inputSize: 3, hiddenSize: 2)
        let x = Tensor.randomNormal([3])
        let single = cell(x, state: nil)
        let batched = cell(x.reshaped([1, 3]), state: nil)
        XCTAssertEqual(single.hidden.shape, [2])
        XCTAssertEqual(single.hidden.scalars, batched.hidden.scalars)
        XCTAssertEqual(cell(x).scalars, single.hidden.scalars)
    }
}
