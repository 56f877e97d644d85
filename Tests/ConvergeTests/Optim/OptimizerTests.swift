import ConvergeTestSupport
import XCTest
@testable import Converge

final class OptimizerTests: XCTestCase {
    private func makeModel() -> Sequential { OptimGolden.model() }

    // MARK: - Common behaviour

    func testZeroGradSetsGradientsToNil() {
        let model = makeModel()
        let optimizer = SGD(model.parameters, learningRate: 0.1)
        OptimGolden.loss(model).backward()
        XCTAssertTrue(model.parameters.allSatisfy { $0.grad != nil })
        optimizer.zeroGrad()
        XCTAssertTrue(model.parameters.allSatisfy { $0.grad == nil })
    }

    func testParametersWithoutGradientAreSkipped() {
        let a = Tensor([1, 2], requiresGrad: true)
        let b = Tensor([3, 4], requiresGrad: true)
        let optimizer = Adam([a, b], learningRate: 0.1)
        a.grad = Tensor([1, 1])
        optimizer.step()
        XCTAssertEqual(b.scalars, [3, 4])
        XCTAssertNotEqual(a.scalars, [1, 2])
        XCTAssertEqual(optimizer.state(for: a).step, 1)
        XCTAssertEqual(optimizer.state(for: b).step, 0)
    }

    func testLearningRateGetsFirstGroupAndSetsAll() {
        let a = Tensor([[1, 2]], requiresGrad: true), b = Tensor([3], requiresGrad: true)
        let optimizer = SGD([ParameterGroup([a], learningRate: 0.5), ParameterGroup([b])], learningRate: 0.1)
        XCTAssertEqual(optimizer.learningRate, 0.5)
        XCTAssertEqual(optimizer.parameterGroups[1].learningRate, 0.1)
        optimizer.learningRate = 0.01
        XCTAssertEqual(optimizer.parameterGroups.map { $0.learningRate }, [0.01, 0.01])
    }

    func testSetLearningRateKeepingGroupRatios() {
        let a = Tensor([[1, 2]], requiresGrad: true), b = Tensor([3], requiresGrad: true)
        let optimizer = SGD([ParameterGroup([a], learningRate: 0.2), ParameterGroup([b], learningRate: 0.02)], learningRate: 1)
        optimizer.setLearningRateKeepingGroupRatios(0.1)
        XCTAssertEqual(optimizer.parameterGroups[0].learningRate, 0.1)
        XCTAssertEqual(optimizer.parameterGroups[1].learningRate, 0.01, accuracy: 1e-15)
    }

    func testMomentumProperty() {
        let p = [Tensor([1], requiresGrad: true)]
        let sgd = SGD(p, learningRate: 0.1, momentum: 0.9)
        XCTAssertEqual(sgd.momentum, 0.9)
        sgd.momentum = 0.8
        XCTAssertEqual(sgd.parameterGroups[0].hyperparameters.momentum, 0.8)
        let adam = AdamW(p, betas: (0.9, 0.99))
        XCTAssertEqual(adam.momentum, 0.9)
        adam.momentum = 0.85
        XCTAssertEqual(adam.parameterGroups[0].hyperparameters.betas.0, 0.85)
        XCTAssertEqual(adam.parameterGroups[0].hyperparameters.betas.1, 0.99)
        let rms = RMSprop(p, momentum: 0.3)
        XCTAssertEqual(rms.momentum, 0.3)
        let adagrad = Adagrad(p)
        XCTAssertNil(adagrad.momentum)
        adagrad.momentum = 0.5
        XCTAssertNil(adagrad.momentum)
    }

    func testAppendedGroupIsFilledWithDefaults() {
        let a = Tensor([1], requiresGrad: true), b = Tensor([2], requiresGrad: true)
        let optimizer = Adam([a], learningRate: 0.01, betas: (0.8, 0.9))
        optimizer.addParameterGroup(ParameterGroup([b], learningRate: 0.5))
        let g = optimizer.parameterGroups[1]
        XCTAssertEqual(g.learningRate, 0.5)
        XCTAssertEqual(g.initialLearningRate, 0.5)
        XCTAssertEqual(g.hyperparameters.betas.0, 0.8)
        XCTAssertEqual(g.hyperparameters.eps, 1e-8)
        XCTAssertEqual(g.hyperparameters.weightDecay, 0)
        b.grad = Tensor([1])
        optimizer.step()
        XCTAssertNotEqual(b.scalar, 2)
    }

