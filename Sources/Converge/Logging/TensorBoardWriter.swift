import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes scalar curves to a TensorBoard event file (`tensorboard --logdir DIR` shows them).
///
/// The file is `DIR/events.out.tfevents.<unix time>.<host>`; its first event carries
/// `file_version: "brain.Event:2"`, then every ``add(scalars:step:wallTime:)`` appends one event.
/// Events are buffered in memory and written by ``flush()`` (call it once per epoch; the buffer is
/// also written when it passes 64 KiB, and on ``close()`` and deinit).
///
/// ```swift
/// let board = try TensorBoardWriter(directory: runDirectory)
/// board.add(scalars: [("loss/train", trainLoss), ("loss/validation", validationLoss)], step: epoch)
/// try board.flush()
/// ```
public final class TensorBoardWriter {
    /// The log directory.
    public let directory: URL
    /// The event file being written.
    public let fileURL: URL
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private static let autoFlushBytes = 64 << 10

    /// Creates `directory` if needed and starts a new event file in it.
    ///
    /// - Throws: ``FileIOError`` when the directory or the file cannot be created.
    public init(directory: URL, wallTime: Date = Date()) throws {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw FileIOError(file: directory.path, operation: "create the log directory", reason: error.localizedDescription)
        }
        let base = "events.out.tfevents.\(Int(wallTime.timeIntervalSince1970)).\(Self.hostName())"
        var url = directory.appendingPathComponent(base)
        var fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
        var attempt = 1
        while fd < 0 && errno == EEXIST && attempt < 1000 {  // two writers in the same second
            url = directory.appendingPathComponent("\(base).\(attempt)")
            fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
            attempt += 1
        }
        guard fd >= 0 else { throw FileIOError.posix(url.path, "create the event file") }
        self.fileURL = url
        self.descriptor = fd
        append(TensorBoardEvent(wallTime: wallTime.timeIntervalSince1970, step: 0, fileVersion: "brain.Event:2"))
        try flush()
    }

    deinit {
        try? flush()
        if descriptor >= 0 { posixClose(descriptor) }
    }

    /// Appends one event holding `scalars` at `step`.
    public func add(scalars: [(String, Double)], step: Int, wallTime: Date = Date()) {
        precondition(descriptor >= 0, "TensorBoardWriter: the writer is closed")
        let values = scalars.map { TensorBoardEvent.Scalar(tag: $0.0, value: Float($0.1)) }
        append(TensorBoardEvent(wallTime: wallTime.timeIntervalSince1970, step: Int64(step), scalars: values))
    }

    /// Appends one event holding a single scalar.
    public func add(scalar value: Double, tag: String, step: Int, wallTime: Date = Date()) {
        add(scalars: [(tag, value)], step: step, wallTime: wallTime)
    }

    private func append(_ event: TensorBoardEvent) {
        buffer.append(contentsOf: TFRecord.frame(event.encoded()))
        if buffer.count >= Self.autoFlushBytes { try? flush() }
    }

    /// Writes buffered events to the file.
    ///
    /// - Throws: ``FileIOError`` when the write fails (the events stay buffered).
    public func flush() throws {
        guard !buffer.isEmpty, descriptor >= 0 else { return }
        var written = 0
        try buffer.withUnsafeBytes { raw in
            while written < raw.count {
                let n = posixWrite(descriptor, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw FileIOError.posix(fileURL.path, "write")
                }
                written += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes the file; later writes are programmer errors.
    public func close() throws {
        guard descriptor >= 0 else { return }
        try flush()
        posixClose(descriptor)
        descriptor = -1
    }

    /// The machine's host name (without touching DNS), with path separators removed.
    static func hostName() -> String {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "localhost" }
        let host = String(cString: name).replacingOccurrences(of: "/", with: "_")
        return host.isEmpty ? "localhost" : host
    }
}
