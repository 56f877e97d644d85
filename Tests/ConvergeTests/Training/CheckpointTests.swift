import Foundation
import XCTest
@testable import Converge
import ConvergeCore

final class CheckpointTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("converge-ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func makeTrainer(seed: UInt64) -> Trainer {
        Random.seed(seed)
        let model = Sequential { Linear(3, 4); ReLU(); Linear(4, 1) }
        return Trainer(model: model, optimizer: Adam(model.parameters, learningRate: 0.01), loss: .meanSquaredError)
    }

    func names(_ url: URL) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted() }

    func testSavesAreVersionsBehindAPointerAndOldOnesArePruned() throws {
        let trainer = makeTrainer(seed: 1)
        let checkpoint = folder.appendingPathComponent("checkpoint")
        for _ in 0..<3 { try Checkpoint.save(trainer, to: checkpoint) }
        let versions = Checkpoint.versionsFolder(of: checkpoint)
        XCTAssertEqual(names(versions), ["000002", "000003"], "the previous version is kept, older ones removed")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: checkpoint.path), ".checkpoint.versions/000003")
        XCTAssertTrue(FileManager.default.fileExists(atPath: checkpoint.appendingPathComponent("state.json").path))
        XCTAssertEqual(names(folder), [".checkpoint.versions", "checkpoint"], "no temporaries left beside it")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: checkpoint.appendingPathComponent("manifest.json"))) as? [String: [String: Any]]
        XCTAssertEqual(manifest?["files"]?.keys.sorted(), ["model.safetensors", "optimizer.safetensors", "state.json"])
    }

    func testRestoreTakesTheNewestCompleteVersionAndCleansUp() throws {
        let checkpoint = folder.appendingPathComponent("checkpoint")
        let trainer = makeTrainer(seed: 1)
        try Checkpoint.save(trainer, to: checkpoint)
        // A newer complete version whose pointer swap never happened (a kill between the renames),
        // an unfinished temporary folder and a dangling pointer temporary.
        let newer = makeTrainer(seed: 2)
        newer.globalStep = 7
        try Checkpoint.save(newer, to: checkpoint)
        let versions = Checkpoint.versionsFolder(of: checkpoint)
        unlink(checkpoint.path)
        XCTAssertEqual(symlink(".checkpoint.versions/000001", checkpoint.path), 0)
        try FileManager.default.createDirectory(at: versions.appendingPathComponent(".tmp-000003-99"), withIntermediateDirectories: true)
        XCTAssertEqual(symlink(".checkpoint.versions/000003", folder.appendingPathComponent(".checkpoint.link-99").path), 0)

        let restored = makeTrainer(seed: 3)
        try Checkpoint.restore(restored, from: checkpoint)
        XCTAssertEqual(restored.globalStep, 7, "the newest complete version wins over a stale pointer")
        XCTAssertEqual(restored.model.stateDict().map { $0.1.scalars }, newer.model.stateDict().map { $0.1.scalars })
        XCTAssertEqual(names(versions), ["000001", "000002"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent(".checkpoint.link-99").path))
    }

    func testALegacyFolderIsReadAndThenMigrated() throws {
        let checkpoint = folder.appendingPathComponent("checkpoint")
        let trainer = makeTrainer(seed: 1)
        trainer.globalStep = 4
        try Checkpoint.save(trainer, to: checkpoint)
        // Turn it into the old layout: a real folder with no manifest.
        let real = checkpoint.resolvingSymlinksInPath()
        unlink(checkpoint.path)
        try FileManager.default.moveItem(at: real, to: checkpoint)
        try FileManager.default.removeItem(at: checkpoint.appendingPathComponent("manifest.json"))
        try FileManager.default.removeItem(at: Checkpoint.versionsFolder(of: checkpoint))

        let restored = makeTrainer(seed: 2)
        try Checkpoint.restore(restored, from: checkpoint)
        XCTAssertEqual(restored.globalStep, 4)
        try Checkpoint.save(restored, to: checkpoint)
        XCTAssertEqual(names(Checkpoint.versionsFolder(of: checkpoint)), ["000001", "000002"])
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: checkpoint.path), ".checkpoint.versions/000002")
    }

    func testDamagedOrInconsistentStateIsRefusedNamingTheField() throws {
        let checkpoint = folder.appendingPathComponent("checkpoint")
        try Checkpoint.save(makeTrainer(seed: 1), to: checkpoint)
        let stateURL = checkpoint.appendingPathComponent("state.json").resolvingSymlinksInPath()
        let original = try Data(contentsOf: stateURL)
        func refuse(_ edit: (inout [String: Any]) -> Void, _ field: String) throws {
            var json = try JSONSerialization.jsonObject(with: original) as! [String: Any]
            edit(&json)
            try JSONSerialization.data(withJSONObject: json).write(to: stateURL)
            try? FileManager.default.removeItem(at: checkpoint.appendingPathComponent("manifest.json").resolvingSymlinksInPath())
            XCTAssertThrowsError(try Checkpoint.restore(makeTrainer(seed: 2), from: checkpoint)) { error in
                XCTAssertTrue("\(error)".contains("state.json: \(field)"), "\(error)")
            }
        }
        try refuse({ $0["epoch"] = -1 }, "epoch")
        try refuse({ $0["globalStep"] = -3 }, "globalStep")
        try refuse({ $0["nextBatch"] = -2 }, "nextBatch")
        try refuse({ $0["nextBatch"] = 3 }, "nextBatch")   // mid-epoch position without the epoch's samples
        try refuse({ $0["epoch"] = 2 }, "history")
        try refuse({ $0["randomState"] = ["0", "0", "0", "0"] }, "randomState")
        try refuse({ $0["lossSum"] = "nan" }, "lossSum")
    }

    func testAChecksumMismatchIsRefused() throws {
        let checkpoint = folder.appendingPathComponent("checkpoint")
        try Checkpoint.save(makeTrainer(seed: 1), to: checkpoint)
        let url = checkpoint.appendingPathComponent("optimizer.safetensors").resolvingSymlinksInPath()
        var data = try Data(contentsOf: url)
        data[data.count - 2] ^= 1
        try data.write(to: url)
        XCTAssertThrowsError(try Checkpoint.restore(makeTrainer(seed: 2), from: checkpoint)) { error in
            XCTAssertTrue("\(error)".contains("optimizer.safetensors: damaged"), "\(error)")
        }
    }
}