    /// The update loops allocate nothing once the state exists.
    func testStepDoesNotAllocateAfterTheFirst() {
        let makers: [([Tensor]) -> Optimizer] = [
            { SGD($0, learningRate: 0.1, momentum: 0.9, nesterov: true) },
            { AdamW($0, amsgrad: true) },
            { RMSprop($0, momentum: 0.5, centered: true) },
            { Adagrad($0) },
        ]
        for make in makers {
            let model = makeModel()
            let optimizer = make(model.parameters)
            OptimGolden.loss(model).backward()
            optimizer.step()
            BufferPool.shared.drain()
            let before = BufferPool.shared.allocationCount
            for _ in 0..<3 { optimizer.step() }
            XCTAssertEqual(BufferPool.shared.allocationCount, before, "\(type(of: optimizer)) allocated during step()")
        }
    }

    // MARK: - State dictionary

    func testStateDictKeysUseParameterNames() {
        let model = makeModel()
        let optimizer = Adam(model.parameters, learningRate: 0.01, amsgrad: true)
        OptimGolden.train(model, optimizer, steps: 2)
        let state = optimizer.stateDict()
        XCTAssertEqual(Set(state.tensors.map { $0.0 }), Set(["0.weight", "0.bias", "2.weight", "2.bias"].flatMap {
            ["\($0).exp_avg", "\($0).exp_avg_sq", "\($0).max_exp_avg_sq"]
        }))
        XCTAssertEqual(state.scalars["0.weight.step"], 2)
        XCTAssertEqual(state.scalars["group.0.lr"], 0.01)
        XCTAssertEqual(state.scalars["group.0.beta2"], 0.999)
        XCTAssertEqual(state.scalars["group.0.amsgrad"], 1)
        XCTAssertNil(state.scalars["group.0.momentum"], "SGD hyperparameters do not belong to Adam's state")
        // The state holds copies.
        let saved = state.tensor("0.weight.exp_avg")!.scalars
        OptimGolden.train(model, optimizer, steps: 1)
        XCTAssertEqual(state.tensor("0.weight.exp_avg")!.scalars, saved)
    }

    func testUnnamedParametersGetGroupIndexKeys() {
        let a = Tensor([1, 2], requiresGrad: true), b = Tensor([3], requiresGrad: true)
        let optimizer = SGD([ParameterGroup([a]), ParameterGroup([b])], learningRate: 0.1, momentum: 0.9)
        a.grad = Tensor([1, 1]); b.grad = Tensor([1])
        optimizer.step()
        XCTAssertEqual(optimizer.stateDict().tensors.map { $0.0 }, ["group0.param0.momentum_buffer", "group1.param0.momentum_buffer"])
    }

    /// Train 50 steps straight, or 25 steps, save model + optimizer state (schedule state is the
    /// step), rebuild everything, load, and train 25 more: the parameters must be identical.
    func testResumeContinuesExactly() throws {
        let cases: [(String, ([Tensor]) -> Optimizer, any LearningRateSchedule)] = [
            ("AdamW + one-cycle β₁", { AdamW($0, learningRate: 0.01, weightDecay: 0.1, amsgrad: true) },
             OneCycleLR(maxLearningRate: 0.02, totalSteps: 50)),
            ("SGD Nesterov + warmup cosine", { SGD(ParameterGroup.weightDecaySplit($0, weightDecay: 0.01), learningRate: 0.1,
                                                  momentum: 0.9, nesterov: true) },
             LinearWarmup(CosineAnnealingLR(baseLearningRate: 0.1, tMax: 40), warmupSteps: 10)),
            ("RMSprop centered + step", { RMSprop($0, learningRate: 0.003, weightDecay: 0.01, momentum: 0.5, centered: true) },
             StepLR(baseLearningRate: 0.003, stepSize: 10, gamma: 0.5)),
            ("Adagrad + exponential", { Adagrad($0, learningRate: 0.1, learningRateDecay: 0.01) },
             ExponentialLR(baseLearningRate: 0.1, gamma: 0.97)),
        ]
        for (label, make, schedule) in cases {
            let straight = makeModel()
            OptimGolden.train(straight, make(straight.parameters), steps: 50, schedule: schedule)

            let first = makeModel()
            let firstOptimizer = make(first.parameters)
            OptimGolden.train(first, firstOptimizer, steps: 25, schedule: schedule)
            let modelState = first.stateDict()
            let optimizerState = firstOptimizer.stateDict()

            let resumed = makeModel()
            let resumedOptimizer = make(resumed.parameters)
            try resumed.loadStateDict(modelState)
            try resumedOptimizer.loadStateDict(optimizerState)
            OptimGolden.train(resumed, resumedOptimizer, steps: 25, schedule: schedule, firstStep: 25)

            for ((name, a), (_, b)) in zip(straight.namedParameters(), resumed.namedParameters()) {
                XCTAssertEqual(a.scalars, b.scalars, "\(label): \(name) differs after resuming")
            }
            XCTAssertEqual(resumedOptimizer.learningRate, schedule.learningRate(atStep: 49), "\(label)")
        }
    }

