import Foundation
import XCTest
@testable import Converge

// The examples of the article "Writing a Module, a Callback and a Dataset"
// (Sources/Converge/Converge.docc/WritingExtensions.md), as written there.

/// y = x · σ(gate(x)) · scale: a gated linear unit with a learned per-feature scale.
final class GatedUnit: Module {
    let gate: Linear
    @Parameter var scale: Tensor

    init(features: Int) {
        gate = Linear(features, features)
        scale = Tensor.ones([features])
        super.init()
    }

    override func forward(_ x: Tensor) -> Tensor {
        x * gate(x).sigmoid() * scale
    }
}

/// Stops when the training loss falls below a target, and records the best loss so far.
final class StopAtLoss: Callback {
    let target: Double
    private(set) var best = Double.infinity

    init(target: Double) { self.target = target }

    func afterEpoch(_ trainer: Trainer) throws {
        guard let loss = trainer.history.records.last?["train_loss"] else { return }
        best = min(best, loss)
        if loss < target { trainer.shouldStop = true }
    }

    func beforeEpoch(_ trainer: Trainer) throws {
        if best.isFinite { trainer.extraEpochValues.append(("best_train_loss", best)) }
    }

    // Saved in checkpoints, so a resumed run remembers the best loss.
    var checkpointKey: String? { "stop_at_loss" }
    func checkpointState(_ trainer: Trainer) -> [String: Double] { ["best": best] }
    func restoreCheckpointState(_ state: [String: Double], trainer: Trainer) throws { best = state["best"] ?? best }
}

/// Points on two noisy rings: label 1 for the outer ring. Examples are computed on demand.
struct Rings: Dataset {
    let count: Int
    var featureShape: [Int] { [2] }
    var labelShape: [Int] { [1] }

    func example(at index: Int) -> (features: [Float], label: [Float]) {
        let outer = index % 2
        let angle = Float(index) * 2.399963   // the golden angle spreads the points
        let radius = Float(1 + outer) + 0.1 * sin(Float(index) * 12.9898)
        return ([radius * cos(angle), radius * sin(angle)], [Float(outer)])
    }
}

final class WritingExtensionsTests: XCTestCase {
    func testTheArticlesModuleCallbackAndDatasetTrainTogether() throws {
        Random.seed(3)
        let model = Sequential { Linear(2, 8); GatedUnit(features: 8); Linear(8, 1) }
        XCTAssertEqual(model.stateDict().map(\.0), ["0.weight", "0.bias", "1.scale", "1.gate.weight", "1.gate.bias", "2.weight", "2.bias"])
        let loader = DataLoader(Rings(count: 512), batchSize: 32, shuffle: true, seed: 7)
        let batch = Rings(count: 4).batch(indices: [0, 1, 2, 3])
        XCTAssertEqual(batch.inputs.shape, [4, 2])
        XCTAssertEqual(batch.targets.scalars, [0, 1, 0, 1])

        let stop = StopAtLoss(target: 0.3)
        let trainer = Trainer(model: model, optimizer: Adam(model.parameters, learningRate: 0.03),
                              loss: .binaryCrossEntropyWithLogits, callbacks: [stop], metrics: [.accuracy],
                              outputKind: .binaryLogits)
        let history = try trainer.fit(train: loader, validation: DataLoader(Rings(count: 128), batchSize: 64), epochs: 40)
        // The rings are separable by radius: the gated model learns them and the callback stops early.
        XCTAssertLessThan(history.records.count, 40)
        XCTAssertLessThan(stop.best, 0.3)
        XCTAssertGreaterThan(history.records.last?["val_accuracy"] ?? 0, 0.9)
        XCTAssertEqual(history.records.last?["best_train_loss"].map { $0 >= stop.best }, true)
        XCTAssertEqual(stop.checkpointState(trainer)["best"], stop.best)
        // The scale parameter trains.
        let gated = try XCTUnwrap(model[1] as? GatedUnit)
        XCTAssertNotEqual(gated.scale.scalars, Array(repeating: 1, count: 8))
    }
}
