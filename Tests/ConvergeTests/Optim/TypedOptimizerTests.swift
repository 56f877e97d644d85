import XCTest
@testable import Converge

final class TypedOptimizerTests: XCTestCase {
    /// Checkpoint keys keep PyTorch's vocabulary (and the keys of checkpoints written before the
    /// hyperparameters were typed), so old checkpoints still load.
    func testStateDictKeysArePyTorchNames() {
        let w = Tensor([[1, 2]], requiresGrad: true), b = Tensor([3], requiresGrad: true)
        w.name = "0.weight"
        b.name = "0.bias"
        let adam = AdamW(ParameterGroup.weightDecaySplit([w, b], weightDecay: 0.1), learningRate: 0.01, amsgrad: true)
        w.grad = Tensor([[1, 1]])
        b.grad = Tensor([1])
        adam.step()
        let state = adam.stateDict()
        XCTAssertEqual(state.tensors.map { $0.0 }, ["0.weight.exp_avg", "0.weight.exp_avg_sq", "0.weight.max_exp_avg_sq",
                                                    "0.bias.exp_avg", "0.bias.exp_avg_sq", "0.bias.max_exp_avg_sq"])
        let groupKeys = state.scalars.keys.filter { $0.hasPrefix("group.0.") }.sorted()
        XCTAssertEqual(groupKeys, ["group.0.amsgrad", "group.0.beta1", "group.0.beta2", "group.0.eps",
                                   "group.0.initial_lr", "group.0.lr", "group.0.weight_decay"])
        XCTAssertEqual(state.scalars["group.1.weight_decay"], 0)
        XCTAssertEqual(state.scalars["0.bias.step"], 1)
        let sgd = SGD([w], learningRate: 0.1, momentum: 0.9, nesterov: true)
        XCTAssertEqual(sgd.stateDict().scalars.keys.sorted(),
                       ["0.weight.step", "group.0.dampening", "group.0.initial_lr", "group.0.lr", "group.0.momentum",
                        "group.0.nesterov", "group.0.weight_decay"])
    }

    /// A saved state restores the typed hyperparameters and buffers exactly.
    func testRoundTripRestoresTypedValues() throws {
        func make() -> (RMSprop, Tensor) {
            let p = Tensor([1, -2, 3], requiresGrad: true)
            p.name = "p"
            return (RMSprop([p], learningRate: 0.05, momentum: 0.5, centered: true), p)
        }
        let (source, p) = make()
        for g: Float in [1, -3, 0.5] {
            p.grad = Tensor([g, g, g])
            source.step()
        }
        source.parameterGroups[0].hyperparameters.alpha = 0.9
        let (target, q) = make()
        try target.loadStateDict(source.stateDict())
        XCTAssertEqual(target.parameterGroups[0].hyperparameters, source.parameterGroups[0].hyperparameters)
        XCTAssertEqual(target.state(for: q).step, 3)
        XCTAssertEqual(target.state(for: q).squareAverage.scalars, source.state(for: p).squareAverage.scalars)
        XCTAssertEqual(target.state(for: q).gradientAverage?.scalars, source.state(for: p).gradientAverage?.scalars)
        XCTAssertEqual(target.state(for: q).momentumBuffer?.scalars, source.state(for: p).momentumBuffer?.scalars)
    }

    func testLoadingAStateOfAnotherOptimizerKindNamesTheKey() {
        let p = Tensor([1], requiresGrad: true)
        p.name = "p"
        let adam = Adam([p])
        let sgd = SGD([p], learningRate: 0.1)
        XCTAssertThrowsError(try sgd.loadStateDict(adam.stateDict())) { error in
            XCTAssertEqual((error as? OptimizerStateError)?.description.hasPrefix("optimizer state: unknown entry"), true, "\(error)")
        }
    }
}
