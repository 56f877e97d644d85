import XCTest
@testable import Converge

final class GRUCellTests: XCTestCase {
    func testMatchesPyTorch() throws {
        let golden = try RecurrentGoldenCase("gru_cell")
        let cell = GRUCell(inputSize: golden.config("input_size"), hiddenSize: golden.config("hidden_size"))
        try golden.loadParameters(into: cell)
        let h = cell(golden.inputs["x"]!, hidden: golden.inputs["h0"]!)
        golden.check(["h": h], module: cell)
    }

    func testParameterNamesAndUpdateGateBias() {
        let cell = GRUCell(inputSize: 3, hiddenSize: 2, updateGateBias: 1.5)
        XCTAssertEqual(cell.namedParameters().map { $0.0 }, ["weightIH", "weightHH", "biasIH", "biasHH"])
        XCTAssertEqual(cell.weightIH.shape, [6, 3])
        XCTAssertEqual(Array(cell.biasIH!.scalars[2..<4]), [1.5, 1.5])
        XCTAssertEqual(Array(cell.biasHH!.scalars[2..<4]), [0, 0])
    }

    func testGradientCheck() {
        Random.seed(5)
        let cell = GRUCell(inputSize: 3, hiddenSize: 2)
        let x = Tensor.randomNormal([2, 3], requiresGrad: true), h0 = Tensor.randomNormal([2, 2], requiresGrad: true)
        let result = gradientCheck([x, h0] + cell.parameters) { _ in cell(x, hidden: h0) }
        XCTAssertTrue(result.passed, "\(result)")
        XCTAssertEqual(result.checkedCount, 6 + 4 + 18 + 12 + 6 + 6)
    }
}
