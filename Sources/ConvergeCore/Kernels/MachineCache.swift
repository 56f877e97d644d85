import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A JSON file of per-machine measurements (the GEMM library choice, the bfloat16 GEMM choice, the
/// parallel thresholds): read and written under an exclusive lock on `<file>.lock`, so processes
/// that start together agree, and replaced atomically (a temporary file renamed over it), so a
/// reader never sees half a file.
enum MachineCache {
    /// Takes the exclusive lock of `path` (creating its folder); the descriptor to close when done,
    /// or nil when the lock cannot be had (then nothing should be written).
    static func lock(_ path: String) -> Int32? {
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let descriptor = open(path + ".lock", O_CREAT | O_RDWR, 0o644)
        guard descriptor >= 0 else { return nil }
        if flock(descriptor, LOCK_EX) != 0 {
            close(descriptor)
            return nil
        }
        return descriptor
    }

    /// The file's `entries` object as JSON values, or nil when the file is missing or is not such an
    /// object.
    private static func rawEntries(_ path: String) -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return object["entries"] as? [String: Any]
    }

    /// The entry `key` of the file at `path`, decoded as `Entry`; nil when the file or the entry is
    /// missing or the entry does not decode (it is then measured again). Other entries, which other
    /// versions of Converge may have written in other shapes, do not matter.
    static func entry<Entry: Decodable>(_ type: Entry.Type, key: String, in path: String) -> Entry? {
        guard let value = rawEntries(path)?[key],
              let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed]) else { return nil }
        return try? JSONDecoder().decode(Entry.self, from: data)
    }

    /// Stores `entry` as `key` in the file at `path` (atomically) and keeps every other entry as it
    /// is, fields this version does not know included, so that processes of different versions
    /// sharing a machine do not strip each other's measurements; whether it was written.
    static func store<Entry: Encodable>(_ entry: Entry, key: String, in path: String) -> Bool {
        var entries = rawEntries(path) ?? [:]
        guard let encoded = try? JSONEncoder().encode(entry),
              let value = try? JSONSerialization.jsonObject(with: encoded, options: [.fragmentsAllowed]) else { return false }
        entries[key] = value
        guard let data = try? JSONSerialization.data(withJSONObject: ["version": 1, "entries": entries] as [String: Any],
                                                     options: [.prettyPrinted, .sortedKeys]) else { return false }
        return write(data, to: path)
    }

    /// Writes `data` to `path` atomically; whether it was written.
    private static func write(_ data: Data, to path: String) -> Bool {
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = path + ".\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else { return false }
        if rename(temporary, path) != 0 {
            unlink(temporary)
            return false
        }
        return true
    }
}
