import Foundation
import XCTest
@testable import Converge
import ConvergeTestSupport

final class TrainerTests: XCTestCase {
    /// Two Gaussian blobs, linearly separable with margin.
    static func blobs(count: Int, seed: UInt64) -> TensorDataset {
        let g = RandomGenerator(seed: seed)
        var x: [Float] = [], y: [Float] = []
        for i in 0..<count {
            let label: Float = i % 2 == 0 ? 1 : 0
            let center: Float = label == 1 ? 1.5 : -1.5
            x += [center + Float(g.nextUniform() - 0.5) * 2, center + Float(g.nextUniform() - 0.5) * 2]
            y.append(label)
        }
        return TensorDataset(features: Tensor(shape: [count, 2], scalars: x), labels: Tensor(shape: [count, 1], scalars: y))
    }

    func makeTrainer(seed: UInt64, callbacks: [Callback] = [], accumulation: Int = 1, dropout: Float = 0.2) -> Trainer {
        Random.seed(seed)
        let model = Sequential { Linear(2, 16); BatchNorm(16); ReLU(); Dropout(dropout); Linear(16, 1) }
        let optimizer = AdamW(model.parameters, learningRate: 0.01)
        return Trainer(model: model, optimizer: optimizer, loss: .binaryCrossEntropyWithLogits, callbacks: callbacks,
                       metrics: [.accuracy, .rocAUC], outputKind: .binaryLogits, accumulationSteps: accumulation)
    }

    func testSeparableProblemReachesHighValidationAccuracy() throws {
        let trainer = makeTrainer(seed: 1)
        let train = DataLoader(Self.blobs(count: 256, seed: 1), batchSize: 32, shuffle: true, seed: 3)
        let validation = DataLoader(Self.blobs(count: 128, seed: 2), batchSize: 64)
        let history = try trainer.fit(train: train, validation: validation, epochs: 8)
        XCTAssertEqual(history.records.count, 8)
        XCTAssertGreaterThanOrEqual(history.records.last?["val_accuracy"] ?? 0, 0.95)
        XCTAssertLessThan(history.series("train_loss").last!, history.series("train_loss").first!)
        for key in ["train_loss", "val_loss", "val_accuracy", "val_auc", "lr", "grad_norm", "time_s"] {
            XCTAssertNotNil(history.records[0][key], key)
        }
        XCTAssertTrue(trainer.model.isTraining, "training mode is restored after validation")
    }

    func testEarlyStoppingStopsAndRestoresBest() throws {
        let stopper = EarlyStopping(patience: 2)
        let trainer = makeTrainer(seed: 2, callbacks: [stopper])
        // Validation labels are the opposite of the training labels: validation loss rises.
        let flipped = Self.blobs(count: 64, seed: 5)
        let inverted = TensorDataset(features: flipped.features, labels: 1 - flipped.labels)
        let history = try trainer.fit(train: DataLoader(Self.blobs(count: 128, seed: 4), batchSize: 32),
                                      validation: DataLoader(inverted, batchSize: 64), epochs: 30)
        XCTAssertLessThan(history.records.count, 30)
        XCTAssertNotNil(stopper.stoppedEpoch)
        let restored = trainer.evaluate(DataLoader(inverted, batchSize: 64))[0].1
        XCTAssertEqual(restored, stopper.best, accuracy: 1e-5)
    }

    func testResumeFromMidEpochCheckpointMatchesUninterruptedRun() throws {
        let data = Self.blobs(count: 96, seed: 7)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("converge-resume-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        func loader() -> DataLoader { DataLoader(data, batchSize: 16, shuffle: true, seed: 11) }

        let reference = makeTrainer(seed: 5)
        try reference.fit(train: loader(), validation: loader(), epochs: 3)

        // Interrupted run: a callback throws after step 8 (mid-epoch 2), after the checkpoint.
        struct Interrupt: Error {}
        final class Killer: Callback {
            func afterBatch(_ trainer: Trainer) throws { if trainer.globalStep == 8 { throw Interrupt() } }
        }
        let checkpoint = dir.appendingPathComponent("checkpoint")
        let first = makeTrainer(seed: 5, callbacks: [Checkpointing(directory: checkpoint, everySteps: 4), Killer()])
        XCTAssertThrowsError(try first.fit(train: loader(), validation: loader(), epochs: 3))

        Random.seed(999)   // a resumed process starts with arbitrary random state
        let resumed = makeTrainer(seed: 123, callbacks: [Checkpointing(directory: checkpoint, everySteps: 4)])
        try Checkpoint.restore(resumed, from: checkpoint)
        XCTAssertEqual(resumed.globalStep, 8)
        try resumed.fit(train: loader(), validation: loader(), epochs: 3)

        for ((name, a), (_, b)) in zip(reference.model.stateDict(), resumed.model.stateDict()) {
            XCTAssertEqual(a.scalars, b.scalars, name)
        }
        XCTAssertEqual(reference.history.series("train_loss"), resumed.history.series("train_loss"))
    }

    func testAccumulationMatchesLargeBatch() throws {
        let data = Self.blobs(count: 64, seed: 9)
        let big = makeTrainer(seed: 3, dropout: 0)
        let small = makeTrainer(seed: 3, accumulation: 4, dropout: 0)
        // BatchNorm statistics differ between batch sizes, so compare a model without it.
        for t in [big, small] { (t.model as! Sequential)[1].eval() }
        final class KeepBatchNormEval: Callback {
            func beforeBatch(_ trainer: Trainer) throws { (trainer.model as! Sequential)[1].eval() }
        }
        big.callbacks = [KeepBatchNormEval()]
        small.callbacks = [KeepBatchNormEval()]
        try big.fit(train: DataLoader(data, batchSize: 32), epochs: 1)
        try small.fit(train: DataLoader(data, batchSize: 8), epochs: 1)
        XCTAssertEqual(big.globalStep, 2)
        XCTAssertEqual(small.globalStep, 2)
        for ((name, a), (_, b)) in zip(big.model.namedParameters(), small.model.namedParameters()) {
            XCTAssertNil(mismatch(b.scalars, a.scalars, rtol: 1e-4, atol: 1e-6), name)
        }
    }
}
