import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Durable file-system steps: `fsync` of a folder (so that the names created or renamed in it
/// survive a power cut) and `rename(2)` with a sentence for an error.
public enum FileSync {
    /// Flushes a folder's entries to disk (best effort where the file system does not allow it).
    public static func folder(_ url: URL) throws {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC | O_DIRECTORY)
        guard fd >= 0 else { throw FileIOError.posix(url.path, "open the folder to sync it") }
        defer { posixClose(fd) }
        if fsync(fd) != 0 && errno != EINVAL && errno != EBADF { throw FileIOError.posix(url.path, "sync the folder") }
    }

    /// Flushes a file's contents to disk.
    public static func file(_ url: URL) throws {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileIOError.posix(url.path, "open the file to sync it") }
        defer { posixClose(fd) }
        if fsync(fd) != 0 { throw FileIOError.posix(url.path, "sync the file") }
    }

    /// Renames `source` to `destination` in one atomic step (replacing a file or link there).
    public static func rename(_ source: URL, to destination: URL) throws {
        #if canImport(Darwin)
        let result = Darwin.rename(source.path, destination.path)
        #elseif canImport(Musl)
        let result = Musl.rename(source.path, destination.path)
        #else
        let result = Glibc.rename(source.path, destination.path)
        #endif
        guard result == 0 else { throw FileIOError.posix(destination.path, "rename \(source.lastPathComponent) into place") }
    }
}
