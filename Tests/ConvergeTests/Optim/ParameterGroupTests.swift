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
        XCTAssertEqual(optimizer.parameterGroups.map { $0.weightDecay }, [0.05, 0])
        XCTAssertEqual(optimizer.parameterGroups.map { $0.learningRate }, [1e-3, 1e-3])
    }

    func testWeightDecaySplitLeavesOutEmptyGroups() {
        let groups = ParameterGroup.weightDecaySplit([Tensor([1, 2], requiresGrad: true)], weightDecay: 0.1)
        XCTAssertEqual(groups.count, 1)
        XCTAssertEqual(groups[0].weightDecay, 0)
    }

    func testFilledKeepsExplicitValues() {
        let defaults = ParameterGroup([], learningRate: 0.1, weightDecay: 0.01, betas: (0.9, 0.999), eps: 1e-8)
        let g = ParameterGroup([], learningRate: 0.5, betas: (0.8, 0.99)).filled(from: defaults)
        XCTAssertEqual(g.learningRate, 0.5)
        XCTAssertEqual(g.initialLearningRate, 0.5)
        XCTAssertEqual(g.weightDecay, 0.01)
        XCTAssertEqual(g.betas?.0, 0.8)
        XCTAssertEqual(g.eps, 1e-8)
        XCTAssertNil(g.momentum)
    }

    /// Per-group hyperparameters matter: the golden group cases differ from single-group runs.
    func testGroupsGiveDifferentTrajectoryThanOneGroup() {
        let model = OptimGolden.model(), single = OptimGolden.model()
        OptimGolden.train(model, OptimGolden.makeOptimizer("sgd_momentum_groups", parameters: model.parameters), steps: 5)
        OptimGolden.train(single, OptimGolden.makeOptimizer("sgd_momentum", parameters: single.parameters), steps: 5)
        XCTAssertNotEqual(model.parameters[1].scalars, single.parameters[1].scalars)
    }
}
