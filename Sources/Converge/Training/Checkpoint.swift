import ConvergeCore
import Foundation

/// Saving and restoring the complete state of a run: model (weights and buffers), optimizer,
/// callbacks (schedules, early stopping with its best weights, …), random-generator state,
/// the position in the data order, epoch and step counters, and the history.
///
/// A checkpoint is a folder: `model.safetensors`, `optimizer.safetensors`, one
/// `<callback>.safetensors` per callback that keeps tensors, and `state.json`. It is written into
/// a temporary folder beside the target and then renamed into place, so a crash never leaves a
/// half-written checkpoint.
public enum Checkpoint {
    static let formatVersion = 1

    /// Writes the trainer's state to `directory` atomically.
    public static func save(_ trainer: Trainer, to directory: URL) throws {
        let fm = FileManager.default
        let parent = directory.deletingLastPathComponent()
        try fm.createDirectory(at: parent, withIntermediateDirectories: true)
        let temporary = parent.appendingPathComponent(".\(directory.lastPathComponent).tmp-\(getpid())")
        try? fm.removeItem(at: temporary)
        try fm.createDirectory(at: temporary, withIntermediateDirectories: true)

        try Safetensors.write(trainer.model.stateDict(), to: temporary.appendingPathComponent("model.safetensors"))
        let optimizerState = trainer.optimizer.stateDict()
        try Safetensors.write(optimizerState.tensors, to: temporary.appendingPathComponent("optimizer.safetensors"))
        var callbackStates: [String: [String: Double]] = [:]
        for c in trainer.callbacks {
            guard let key = c.checkpointKey else { continue }
            callbackStates[key] = c.checkpointState(trainer)
            let tensors = c.checkpointTensors(trainer)
            if !tensors.isEmpty {
                try Safetensors.write(tensors, to: temporary.appendingPathComponent("\(key).safetensors"))
            }
        }
        let midEpoch = trainer.sampleCount > 0
        let state = CheckpointState(
            version: formatVersion,
            epoch: trainer.epoch,
            nextBatch: midEpoch ? trainer.batchIndex + 1 : 0,
            globalStep: trainer.globalStep,
            lossSum: trainer.lossSum, sampleCount: trainer.sampleCount,
            gradNormSum: trainer.gradNormSum, gradNormCount: trainer.gradNormCount,
            epochElapsed: midEpoch ? Date().timeIntervalSince(trainer.epochStart) : 0,
            extraEpochValues: trainer.extraEpochValues.map { [$0.0: $0.1] },
            randomState: Random.generator.state.map { String($0) },
            optimizerScalars: optimizerState.scalars,
            callbacks: callbackStates,
            history: trainer.history.encoded())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try encoder.encode(state).write(to: temporary.appendingPathComponent("state.json"))

        // Swap into place: old → backup, temporary → target, remove backup.
        let backup = parent.appendingPathComponent(".\(directory.lastPathComponent).old-\(getpid())")
        try? fm.removeItem(at: backup)
        if fm.fileExists(atPath: directory.path) { try fm.moveItem(at: directory, to: backup) }
        try fm.moveItem(at: temporary, to: directory)
        try? fm.removeItem(at: backup)
    }

