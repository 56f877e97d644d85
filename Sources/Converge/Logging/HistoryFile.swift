import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Shared plumbing for history files: dropping a torn last line and appending whole lines.
enum HistoryFile {
    /// The file's contents, after rewriting it without an incomplete last line if a crash left
    /// one; nil when the file does not exist.
    static func repairedContents(of url: URL) throws -> String? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw FileIOError(file: url.path, operation: "read", reason: error.localizedDescription)
        }
        if data.isEmpty || data.last == UInt8(ascii: "\n") { return String(decoding: data, as: UTF8.self) }
        let keep = data.lastIndex(of: UInt8(ascii: "\n")).map { data[...($0)] } ?? Data()
        try AtomicFile.write(Data(keep), to: url)
        return String(decoding: keep, as: UTF8.self)
    }

    /// Appends `text` (whole lines) to `url` with one `write` and an `fsync`.
    static func append(_ text: String, to url: URL) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileIOError.posix(url.path, "open for appending") }
        defer { posixClose(fd) }
        var bytes = Array(text.utf8)
        var written = 0
        try bytes.withUnsafeMutableBytes { raw in
            while written < raw.count {
                let n = posixWrite(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw FileIOError.posix(url.path, "append")
                }
                written += n
            }
        }
        _ = fsync(fd)
    }

    /// A value as text: shortest round-trip decimal, `nan`, `inf` or `-inf`.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        return "\(value)"
    }
}
