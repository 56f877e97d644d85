import ConvergeCore
import Foundation

/// What `converge train` does differently under `mpirun` (see ``RecipeRun``): every rank loads
/// the recipe and data and trains a replica; rank 0 alone writes the run folder.
final class DataParallelRun {
    let group: ProcessGroup

    init(group: ProcessGroup) { self.group = group }

    /// Whether this rank writes the run folder (rank 0).
    var writes: Bool { group.rank == 0 }

    /// See ``ProcessGroup/agreeing(_:)``.
    func agreeing<T>(_ body: () throws -> T) throws -> T { try group.agreeing(body) }

    /// Rank 0's `value` on every rank (what only rank 0's run folder says, e.g. the run plan).
    func fromRankZero(_ value: Int) throws -> Int {
        let bytes = try group.broadcast(bytes: Array(String(value).utf8), root: 0)
        return Int(String(decoding: bytes, as: UTF8.self)) ?? value
    }

    /// Converts BatchNorm to SyncBatchNorm when the recipe asks, wraps the model and returns the
    /// trainer hooks.
    func prepare(_ model: Sequential, recipe: Recipe) throws -> (Sequential, DataParallelSynchronizer) {
        let model = recipe.syncBatchNorm ? SyncBatchNorm.convert(model, processGroup: group) : model
        let parallel = try DataParallel(model, group: group)
        return (model, DataParallelSynchronizer(parallel, dropoutSeed: recipe.seed))
    }

    /// Restores every rank from rank 0's checkpoint folder: rank 0 reads its files and broadcasts
    /// them; the other ranks (which may be on other hosts) restore from a private copy.
    func restore(_ trainer: Trainer, from directory: URL) throws {
        var archive: [UInt8] = []
        if writes {
            let folder = Checkpoint.latest(directory) ?? directory   // the newest complete version
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            for name in names {
                let data = try Data(contentsOf: folder.appendingPathComponent(name))
                archive += Self.encode(UInt64(name.utf8.count)) + Array(name.utf8) + Self.encode(UInt64(data.count)) + Array(data)
            }
        }
        archive = try group.broadcast(bytes: archive, root: 0)
        if writes {
            try Checkpoint.restore(trainer, from: directory)
            return
        }
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("converge-checkpoint-\(getpid())-\(group.rank)")
        try? FileManager.default.removeItem(at: copy)
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: copy) }
        var offset = 0
        func read(_ count: Int) -> ArraySlice<UInt8> {
            defer { offset += count }
            return archive[offset..<(offset + count)]
        }
        while offset < archive.count {
            let name = String(decoding: read(Int(Self.decode(read(8)))), as: UTF8.self)
            let bytes = read(Int(Self.decode(read(8))))
            try Data(bytes).write(to: copy.appendingPathComponent(name))
        }
        try Checkpoint.restore(trainer, from: copy)
    }

    /// An error on this rank alone (the others may be inside a collective): one line naming the
    /// rank, then the whole job ends.
    func failAlone(_ error: Error) -> Never {
        DataParallel.printFailure(error, rank: group.rank)
        group.abort()
    }

    private static func encode(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
    private static func decode(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    }
}
