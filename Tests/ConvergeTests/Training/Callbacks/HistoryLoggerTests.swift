import ConvergeTestSupport
import Foundation
import XCTest
@testable import Converge

final class HistoryLoggerTests: XCTestCase {
    /// Per-step TensorBoard scalars arrive every `stepInterval` optimizer steps, at the global
    /// step, with the step's loss, learning rate and gradient norm.
    func testPerStepScalarsAtTheInterval() throws {
        Random.seed(3)
        let x = Tensor.randomNormal([40, 3]), y = Tensor.randomBernoulli([40, 1], probability: 0.5)
        let model = Sequential { Linear(3, 4); ReLU(); Linear(4, 1) }
        let optimizer = SGD(model.parameters, learningRate: 0.05)
        let directory = try makeIOTestDirectory()
        let trainer = Trainer(model: model, optimizer: optimizer, loss: .binaryCrossEntropyWithLogits,
                              callbacks: [HistoryLogger(directory: directory, stepInterval: 3)], outputKind: .binaryLogits)
        _ = try trainer.fit(train: DataLoader(TensorDataset(features: x, labels: y), batchSize: 8), validation: nil, epochs: 2)
        let file = try XCTUnwrap(FileManager.default.contentsOfDirectory(at: directory.appendingPathComponent("tensorboard"),
                                                                         includingPropertiesForKeys: nil).first)
        let events = try TensorBoardEvent.read(contentsOf: file)
        let stepEvents = events.filter { $0.scalars.contains { $0.tag == "step/loss" } }
        XCTAssertEqual(stepEvents.map(\.step), [3, 6, 9], "10 steps, every third")
        for event in stepEvents {
            XCTAssertEqual(Set(event.scalars.map(\.tag)), ["step/loss", "step/learning_rate", "step/grad_norm"])
            XCTAssertEqual(event.scalars.first { $0.tag == "step/learning_rate" }?.value, 0.05)
            XCTAssertGreaterThan(event.scalars.first { $0.tag == "step/grad_norm" }?.value ?? 0, 0)
        }
        // The per-epoch records are still there.
        XCTAssertEqual(events.filter { $0.scalars.contains { $0.tag == "loss/train" } }.map(\.step), [1, 2])
    }
}
