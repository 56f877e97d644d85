import XCTest
@testable import Converge

final class ParameterGroupTests: XCTestCase {
    func testWeightDecaySplitPutsBiasesInTheNoDecayGroup() {
        let model = OptimGolden.model()
        let groups = ParameterGroup.weightDecaySplit(model, weightDecay: 0.05)
        XCTAssertEqual(groups.count, 2)
        XCTAssertEqual(groups[0].parameters.map { $0.name }, ["0.weight", "2.weight"])
        XCTAssertEqual(groups[0].weightDecay, 0.05)
        XCTAssertEqual(groups[1].parameters.map { $0.name }, ["0.bias", "2.bias"])
        XCTAssertEqual(groups[1].weightDecay, 0)
        let optimizer = AdamW(groups)
        XCTAssertEqual(optimizer.parameterGroups.map { $0.hyperparameters.weightDecay }, [0.05, 0])
        XCTAssertEqual(optimizer.parameterGroups.map { $0.learningRate }, [1e-3, 1e-3])
    }

    func testWeightDecaySplitLeavesOutEmptyGroups() {
        let groups = ParameterGroup.weightDecaySplit([Tensor([1, 2], requiresGrad: true)], weightDecay: 0.1)
        XCTAssertEqual(groups.count, 1)
        XCTAssertEqual(groups[0].weightDecay, 0)
    }

    func testGroupOverridesOnlyWhatItSets() {
        let defaults = AdamHyperparameters(learningRate: 0.1, betas: (0.8, 0.99), eps: 1e-7, weightDecay: 0.01)
        let h = ParameterGroup([], learningRate: 0.5).hyperparameters(over: defaults)
        XCTAssertEqual(h.learningRate, 0.5)
        XCTAssertEqual(h.weightDecay, 0.01)
        XCTAssertEqual(h.betas.0, 0.8)
        XCTAssertEqual(h.eps, 1e-7)
        let a = Tensor([1], requiresGrad: true)
        let sgd = SGD([ParameterGroup([a], weightDecay: 0.2)], learningRate: 0.3, momentum: 0.9)
        XCTAssertEqual(sgd.parameterGroups[0].hyperparameters,
                       SGDHyperparameters(learningRate: 0.3, momentum: 0.9, weightDecay: 0.2))
        XCTAssertEqual(sgd.parameterGroups[0].initialLearningRate, 0.3)
    }

    /// Per-group hyperparameters matter: the golden group cases differ from single-group runs.
    func testGroupsGiveDifferentTrajectoryThanOneGroup() {
        let model = OptimGolden.model(), single = OptimGolden.model()
        OptimGolden.train(model, OptimGolden.makeOptimizer("sgd_momentum_groups", parameters: model.parameters), steps: 5)
        OptimGolden.train(single, OptimGolden.makeOptimizer("sgd_momentum", parameters: single.parameters), steps: 5)
        XCTAssertNotEqual(model.parameters[1].scalars, single.parameters[1].scalars)
    }
}
