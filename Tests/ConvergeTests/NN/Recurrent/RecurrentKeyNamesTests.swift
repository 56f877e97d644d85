import XCTest
@testable import Converge

final class RecurrentKeyNamesTests: XCTestCase {
    func testPyTorchKeyStyleUsesTorchRNNNames() {
        let lstm = LSTM(inputSize: 3, hiddenSize: 4, layerCount: 2)
        // torch.nn.LSTM(3, 4, num_layers=2).state_dict().keys()
        XCTAssertEqual(lstm.stateDict(keyStyle: .pytorch).map { $0.0 },
                       ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                        "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1"])
        XCTAssertEqual(LSTMCell(inputSize: 3, hiddenSize: 4).stateDict(keyStyle: .pytorch).map { $0.0 },
                       ["weight_ih", "weight_hh", "bias_ih", "bias_hh"])
        let copy = LSTM(inputSize: 3, hiddenSize: 4, layerCount: 2)
        XCTAssertNoThrow(try copy.loadStateDict(lstm.stateDict(keyStyle: .pytorch), keyStyle: .pytorch))
        XCTAssertEqual(copy.parameters[5].scalars, lstm.parameters[5].scalars)
    }
}
