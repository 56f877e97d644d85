import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An I/O failure while writing or reading a file, naming the file and the system's reason.
public struct FileIOError: Error, CustomStringConvertible, Equatable {
    /// The file's path.
    public let file: String
    /// What was being done (`create`, `write`, `rename`, …).
    public let operation: String
    /// The system's message (`strerror`).
    public let reason: String

    /// Creates an error.
    public init(file: String, operation: String, reason: String) {
        self.file = file
        self.operation = operation
        self.reason = reason
    }

    /// `file: cannot operation: reason`.
    public var description: String { "\(file): cannot \(operation): \(reason)" }

    static func posix(_ file: String, _ operation: String, errno code: Int32 = errno) -> FileIOError {
        FileIOError(file: file, operation: operation, reason: String(cString: strerror(code)))
    }
}

/// Writes a file so that readers, and a crash, only ever see the old contents or the new ones.
///
/// The data go to a temporary file in the destination's directory (so the final rename stays on
/// one file system), are flushed to disk with `fsync`, and the temporary file is then renamed over
/// the destination. If anything fails, the temporary file is removed and the destination is left
/// as it was.
///
/// ```swift
/// let file = try AtomicFile(url)
/// try file.write(headerBytes)
/// try file.write(UnsafeRawBufferPointer(tensorBuffer))
/// try file.commit()
/// ```
public final class AtomicFile {
    /// The final path.
    public let destination: URL
    /// The temporary file being written.
    public let temporaryPath: String
    private var descriptor: Int32
    private var finished = false

    /// Creates the temporary file beside `destination`.
    public init(_ destination: URL) throws {
        self.destination = destination
        let directory = destination.deletingLastPathComponent().path
        let name = destination.lastPathComponent
        var attempt = 0
        while true {
            let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
            let path = (directory.isEmpty ? "." : directory) + "/.\(name).\(getpid()).\(suffix).tmp"
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 {
                temporaryPath = path
                descriptor = fd
                return
            }
            attempt += 1
            if errno != EEXIST || attempt > 16 {
                let code = errno
                var isDirectory: ObjCBool = false
                if code == ENOENT, !FileManager.default.fileExists(atPath: directory.isEmpty ? "." : directory, isDirectory: &isDirectory) || !isDirectory.boolValue {
                    throw FileIOError(file: destination.path, operation: "write", reason: "the folder \(directory) does not exist")
                }
                throw FileIOError.posix(destination.path, "write", errno: code)
            }
        }
    }

    deinit { abort() }

    /// Appends raw bytes.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        precondition(!finished, "AtomicFile.write: the file is already committed or aborted")
        var offset = 0
        while offset < bytes.count {
            let n = posixWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileIOError.posix(destination.path, "write")
            }
            offset += n
        }
    }

    /// Appends `data`.
    public func write(_ data: Data) throws {
        try data.withUnsafeBytes { try write($0) }
    }

    /// Appends a string's UTF-8 bytes.
    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// Flushes the data to disk and renames the temporary file over the destination.
    public func commit() throws {
        precondition(!finished, "AtomicFile.commit: the file is already committed or aborted")
        if fsync(descriptor) != 0 { let e = errno; abort(); throw FileIOError.posix(destination.path, "sync", errno: e) }
        close(descriptor)
        finished = true
        if rename(temporaryPath, destination.path) != 0 {
            let e = errno
            unlink(temporaryPath)
            throw FileIOError.posix(destination.path, "rename the temporary file into place", errno: e)
        }
        // Make the rename itself durable (best effort: not every file system allows it).
        let directory = destination.deletingLastPathComponent().path
        let dfd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }

    /// Discards the temporary file, leaving the destination untouched (also done on deinit when
    /// ``commit()`` was not called).
    public func abort() {
        guard !finished else { return }
        finished = true
        close(descriptor)
        unlink(temporaryPath)
    }

    /// Writes `data` to `url` atomically.
    public static func write(_ data: Data, to url: URL) throws {
        let file = try AtomicFile(url)
        try file.write(data)
        try file.commit()
    }
}

/// The POSIX `write(2)`, named apart from the methods called `write`.
@inline(__always)
func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Darwin)
    return Darwin.write(fd, buffer, count)
    #elseif canImport(Musl)
    return Musl.write(fd, buffer, count)
    #else
    return Glibc.write(fd, buffer, count)
    #endif
}

/// The POSIX `close(2)`, named apart from the methods called `close`.
@inline(__always)
@discardableResult
func posixClose(_ fd: Int32) -> Int32 {
    #if canImport(Darwin)
    return Darwin.close(fd)
    #elseif canImport(Musl)
    return Musl.close(fd)
    #else
    return Glibc.close(fd)
    #endif
}
