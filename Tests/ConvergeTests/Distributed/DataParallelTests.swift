import Foundation
import XCTest
@testable import Converge
import ConvergeTestSupport

/// Multi-process tests: `mpirun -np N converge train` against one process. Skipped, with one
/// notice, where Open MPI is not installed.
final class DataParallelTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        try MPITestSupport.requireMPI()
        folder = try makeIOTestDirectory()
        // 512 training rows (a multiple of 2·16 and 4·8), 100 validation rows: two noisy classes.
        let g = RandomGenerator(seed: 11)
        func rows(_ count: Int) -> String {
            var lines = ["a,b,c,d,label"]
            for i in 0..<count {
                let label = i % 2
                let x = (0..<4).map { k in Float(label == 1 ? 0.6 : -0.6) * Float(k % 2 == 0 ? 1 : -1) + (g.nextUniform() - 0.5) * 2 }
                lines.append(x.map { String($0) }.joined(separator: ",") + ",\(label)")
            }
            return lines.joined(separator: "\n") + "\n"
        }
        try rows(512).write(to: folder.appendingPathComponent("train.csv"), atomically: true, encoding: .utf8)
        try rows(100).write(to: folder.appendingPathComponent("val.csv"), atomically: true, encoding: .utf8)
    }

    /// A recipe with `batch` examples per process and no dropout.
    func recipe(batch: Int, optimizer: String, model: String, epochs: Int = 7, name: String) throws -> URL {
        let text = """
        seed: 5
        data: { train: train.csv, validation: val.csv, label: label, task: classification }
        model: \(model)
        optimizer: \(optimizer)
        training: { epochs: \(epochs), batch_size: \(batch), clip_norm: 5.0 }
        """
        let url = folder.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    let mlp = "{ mlp: { hidden: [16, 16], activation: tanh } }"
    let batchNormModel = """
    { layers: [ {linear: {out: 16, bias: false}}, {batchnorm: {}}, {relu: {}}, {linear: {out: 8, bias: false}}, {batchnorm: {}}, {relu: {}}, {linear: {out: 1}} ], sync_batchnorm: true }
    """
    let sgd = "{ name: sgd, lr: 0.05, momentum: 0.9 }"
    let adamw = "{ name: adamw, lr: 0.003, weight_decay: 0.01 }"

    /// Trains with `processes` ranks of `globalBatch / processes` and with one process of
    /// `globalBatch`, and compares the final weights and buffers.
    func assertDataParallelEqualsOneProcess(processes: Int, optimizer: String, model: String,
                                            file: StaticString = #filePath, line: UInt = #line) throws {
        let globalBatch = 32
        let parallel = try recipe(batch: globalBatch / processes, optimizer: optimizer, model: model, name: "parallel.yaml")
        let single = try recipe(batch: globalBatch, optimizer: optimizer, model: model, name: "single.yaml")
        let run = try MPITestSupport.run(processes: processes, ["train", parallel.path, "--output", "np\(processes)"], in: folder)
        XCTAssertEqual(run.status, 0, run.errors, file: file, line: line)
        XCTAssertEqual(run.output.split(separator: "\n").first.map(String.init), "data-parallel over \(processes) processes",
                       file: file, line: line)
        let reference = try RecipeRun.train(try Recipe.load(from: single),
                                            options: .init(output: folder.appendingPathComponent("one"), quiet: true))
        XCTAssertEqual(reference.epochs, 7)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("np\(processes)/summary.json"))) as? [String: Any]
        XCTAssertEqual(summary?["world_size"] as? Int, processes, file: file, line: line)
        // 7 epochs of 512 / 32 = 16 steps: 112 optimizer steps.
        let history = try String(contentsOf: folder.appendingPathComponent("np\(processes)/history.csv"), encoding: .utf8)
        XCTAssertEqual(history.split(separator: "\n").count, 8, file: file, line: line)
        let (difference, name) = try MPITestSupport.maxRelativeDifference(folder.appendingPathComponent("np\(processes)/model.safetensors"),
                                                                           folder.appendingPathComponent("one/model.safetensors"))
        print("data-parallel equality, \(processes) processes, \(optimizer): largest relative difference \(difference) (\(name))")
        XCTAssertLessThanOrEqual(difference, 1e-5, "largest relative difference in \(name)", file: file, line: line)
        // Validation metrics are over the whole validation set, as one process computes them.
        let parallelLoss = (summary?["final"] as? [String: Any])?["val_loss"] as? Double
        let singleLoss = reference.final.first { $0.0 == "val_loss" }?.1
        XCTAssertEqual(parallelLoss ?? .nan, singleLoss ?? 0, accuracy: 1e-4, file: file, line: line)
    }

    func testTwoProcessesWithSGDMomentumMatchOneProcessWithTwiceTheBatch() throws {
        try assertDataParallelEqualsOneProcess(processes: 2, optimizer: sgd, model: mlp)
    }

    func testTwoProcessesWithAdamWMatchOneProcessWithTwiceTheBatch() throws {
        try assertDataParallelEqualsOneProcess(processes: 2, optimizer: adamw, model: mlp)
    }

    func testFourProcessesWithSGDMomentumMatchOneProcess() throws {
        try assertDataParallelEqualsOneProcess(processes: 4, optimizer: sgd, model: mlp)
    }

    func testFourProcessesWithAdamWMatchOneProcess() throws {
        try assertDataParallelEqualsOneProcess(processes: 4, optimizer: adamw, model: mlp)
    }

    /// SyncBatchNorm over 2 ranks of 16 computes the statistics BatchNorm computes over one batch
    /// of 32: weights and running statistics end equal after 112 steps.
    func testSyncBatchNormOverTwoProcessesMatchesBatchNormOverTheGlobalBatch() throws {
        try assertDataParallelEqualsOneProcess(processes: 2, optimizer: sgd, model: batchNormModel)
        let state = try Safetensors.read(contentsOf: folder.appendingPathComponent("np2/model.safetensors")).tensors.map(\.0)
        XCTAssertTrue(state.contains { $0.hasSuffix("running_var") || $0.hasSuffix("runningVar") }, "\(state)")
    }
}

/// The README's library snippet (`converge demo data-parallel`) on two processes.
final class DataParallelDemoTests: XCTestCase {
    func testLibrarySnippetTrainsIdenticalReplicasOnTwoProcesses() throws {
        try MPITestSupport.requireMPI()
        let folder = try makeIOTestDirectory()
        let run = try MPITestSupport.run(processes: 2, ["demo", "data-parallel", "--epochs", "3"], in: folder)
        XCTAssertEqual(run.status, 0, run.errors)
        let lines = run.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "data-parallel over 2 processes")
        XCTAssertEqual(lines.last, "replicas identical: yes")
        let losses = lines.compactMap { $0.hasPrefix("epoch") ? Double($0.split(separator: " ").last ?? "") : nil }
        XCTAssertEqual(losses.count, 3)
        XCTAssertLessThan(losses.last ?? 1, losses.first ?? 0, "the loss should fall: \(losses)")
    }
}
