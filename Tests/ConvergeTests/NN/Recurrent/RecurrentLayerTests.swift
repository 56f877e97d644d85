import XCTest
@testable import Converge
import ConvergeTestSupport

final class RecurrentLayerTests: XCTestCase {
    func testBatchFirstIsTheTransposedLayout() {
        Random.seed(30)
        let timeMajor = GRU(inputSize: 3, hiddenSize: 4, layerCount: 2)
        let batchFirst = GRU(inputSize: 3, hiddenSize: 4, layerCount: 2, batchFirst: true)
        try! batchFirst.loadStateDict(timeMajor.stateDict())
        let x = Tensor.randomNormal([5, 2, 3])
        let a = timeMajor(x), b = batchFirst(x.transposed(0, 1))
        XCTAssertEqual(b.shape, [2, 5, 4])
        XCTAssertEqual(b.transposed(0, 1).scalars, a.scalars)
    }

    func testUnbatchedEqualsBatchOfOne() {
        Random.seed(31)
        let lstm = LSTM(inputSize: 3, hiddenSize: 4, layerCount: 2)
        let x = Tensor.randomNormal([5, 3])
        let (single, state) = lstm(x, initialState: nil)
        let (batched, batchedState) = lstm(x.unsqueezed(at: 1), initialState: nil)
        XCTAssertEqual(single.shape, [5, 4])
        XCTAssertEqual(state.hidden.shape, [2, 4])
        XCTAssertEqual(single.scalars, batched.scalars)
        XCTAssertEqual(state.cell.scalars, batchedState.cell.scalars)
    }

    func testStateDictRoundTripUsesPyTorchStyleNames() throws {
        Random.seed(32)
        let a = LSTM(inputSize: 2, hiddenSize: 3, layerCount: 2)
        let b = LSTM(inputSize: 2, hiddenSize: 3, layerCount: 2)
        XCTAssertEqual(a.stateDict().map { $0.0 }.filter { $0.hasSuffix("1") }, ["weightIH1", "weightHH1", "biasIH1", "biasHH1"])
        let x = Tensor.randomNormal([4, 1, 2])
        XCTAssertNotEqual(a(x).scalars, b(x).scalars)
        try b.loadStateDict(a.stateDict())
        XCTAssertEqual(a(x).scalars, b(x).scalars)
        XCTAssertThrowsError(try LSTM(inputSize: 2, hiddenSize: 3).loadStateDict(a.stateDict()))
    }

    func testParametersReceiveGradientsAndFreeze() {
        Random.seed(33)
        let gru = GRU(inputSize: 2, hiddenSize: 3, layerCount: 2)
        gru(Tensor.randomNormal([4, 2, 2])).sum().backward()
        XCTAssertTrue(gru.parameters.allSatisfy { $0.grad != nil })
        gru.freeze()
        XCTAssertTrue(gru.trainableParameters.isEmpty)
    }

    func testDefaultInitBound() {
        let lstm = LSTM(inputSize: 10, hiddenSize: 25, layerCount: 2, generator: RandomGenerator(seed: 34))
        for (name, p) in lstm.namedParameters() {
            let largest = p.scalars.map { abs($0) }.max()!
            XCTAssertLessThanOrEqual(largest, 0.2, name)
            XCTAssertGreaterThan(largest, 0.15, name)
        }
    }
}
