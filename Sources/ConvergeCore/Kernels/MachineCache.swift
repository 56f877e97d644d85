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

    /// The decoded file, or nil when it is missing or does not decode (it is then measured again).
    static func read<File: Decodable>(_ type: File.Type, from path: String) -> File? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(File.self, from: data)
    }

    /// Writes `file` to `path` atomically; whether it was written.
    static func write<File: Encodable>(_ file: File, to path: String) -> Bool {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(file) else { return false }
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