    func testLoadRestoresHyperparameters() throws {
        let p = [Tensor([1, 2], requiresGrad: true)]
        let source = SGD(p, learningRate: 0.3, momentum: 0.7)
        source.learningRate = 0.05
        let target = SGD(p.map { $0.copy() }, learningRate: 1, momentum: 0.1)
        target.parameters[0].requiresGrad = true
        try target.loadStateDict(source.stateDict())
        XCTAssertEqual(target.learningRate, 0.05)
        XCTAssertEqual(target.parameterGroups[0].initialLearningRate, 0.3)
        XCTAssertEqual(target.momentum, 0.7)
    }

    func testLoadErrorsNameTheEntry() {
        let model = makeModel()
        let optimizer = Adam(model.parameters, learningRate: 0.01)
        OptimGolden.train(model, optimizer, steps: 1)
        let good = optimizer.stateDict()
        let before = optimizer.stateDict().tensor("0.weight.exp_avg")!.scalars

        var unknown = good
        unknown.tensors.append(("3.weight.exp_avg", Tensor.zeros([1, 8])))
        XCTAssertThrowsError(try optimizer.loadStateDict(unknown)) {
            XCTAssertEqual($0 as? OptimizerStateError, .unknownEntry("3.weight.exp_avg"))
            XCTAssertTrue("\($0)".contains("3.weight.exp_avg"))
        }
        var unknownBuffer = good
        unknownBuffer.tensors.append(("0.weight.momentum_buffer", Tensor.zeros([8, 4])))
        XCTAssertThrowsError(try optimizer.loadStateDict(unknownBuffer)) {
            XCTAssertEqual($0 as? OptimizerStateError, .unknownEntry("0.weight.momentum_buffer"))
        }
        var missingStep = good
        missingStep.scalars["2.bias.step"] = nil
        XCTAssertThrowsError(try optimizer.loadStateDict(missingStep)) {
            XCTAssertEqual($0 as? OptimizerStateError, .missingEntry("2.bias.step"))
        }
        var missingBuffer = good
        missingBuffer.tensors.removeAll { $0.0 == "0.bias.exp_avg_sq" }
        XCTAssertThrowsError(try optimizer.loadStateDict(missingBuffer)) {
            XCTAssertEqual($0 as? OptimizerStateError, .missingEntry("0.bias.exp_avg_sq"))
        }
        var wrongShape = good
        let index = wrongShape.tensors.firstIndex { $0.0 == "0.weight.exp_avg" }!
        wrongShape.tensors[index].1 = Tensor.zeros([4, 8])
        XCTAssertThrowsError(try optimizer.loadStateDict(wrongShape)) {
            XCTAssertEqual($0 as? OptimizerStateError, .shapeMismatch(key: "0.weight.exp_avg", expected: [8, 4], found: [4, 8]))
        }
        var extraGroup = good
        extraGroup.scalars["group.1.lr"] = 0.1
        XCTAssertThrowsError(try optimizer.loadStateDict(extraGroup)) {
            XCTAssertEqual($0 as? OptimizerStateError, .unknownEntry("group.1.lr"))
        }
        var missingGroupField = good
        missingGroupField.scalars["group.0.eps"] = nil
        XCTAssertThrowsError(try optimizer.loadStateDict(missingGroupField)) {
            XCTAssertEqual($0 as? OptimizerStateError, .missingEntry("group.0.eps"))
        }
        var badStep = good
        badStep.scalars["0.bias.step"] = 1.5
        XCTAssertThrowsError(try optimizer.loadStateDict(badStep)) {
            XCTAssertEqual($0 as? OptimizerStateError, .invalidValue(key: "0.bias.step", value: 1.5))
        }
        // Nothing changed.
        XCTAssertEqual(optimizer.stateDict().tensor("0.weight.exp_avg")!.scalars, before)
        XCTAssertEqual(optimizer.state(for: model.parameters[0]).step, 1)
        XCTAssertNoThrow(try optimizer.loadStateDict(good))
    }

    func testLoadingSGDStateWithoutMomentumBufferClearsIt() throws {
        let p = Tensor([1, 2], requiresGrad: true)
        let optimizer = SGD([p], learningRate: 0.1, momentum: 0.9)
        let fresh = optimizer.stateDict()
        XCTAssertTrue(fresh.tensors.isEmpty, "the momentum buffer is created by the first step")
        p.grad = Tensor([1, 1])
        optimizer.step()
        XCTAssertNotNil(optimizer.stateDict().tensor("group0.param0.momentum_buffer"))
        try optimizer.loadStateDict(fresh)
        XCTAssertNil(optimizer.state(for: p).momentumBuffer)
        // The next step starts the buffer from the gradient again.
        p.grad = Tensor([2, 2])
        optimizer.step()
        XCTAssertEqual(optimizer.state(for: p).momentumBuffer?.scalars, [2, 2])
    }
}