    /// Restores a trainer from `directory` so that ``Trainer/fit(train:validation:epochs:)``
    /// continues the run exactly where it was saved.
    public static func restore(_ trainer: Trainer, from directory: URL) throws {
        let stateURL = directory.appendingPathComponent("state.json")
        guard let data = try? Data(contentsOf: stateURL) else {
            throw TrainingError.badCheckpoint(path: directory.path, reason: "no readable state.json")
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let state: CheckpointState
        do { state = try decoder.decode(CheckpointState.self, from: data) } catch {
            throw TrainingError.badCheckpoint(path: stateURL.path, reason: "cannot decode: \(error)")
        }
        guard state.version == formatVersion else {
            throw TrainingError.badCheckpoint(path: stateURL.path, reason: "format version \(state.version), expected \(formatVersion)")
        }
        let model = try Safetensors.read(contentsOf: directory.appendingPathComponent("model.safetensors")).tensors
        do { try trainer.model.loadStateDict(model) } catch {
            throw TrainingError.badCheckpoint(path: directory.appendingPathComponent("model.safetensors").path, reason: "\(error)")
        }
        let optimizerTensors = try Safetensors.read(contentsOf: directory.appendingPathComponent("optimizer.safetensors")).tensors
        do {
            try trainer.optimizer.loadStateDict(OptimizerState(tensors: optimizerTensors, scalars: state.optimizerScalars))
        } catch {
            throw TrainingError.badCheckpoint(path: directory.appendingPathComponent("optimizer.safetensors").path, reason: "\(error)")
        }
        for c in trainer.callbacks {
            guard let key = c.checkpointKey else { continue }
            try c.restoreCheckpointState(state.callbacks[key] ?? [:], trainer: trainer)
            let url = directory.appendingPathComponent("\(key).safetensors")
            if FileManager.default.fileExists(atPath: url.path) {
                try c.restoreCheckpointTensors(try Safetensors.read(contentsOf: url).tensors, trainer: trainer)
            }
        }
        let words = state.randomState.compactMap { UInt64($0) }
        guard words.count == 4 else {
            throw TrainingError.badCheckpoint(path: stateURL.path, reason: "random state must have 4 words")
        }
        Random.generator = RandomGenerator(state: words)
        trainer.epoch = state.epoch
        trainer.resumeBatch = state.nextBatch
        trainer.batchIndex = max(0, state.nextBatch - 1)
        trainer.globalStep = state.globalStep
        trainer.lossSum = state.lossSum
        trainer.sampleCount = state.sampleCount
        trainer.gradNormSum = state.gradNormSum
        trainer.gradNormCount = state.gradNormCount
        trainer.microBatch = 0
        trainer.epochStart = Date().addingTimeInterval(-state.epochElapsed)
        trainer.extraEpochValues = state.extraEpochValues.flatMap { $0.map { ($0.key, $0.value) } }
        trainer.history = History(encoded: state.history)
    }
}

/// The JSON part of a checkpoint.
struct CheckpointState: Codable {
    var version: Int
    var epoch: Int
    var nextBatch: Int
    var globalStep: Int
    var lossSum: Double
    var sampleCount: Int
    var gradNormSum: Double
    var gradNormCount: Int
    var epochElapsed: Double
    var extraEpochValues: [[String: Double]]
    var randomState: [String]
    var optimizerScalars: [String: Double]
    var callbacks: [String: [String: Double]]
    var history: [[String: Double]]
}

/// Saves a checkpoint at the end of every `everyEpochs` epochs and, optionally, every
/// `everySteps` optimizer steps inside an epoch.
public final class Checkpointing: Callback {
    /// The checkpoint folder (replaced atomically at each save).
    public let directory: URL
    /// Save after every this many epochs.
    public let everyEpochs: Int
    /// Also save after every this many optimizer steps (nil: only at epoch ends).
    public let everySteps: Int?

    /// Creates the callback.
    public init(directory: URL, everyEpochs: Int = 1, everySteps: Int? = nil) {
        self.directory = directory
        self.everyEpochs = max(1, everyEpochs)
        self.everySteps = everySteps
    }

    public func afterBatch(_ trainer: Trainer) throws {
        guard let everySteps, trainer.microBatch == 0, trainer.globalStep > 0, trainer.globalStep % everySteps == 0,
              trainer.batchIndex < trainer.batchesPerEpoch - 1 else { return }
        try Checkpoint.save(trainer, to: directory)
    }

    public func afterEpoch(_ trainer: Trainer) throws {
        if trainer.epoch % everyEpochs == 0 || trainer.shouldStop || trainer.epoch == trainer.totalEpochs {
            try Checkpoint.save(trainer, to: directory)
        }
    }
}
