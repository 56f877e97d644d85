import XCTest
@testable import Converge

/// A model with nested submodules, an optional submodule, an array, a dictionary, a buffer and a
/// parameter of its own, to exercise discovery.
private final class Composite: Module {
    @Parameter var scale = Tensor.ones([2])
    @Buffer var steps = Tensor.zeros([])
    let encoder = Sequential { Linear(3, 4); BatchNorm(4); ReLU() }
    var head: Linear? = Linear(4, 2)
    var missing: Linear?
    let blocks: [Module] = [Linear(2, 2), Dropout(0.5)]
    let named: [String: Module] = ["b": Linear(2, 1), "a": LayerNorm(2)]

    override func forward(_ input: Tensor) -> Tensor {
        var x = head!(encoder(input)) * scale
        for block in blocks { x = block(x) }
        return named["b"]!(named["a"]!(x))
    }
}

final class ModuleTests: XCTestCase {
    func testParametersHaveStableDottedNames() {
        let model = Composite()
        let names = model.namedParameters().map { $0.0 }
        XCTAssertEqual(names, ["scale", "encoder.0.weight", "encoder.0.bias", "encoder.1.weight", "encoder.1.bias",
                               "head.weight", "head.bias", "blocks.0.weight", "blocks.0.bias",
                               "named.a.weight", "named.a.bias", "named.b.weight", "named.b.bias"])
        XCTAssertEqual(Composite().namedParameters().map { $0.0 }, names, "names must not depend on the instance")
        XCTAssertEqual(model.namedParameters()[5].1.name, "head.weight")
        XCTAssertEqual(model.parameterCount, 2 + 12 + 4 + 4 + 4 + 8 + 2 + 6 + 2 + 2 + 2 + 1)
    }

    func testBuffersAreApartFromParameters() {
        let model = Composite()
        XCTAssertEqual(model.namedBuffers().map { $0.0 },
                       ["steps", "encoder.1.runningMean", "encoder.1.runningVar", "encoder.1.numBatchesTracked"])
        let parameterIDs = Set(model.parameters.map { ObjectIdentifier($0) })
        XCTAssertTrue(model.namedBuffers().allSatisfy { !parameterIDs.contains(ObjectIdentifier($0.1)) })
        XCTAssertTrue(model.namedBuffers().allSatisfy { !$0.1.requiresGrad })
        XCTAssertTrue(model.parameters.allSatisfy { $0.requiresGrad })
    }

    func testTrainAndEvalReachEverySubmodule() {
        let model = Composite()
        XCTAssertEqual(model.modules.count, 10)
        model.eval()
        XCTAssertTrue(model.modules.allSatisfy { !$0.isTraining })
        model.train()
        XCTAssertTrue(model.modules.allSatisfy { $0.isTraining })
        model.train(false)
        XCTAssertFalse(model.blocks[1].isTraining)
    }

    func testEvalChangesDropoutAndBatchNormBehaviour() {
        Random.seed(1)
        let model = Sequential { Linear(4, 8); BatchNorm(8); ReLU(); Dropout(0.5); Linear(8, 2) }
        let x = Tensor.randomNormal([16, 4])
        _ = model(x)
        model.eval()
        let a = model(x), b = model(x)
        XCTAssertEqual(a.scalars, b.scalars, "evaluation is deterministic")
        // A single sample works in evaluation (running statistics), unlike training.
        XCTAssertEqual(model(x.sliced(alongAxis: 0, 0..<1)).scalars, Array(a.scalars.prefix(2)))
        model.train()
        XCTAssertNotEqual(model(x).scalars, model(x).scalars, "training draws fresh dropout masks")
    }

    func testFreezingKeepsParametersInTheStateDictionary() {
        let model = Sequential { Linear(3, 2); Linear(2, 1) }
        model[0].freeze()
        XCTAssertEqual(model.trainableParameters.count, 2)
        XCTAssertEqual(model.parameters.count, 4)
        XCTAssertEqual(model.stateDict().map { $0.0 }, ["0.weight", "0.bias", "1.weight", "1.bias"])
        let x = Tensor.randomNormal([4, 3])
        model(x).sum().backward()
        XCTAssertNil((model[0] as! Linear).weight.grad)
        XCTAssertNotNil((model[1] as! Linear).weight.grad)
        model.unfreeze()
        XCTAssertEqual(model.trainableParameters.count, 4)
    }

    func testForwardHooksSeeInputAndOutputAndCanBeRemoved() {
        let model = Sequential { Linear(3, 2); ReLU() }
        var seen: [(String, [Int], [Int])] = []
        _ = model.namedModules()
        let id = model[1].addForwardHook { module, input, output in seen.append((module.path ?? "?", input.shape, output.shape)) }
        _ = model(Tensor.randomNormal([5, 3]))
        XCTAssertEqual(seen.count, 1)
        XCTAssertEqual(seen.first?.0, "1")
        XCTAssertEqual(seen.first?.1, [5, 2])
        model[1].removeForwardHook(id)
        _ = model(Tensor.randomNormal([5, 3]))
        XCTAssertEqual(seen.count, 1)
    }

