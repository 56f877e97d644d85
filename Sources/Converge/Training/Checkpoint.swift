import ConvergeCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Saving and restoring the complete state of a run: model (weights and buffers), optimizer,
/// callbacks (schedules, early stopping with its best weights, …), random-generator state,
/// the position in the data order, epoch and step counters, and the history.
///
/// A checkpoint is a folder: `model.safetensors`, `optimizer.safetensors`, one
/// `<callback>.safetensors` per callback that keeps tensors, `state.json`, and `manifest.json`
/// (written last: every file's size and CRC-32C).
///
/// The folder is kept in versions, so that a crash at any instant leaves a complete checkpoint:
/// ```
/// checkpoint -> .checkpoint.versions/000007     (a symbolic link: the pointer)
/// .checkpoint.versions/000006/  000007/         (complete versions; the previous one is kept)
/// ```
/// A save writes and `fsync`s every file in `.checkpoint.versions/.tmp-000008-<pid>/`, renames it
/// to `000008` (a version folder exists only once it is complete), then points a new link at it
/// and renames the link over `checkpoint` (one atomic `rename(2)`), syncs the folders, and
/// removes versions older than the previous one. ``restore(_:from:)`` takes the newest complete
/// version (so a crash between the two renames loses nothing) and cleans up leftover temporaries.
public enum Checkpoint {
    static let formatVersion = 1
    /// The file every complete checkpoint version ends with.
    static let manifestName = "manifest.json"

    /// The folder that holds the versions of checkpoint `directory`.
    public static func versionsFolder(of directory: URL) -> URL {
        directory.deletingLastPathComponent().appendingPathComponent(".\(directory.lastPathComponent).versions")
    }

