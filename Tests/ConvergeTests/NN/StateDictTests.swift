import XCTest
@testable import Converge

final class StateDictTests: XCTestCase {
    private func makeModel() -> Sequential {
        Sequential { Conv1d(1, 2, kernelSize: 3, padding: 1); BatchNorm(2); ReLU(); Flatten(); Linear(8, 1) }
    }

    func testRoundTripGivesIdenticalOutputs() throws {
        Random.seed(1)
        let a = makeModel()
        for _ in 0..<2 { _ = a(Tensor.randomNormal([3, 1, 4])) }
        Random.seed(2)
        let b = makeModel()
        let x = Tensor.randomNormal([2, 1, 4])
        a.eval(); b.eval()
        XCTAssertNotEqual(a(x).scalars, b(x).scalars)
        let result = try b.loadStateDict(a.stateDict())
        XCTAssertTrue(result.missing.isEmpty && result.unexpected.isEmpty)
        XCTAssertEqual(a(x).scalars, b(x).scalars)
    }

    func testOrderMatchesPyTorch() {
        XCTAssertEqual(makeModel().stateDict(keyStyle: .pytorch).map { $0.0 },
                       ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                        "1.num_batches_tracked", "4.weight", "4.bias"])
    }

    func testStateIsACopy() {
        let model = Linear(2, 2)
        let state = model.stateDict()
        state[0].1.fill(7)
        XCTAssertFalse(model.weight.scalars.contains(7))
    }

    func testLoadKeepsTensorIdentity() throws {
        let model = Linear(2, 2)
        let weight = model.weight
        try model.loadStateDict(["weight": Tensor.ones([2, 2]), "bias": Tensor.zeros([2])])
        XCTAssertTrue(model.weight === weight)
        XCTAssertEqual(weight.scalars, [1, 1, 1, 1])
        XCTAssertTrue(weight.requiresGrad)
    }

    func testMissingKeyIsNamed() {
        let model = makeModel()
        let state = model.stateDict().filter { $0.0 != "1.runningVar" }
        XCTAssertThrowsError(try model.loadStateDict(state)) { error in
            XCTAssertEqual(error as? StateDictError, .missingKeys(["1.runningVar"]))
            XCTAssertEqual("\(error)", "state dict: missing keys: 1.runningVar")
        }
        let result = try? model.loadStateDict(state, strict: false)
        XCTAssertEqual(result?.missing, ["1.runningVar"])
    }

    func testUnexpectedKeyIsNamed() {
        let model = Linear(2, 1)
        let state = model.stateDict() + [("extra.weight", Tensor.zeros([1]))]
        XCTAssertThrowsError(try model.loadStateDict(state)) { error in
            XCTAssertEqual(error as? StateDictError, .unexpectedKeys(["extra.weight"]))
        }
        XCTAssertEqual(try model.loadStateDict(state, strict: false).unexpected, ["extra.weight"])
    }

    func testShapeMismatchIsNamedAndNothingIsModified() {
        let model = Linear(3, 2)
        let before = model.weight.scalars
        let state: [(String, Tensor)] = [("weight", Tensor.ones([2, 3])), ("bias", Tensor.zeros([3]))]
        XCTAssertThrowsError(try model.loadStateDict(state)) { error in
            XCTAssertEqual(error as? StateDictError, .shapeMismatch(key: "bias", expected: [2], found: [3]))
            XCTAssertEqual("\(error)", "state dict: bias has shape [3], the model expects [2]")
        }
        XCTAssertThrowsError(try model.loadStateDict(state, strict: false))
        XCTAssertEqual(model.weight.scalars, before)
    }

    func testPyTorchKeyStyle() throws {
        XCTAssertEqual(StateDictKeyStyle.pytorch.spell("layers.1.numBatchesTracked"), "layers.1.num_batches_tracked")
        XCTAssertEqual(StateDictKeyStyle.pytorch.spell("weight_ih_l0"), "weight_ih_l0")
        XCTAssertEqual(StateDictKeyStyle.swift.spell("runningMean"), "runningMean")
        let model = Sequential { Linear(2, 2); BatchNorm(2) }
        let state: [String: Tensor] = ["0.weight": .ones([2, 2]), "0.bias": .zeros([2]), "1.weight": .ones([2]),
                                       "1.bias": .zeros([2]), "1.running_mean": Tensor([1, 2]), "1.running_var": .ones([2]),
                                       "1.num_batches_tracked": Tensor(5)]
        try model.loadStateDict(state, keyStyle: .pytorch)
        XCTAssertEqual((model[1] as! BatchNorm).runningMean?.scalars, [1, 2])
        XCTAssertThrowsError(try model.loadStateDict(state)) { error in
            guard case .missingKeys(let keys)? = error as? StateDictError else { return XCTFail("\(error)") }
            XCTAssertEqual(keys, ["1.runningMean", "1.runningVar", "1.numBatchesTracked"])
        }
    }
}
