import Converge
import ConvergeCore
import Foundation

/// A tiny run: 3 → 4 → 1 with Adam and a step schedule (a callback with checkpoint state).
func makeTrainer() -> Trainer {
    Random.seed(1)
    let model = Sequential { Linear(3, 4); ReLU(); Linear(4, 1) }
    let optimizer = Adam(model.parameters, learningRate: 0.01)
    let schedule = LearningRateScheduler(StepLR(baseLearningRate: 0.01, stepSize: 1, gamma: 0.5), interval: .epoch)
    return Trainer(model: model, optimizer: optimizer, loss: .meanSquaredError, callbacks: [schedule])
}

let data = TensorDataset(features: Tensor.zeros([4, 3]), labels: Tensor.zeros([4, 1]))
let root = FileManager.default.temporaryDirectory.appendingPathComponent("converge-fuzz-checkpoint-\(getpid())")
let template = root.appendingPathComponent("template")
let files = ["state.json", "manifest.json", "model.safetensors", "optimizer.safetensors"]

/// The files of a real checkpoint (one epoch and one mid-epoch save of the tiny run).
let templateFiles: [String: Data] = {
    try? FileManager.default.removeItem(at: root)
    let trainer = makeTrainer()
    let checkpoint = template.appendingPathComponent("checkpoint")
    trainer.callbacks.append(Checkpointing(directory: checkpoint, everySteps: 1))
    _ = try! trainer.fit(train: DataLoader(data, batchSize: 2), epochs: 1)
    var contents: [String: Data] = [:]
    for name in files { contents[name] = try! Data(contentsOf: checkpoint.appendingPathComponent(name)) }
    // `FUZZ_WRITE_SEEDS=<folder>`: write the seed corpus (each file behind its selector byte).
    if let seeds = ProcessInfo.processInfo.environment["FUZZ_WRITE_SEEDS"] {
        for (i, name) in files.enumerated() {
            try! (Data([UInt8(i)]) + contents[name]!).write(to: URL(fileURLWithPath: seeds).appendingPathComponent(name))
        }
    }
    return contents
}()

/// The manifest that matches `contents` (so that a changed file gets past the checksums to the
/// reader behind them).
func manifest(_ contents: [String: Data]) -> Data {
    var entries: [String] = []
    for (name, data) in contents.sorted(by: { $0.key < $1.key }) where name != "manifest.json" {
        entries.append("\"\(name)\": {\"bytes\": \(data.count), \"crc32c\": \(CRC32C.checksum(data))}")
    }
    return Data("{\"files\": {\(entries.joined(separator: ", "))}}".utf8)
}

/// libFuzzer entry. The first byte picks the file of a real checkpoint that the rest of the
/// bytes replace (`state.json`, `manifest.json`, `model.safetensors`, `optimizer.safetensors`);
/// except for the manifest itself, the manifest is rewritten to match, so the fuzzed bytes reach
/// the reader. The folder is then restored into a fresh trainer as `--resume` does and, when it
/// restores, trained for one more epoch: a checkpoint accepted must resume without a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpoint(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start, count >= 1 else { return 0 }
    let name = files[Int(start[0]) % files.count]
    var contents = templateFiles
    contents[name] = Data(bytes: start + 1, count: count - 1)
    if name != "manifest.json" { contents["manifest.json"] = manifest(contents) }
    let checkpoint = root.appendingPathComponent("run").appendingPathComponent("checkpoint")
    try? FileManager.default.removeItem(at: checkpoint.deletingLastPathComponent())
    try? FileManager.default.createDirectory(at: checkpoint, withIntermediateDirectories: true)
    for (file, bytes) in contents { try? bytes.write(to: checkpoint.appendingPathComponent(file)) }
    let trainer = makeTrainer()
    guard (try? Checkpoint.restore(trainer, from: checkpoint)) != nil else { return 0 }
    _ = try? trainer.fit(train: DataLoader(data, batchSize: 2), epochs: 2)
    return 0
}