    /// Writes the trainer's state as a new version of `directory` and points `directory` at it;
    /// `metadata` (for example the run's fingerprint) is stored in `state.json`.
    public static func save(_ trainer: Trainer, to directory: URL, metadata: [String: String] = [:]) throws {
        let fm = FileManager.default
        let parent = directory.deletingLastPathComponent()
        let versions = versionsFolder(of: directory)
        try fm.createDirectory(at: versions, withIntermediateDirectories: true)
        try migrateLegacyFolder(directory, into: versions)
        let number = (completeVersions(in: versions).last?.number ?? 0) + 1
        let name = String(format: "%06d", number)
        let temporary = versions.appendingPathComponent(".tmp-\(name)-\(getpid())")
        try? fm.removeItem(at: temporary)
        try fm.createDirectory(at: temporary, withIntermediateDirectories: false)

        var files: [String] = []
        func wrote(_ file: String) { files.append(file); FaultPoint.reach("checkpoint.file-written") }
        try Safetensors.write(trainer.model.stateDict(), to: temporary.appendingPathComponent("model.safetensors"))
        wrote("model.safetensors")
        let optimizerState = trainer.optimizer.stateDict()
        try Safetensors.write(optimizerState.tensors, to: temporary.appendingPathComponent("optimizer.safetensors"))
        wrote("optimizer.safetensors")
        var callbackStates: [String: [String: Double]] = [:]
        for c in trainer.callbacks {
            guard let key = c.checkpointKey else { continue }
            callbackStates[key] = c.checkpointState(trainer)
            let tensors = c.checkpointTensors(trainer)
            if !tensors.isEmpty {
                try Safetensors.write(tensors, to: temporary.appendingPathComponent("\(key).safetensors"))
                wrote("\(key).safetensors")
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
            history: trainer.history.encoded(),
            metadata: metadata.isEmpty ? nil : metadata)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try AtomicFile.write(try encoder.encode(state), to: temporary.appendingPathComponent("state.json"))
        wrote("state.json")
        try AtomicFile.write(try manifest(of: temporary, files: files), to: temporary.appendingPathComponent(manifestName))
        try FileSync.folder(temporary)
        FaultPoint.reach("checkpoint.files-synced")

        let final = versions.appendingPathComponent(name)
        try FileSync.rename(temporary, to: final)
        try FileSync.folder(versions)
        FaultPoint.reach("checkpoint.version-renamed")

        let link = parent.appendingPathComponent(".\(directory.lastPathComponent).link-\(getpid())")
        unlink(link.path)
        guard symlink("\(versions.lastPathComponent)/\(name)", link.path) == 0 else {
            throw FileIOError.posix(link.path, "create the checkpoint pointer")
        }
        FaultPoint.reach("checkpoint.pointer-created")
        try FileSync.rename(link, to: directory)
        try FileSync.folder(parent)
        FaultPoint.reach("checkpoint.pointer-swapped")
        cleanUp(directory, keeping: number)
        FaultPoint.reach("checkpoint.pruned")
    }

    /// Restores a trainer from the newest complete checkpoint of `directory` so that
    /// ``Trainer/fit(train:validation:epochs:)`` continues the run exactly where it was saved.
    /// Every file is checked against the manifest and every field of `state.json` is validated.
    public static func restore(_ trainer: Trainer, from directory: URL) throws {
        guard let folder = latest(directory) else {
            throw TrainingError.badCheckpoint(path: directory.path, reason: "no complete checkpoint (no readable state.json)")
        }
        try verifyManifest(in: folder)
        let state = try readState(in: folder)
        let stateURL = folder.appendingPathComponent("state.json")
        let model = try Safetensors.read(contentsOf: folder.appendingPathComponent("model.safetensors")).tensors
        do { try trainer.model.loadStateDict(model) } catch {
            throw TrainingError.badCheckpoint(path: folder.appendingPathComponent("model.safetensors").path, reason: "\(error)")
        }
        let optimizerTensors = try Safetensors.read(contentsOf: folder.appendingPathComponent("optimizer.safetensors")).tensors
        do {
            try trainer.optimizer.loadStateDict(OptimizerState(tensors: optimizerTensors, scalars: state.optimizerScalars))
        } catch {
            throw TrainingError.badCheckpoint(path: folder.appendingPathComponent("optimizer.safetensors").path, reason: "\(error)")
        }
        for c in trainer.callbacks {
            guard let key = c.checkpointKey else { continue }
            do { try c.restoreCheckpointState(state.callbacks[key] ?? [:], trainer: trainer) } catch {
                throw TrainingError.badCheckpoint(path: stateURL.path, reason: "callbacks.\(key): \(error)")
            }
            let url = folder.appendingPathComponent("\(key).safetensors")
            if FileManager.default.fileExists(atPath: url.path) {
                do { try c.restoreCheckpointTensors(try Safetensors.read(contentsOf: url).tensors, trainer: trainer) } catch {
                    throw TrainingError.badCheckpoint(path: url.path, reason: "\(error)")
                }
            }
        }
        let words = state.randomState.compactMap { UInt64($0) }
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
        cleanUp(directory, keeping: nil)
    }

    /// The metadata stored with the newest complete checkpoint of `directory` (nil when there is
    /// no checkpoint).
    public static func metadata(of directory: URL) throws -> [String: String]? {
        guard let folder = latest(directory) else { return nil }
        return try readState(in: folder).metadata ?? [:]
    }

    /// Whether `directory` has a complete checkpoint to resume from.
    public static func exists(_ directory: URL) -> Bool { latest(directory) != nil }

    /// The newest complete checkpoint folder of `directory`: the newest complete version, else
    /// what the pointer names, else a legacy folder with `state.json` (nil: none).
    static func latest(_ directory: URL) -> URL? {
        if let newest = completeVersions(in: versionsFolder(of: directory)).last { return newest.url }
        let fm = FileManager.default
        if fm.fileExists(atPath: directory.appendingPathComponent("state.json").path) {
            return directory.resolvingSymlinksInPath()
        }
        return nil
    }

    /// Version folders (named by number, each with a manifest), oldest first.
    static func completeVersions(in versions: URL) -> [(number: Int, url: URL)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: versions.path)) ?? []
        return names.compactMap { name -> (Int, URL)? in
            guard name.count == 6, let n = Int(name), n > 0 else { return nil }
            let url = versions.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.appendingPathComponent(manifestName).path) else { return nil }
            return (n, url)
        }.sorted { $0.0 < $1.0 }.map { (number: $0.0, url: $0.1) }
    }

    /// A real `checkpoint/` folder (written before versioning) is renamed into the versions folder
    /// as the newest complete version, so that the pointer can take its place.
    private static func migrateLegacyFolder(_ directory: URL, into versions: URL) throws {
        var info = stat()
        guard lstat(directory.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { return }
        let fm = FileManager.default
        let files = (try? fm.contentsOfDirectory(atPath: directory.path)) ?? []
        let number = (completeVersions(in: versions).last?.number ?? 0) + 1
        let target = versions.appendingPathComponent(String(format: "%06d", number))
        if files.contains("state.json") && !files.contains(manifestName) {
            try AtomicFile.write(try manifest(of: directory, files: files.filter { !$0.hasPrefix(".") }),
                                 to: directory.appendingPathComponent(manifestName))
        }
        try FileSync.rename(directory, to: target)
        try FileSync.folder(versions)
    }

    /// Removes temporary folders and links left by interrupted saves, and versions older than
    /// the one before `keeping` (nil: keep the two newest complete versions).
    static func cleanUp(_ directory: URL, keeping: Int?) {
        let fm = FileManager.default
        let versions = versionsFolder(of: directory)
        let parent = directory.deletingLastPathComponent()
        let linkPrefix = ".\(directory.lastPathComponent).link-"
        for name in (try? fm.contentsOfDirectory(atPath: parent.path)) ?? [] where name.hasPrefix(linkPrefix) {
            unlink(parent.appendingPathComponent(name).path)
        }
        for name in (try? fm.contentsOfDirectory(atPath: versions.path)) ?? [] where name.hasPrefix(".tmp-") {
            try? fm.removeItem(at: versions.appendingPathComponent(name))
        }
        let complete = completeVersions(in: versions)
        let newest = keeping ?? complete.last?.number ?? 0
        let pointed = (try? fm.destinationOfSymbolicLink(atPath: directory.path)).flatMap { Int(($0 as NSString).lastPathComponent) }
        for version in complete where version.number < newest - 1 && version.number != pointed {
            try? fm.removeItem(at: version.url)
        }
    }

    /// `manifest.json`: `{"files": {"model.safetensors": {"bytes": 123, "crc32c": 456}, …}}`.
    private static func manifest(of folder: URL, files: [String]) throws -> Data {
        var entries: [String: [String: UInt64]] = [:]
        for name in files {
            let data = try Data(contentsOf: folder.appendingPathComponent(name))
            entries[name] = ["bytes": UInt64(data.count), "crc32c": UInt64(data.withUnsafeBytes { CRC32C.checksum($0) })]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(["files": entries])
    }

    /// Checks every file a manifest lists (size and CRC-32C); a folder without a manifest (an
    /// older checkpoint) is read as is.
    static func verifyManifest(in folder: URL) throws {
        let url = folder.appendingPathComponent(manifestName)
        guard let data = try? Data(contentsOf: url) else { return }
        guard let manifest = try? JSONDecoder().decode([String: [String: [String: UInt64]]].self, from: data),
              let files = manifest["files"] else {
            throw TrainingError.badCheckpoint(path: url.path, reason: "not a valid manifest")
        }
        for (name, entry) in files.sorted(by: { $0.key < $1.key }) {
            let file = folder.appendingPathComponent(name)
            guard !name.contains("/"), let contents = try? Data(contentsOf: file) else {
                throw TrainingError.badCheckpoint(path: file.path, reason: "missing (listed in \(manifestName))")
            }
            guard UInt64(contents.count) == entry["bytes"],
                  UInt64(contents.withUnsafeBytes { CRC32C.checksum($0) }) == entry["crc32c"] else {
                throw TrainingError.badCheckpoint(path: file.path, reason: "damaged: its size or checksum differs from \(manifestName)")
            }
        }
    }

    /// Reads and validates `state.json` of a checkpoint folder.
    static func readState(in folder: URL) throws -> CheckpointState {
        let stateURL = folder.appendingPathComponent("state.json")
        guard let data = try? Data(contentsOf: stateURL) else {
            throw TrainingError.badCheckpoint(path: folder.path, reason: "no readable state.json")
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let state: CheckpointState
        do { state = try decoder.decode(CheckpointState.self, from: data) } catch {
            throw TrainingError.badCheckpoint(path: stateURL.path, reason: "cannot decode: \(DecodingProblem(error))")
        }
        func fail(_ field: String, _ message: String) -> TrainingError {
            .badCheckpoint(path: stateURL.path, reason: "\(field): \(message)")
        }
        guard state.version == formatVersion else { throw fail("version", "format version \(state.version), expected \(formatVersion)") }
        guard state.epoch >= 0 else { throw fail("epoch", "must not be negative, got \(state.epoch)") }
        guard state.nextBatch >= 0 else { throw fail("nextBatch", "must not be negative, got \(state.nextBatch)") }
        guard state.globalStep >= 0 else { throw fail("globalStep", "must not be negative, got \(state.globalStep)") }
        guard state.sampleCount >= 0 else { throw fail("sampleCount", "must not be negative, got \(state.sampleCount)") }
        guard state.gradNormCount >= 0 else { throw fail("gradNormCount", "must not be negative, got \(state.gradNormCount)") }
        guard state.epochElapsed.isFinite, state.epochElapsed >= 0 else { throw fail("epochElapsed", "must be a finite, non-negative time") }
        guard state.lossSum.isFinite else { throw fail("lossSum", "must be finite, got \(state.lossSum)") }
        guard state.gradNormSum.isFinite, state.gradNormSum >= 0 else { throw fail("gradNormSum", "must be finite and non-negative") }
        guard (state.nextBatch == 0) == (state.sampleCount == 0) else {
            throw fail("nextBatch", "\(state.nextBatch) does not agree with sampleCount \(state.sampleCount)")
        }
        guard state.history.count == state.epoch else {
            throw fail("history", "holds \(state.history.count) epochs, but epoch is \(state.epoch)")
        }
        let words = state.randomState.compactMap { UInt64($0) }
        guard words.count == 4, state.randomState.count == 4, words.contains(where: { $0 != 0 }) else {
            throw fail("randomState", "must be 4 unsigned 64-bit words, not all zero")
        }
        return state
    }
}

/// A decoding error as one sentence (the field path and what was wrong).
struct DecodingProblem: CustomStringConvertible {
    let error: Error
    init(_ error: Error) { self.error = error }

    var description: String {
        func path(_ context: DecodingError.Context) -> String {
            let p = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "" : "\(p): "
        }
        switch error as? DecodingError {
        case .typeMismatch(_, let c)?: return "\(path(c))wrong type (\(c.debugDescription))"
        case .valueNotFound(_, let c)?: return "\(path(c))missing value"
        case .keyNotFound(let key, let c)?: return "\(path(c))missing field '\(key.stringValue)'"
        case .dataCorrupted(let c)?: return "\(path(c))not valid JSON"
        default: return "\(error)"
        }
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
    /// What the run stored with the checkpoint (its fingerprint), if anything.
    var metadata: [String: String]?
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

    /// Stored with every checkpoint (``Checkpoint/metadata(of:)``), e.g. the run's fingerprint.
    public var metadata: [String: String]

    /// Creates the callback.
    public init(directory: URL, everyEpochs: Int = 1, everySteps: Int? = nil, metadata: [String: String] = [:]) {
        self.directory = directory
        self.metadata = metadata
        self.everyEpochs = max(1, everyEpochs)
        self.everySteps = everySteps
    }

    public func afterBatch(_ trainer: Trainer) throws {
        guard let everySteps, trainer.microBatch == 0, trainer.globalStep > 0, trainer.globalStep % everySteps == 0,
              trainer.batchIndex < trainer.batchesPerEpoch - 1 else { return }
        try Checkpoint.save(trainer, to: directory, metadata: metadata)
    }

    public func afterEpoch(_ trainer: Trainer) throws {
        if trainer.epoch % everyEpochs == 0 || trainer.shouldStop || trainer.epoch == trainer.totalEpochs {
            try Checkpoint.save(trainer, to: directory, metadata: metadata)
        }
    }
}