    func testApplyVisitsChildrenFirst() {
        let model = Sequential { Linear(2, 2); Sequential { ReLU(); Linear(2, 1) } }
        var order: [String] = []
        model.apply { order.append(String(describing: type(of: $0))) }
        XCTAssertEqual(order, ["Linear", "ReLU", "Linear", "Sequential", "Sequential"])
        model.apply { module in (module as? Linear)?.weight.fill(0.5) }
        XCTAssertTrue(model.parameters.filter { $0.rank == 2 }.allSatisfy { $0.scalars.allSatisfy { $0 == 0.5 } })
    }

    func testTensorNamed() {
        let model = Sequential { Linear(2, 2); BatchNorm(2) }
        XCTAssertTrue(model.tensor(named: "1.runningVar") === (model[1] as! BatchNorm).runningVar)
        XCTAssertNil(model.tensor(named: "2.weight"))
    }

    func testSharedParameterIsListedOnce() {
        let shared = Linear(2, 2)
        let model = Sequential([shared, ReLU(), shared])
        XCTAssertEqual(model.namedParameters().map { $0.0 }, ["0.weight", "0.bias"])
    }
}

/// Submodules held in arrays and dictionaries of a concrete layer type.
private final class TypedContainers: Module {
    let stack: [Linear] = [Linear(2, 2), Linear(2, 2)]
    let heads: [String: Linear] = ["y": Linear(2, 1)]
    let norm: BatchNorm? = BatchNorm(2)
}

final class ModuleContainerTests: XCTestCase {
    func testConcretelyTypedContainersAreDiscovered() {
        let model = TypedContainers()
        XCTAssertEqual(model.namedParameters().map { $0.0 },
                       ["stack.0.weight", "stack.0.bias", "stack.1.weight", "stack.1.bias", "heads.y.weight", "heads.y.bias",
                        "norm.weight", "norm.bias"])
        XCTAssertEqual(model.namedBuffers().map { $0.0 }, ["norm.runningMean", "norm.runningVar", "norm.numBatchesTracked"])
    }

    // MARK: Reflection cache

    func testAssigningATensorToAParameterIsSeenWithoutInvalidating() {
        let model = Composite()
        _ = model.parameters
        let replacement = Tensor.zeros([2, 4])
        model.head!.weight = replacement
        XCTAssertTrue(model.tensor(named: "head.weight") === replacement)
        XCTAssertEqual(model.namedParameters().map { $0.0 }, Composite().namedParameters().map { $0.0 })
    }

    func testSequentialAppendIsSeenByTheEnclosingModel() {
        let model = Composite()
        let before = model.namedParameters().count
        model.encoder.append(Linear(4, 4))
        let names = model.namedParameters().map { $0.0 }
        XCTAssertEqual(names.count, before + 2)
        XCTAssertTrue(names.contains("encoder.3.weight"), "\(names)")
        XCTAssertEqual(model.stateDict().map { $0.0 }.filter { $0.hasPrefix("encoder.3.") }.sorted(), ["encoder.3.bias", "encoder.3.weight"])
    }

    func testReassignedSubmoduleIsSeenAfterInvalidateStructure() {
        let model = Composite()
        let oldHead = try! XCTUnwrap(model.head)
        XCTAssertTrue(model.parameters.contains { $0 === oldHead.weight })
        let newHead = Linear(4, 2)
        model.head = newHead
        // The cached tree still lists the head that was reflected …
        XCTAssertTrue(model.parameters.contains { $0 === oldHead.weight })
        // … until the structure is invalidated.
        model.invalidateStructure()
        XCTAssertTrue(model.parameters.contains { $0 === newHead.weight })
        XCTAssertFalse(model.parameters.contains { $0 === oldHead.weight })
        XCTAssertEqual(model.tensor(named: "head.weight").map { ObjectIdentifier($0) }, ObjectIdentifier(newHead.weight))
    }

    func testModulePathsFollowTheLastEnumeratingModel() {
        let inner = Sequential { Linear(2, 2); ReLU() }
        let outer = Sequential { Linear(2, 2); inner }
        _ = outer.modules
        XCTAssertEqual(inner[0].path, "1.0")
        _ = outer.modules   // cached: the paths are assigned again
        XCTAssertEqual(inner.path, "1")
    }

    /// An enumerated (and trained) model is freed when its last user lets go: the cached tree of
    /// modules must not hold the model itself (a leak LeakSanitizer found in every test that
    /// built a model).
    func testAnEnumeratedTrainedModelIsFreed() throws {
        weak var weakModel: Module?
        weak var weakLayer: Module?
        weak var weakWeight: Tensor?
        func train() throws {
            let layer = Linear(3, 2)
            let model = Sequential { layer; ReLU(); Linear(2, 1) }
            weakModel = model
            weakLayer = layer
            weakWeight = layer.weight
            _ = model.namedParameters()
            _ = model.namedModules()   // from the cache
            let trainer = Trainer(model: model, optimizer: Adam(model.parameters, learningRate: 0.01), loss: .meanSquaredError)
            let data = TensorDataset(features: Tensor.ones([4, 3]), labels: Tensor.zeros([4, 1]))
            try trainer.fit(train: DataLoader(data, batchSize: 2), epochs: 1)
        }
        try train()
        XCTAssertNil(weakModel, "the model is kept alive after its last use")
        XCTAssertNil(weakLayer)
        XCTAssertNil(weakWeight)
    }
}
