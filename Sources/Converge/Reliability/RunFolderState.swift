import Foundation

/// What a run folder records about its run in `run-state.json`: who runs it (process, host, start
/// time) and how far it got, so that a stopped run can be told apart from a finished one and a
/// refused run can name the holder of the folder.
///
/// States: `running` (written when the run starts; a `running` folder whose lock is free was
/// stopped by a crash or a kill), `complete`, `failed` (an error ended it; the reason is kept),
/// `diverged` (the loss became NaN or infinite) and `interrupted` (Ctrl-C).
public struct RunFolderState: Codable, Equatable {
    /// `running`, `complete`, `failed`, `diverged` or `interrupted`.
    public var state: String
    /// The process that ran (or runs) the folder.
    public var pid: Int32
    /// Its host name.
    public var host: String
    /// When it started (ISO 8601).
    public var started: String
    /// Why it ended, for `failed`, `diverged` and `interrupted`.
    public var reason: String?

    /// The file name.
    public static let fileName = "run-state.json"

    /// A `running` state for this process, starting now.
    public static func starting() -> RunFolderState {
        RunFolderState(state: "running", pid: getpid(), host: TensorBoardWriter.hostName(),
                       started: ISO8601DateFormatter().string(from: Date()), reason: nil)
    }

    /// `pid 123 on host, started 2026-12-01T09:00:00Z`.
    public var holderDescription: String { "pid \(pid) on \(host), started \(started)" }

    /// Reads `run-state.json` in `folder` (nil when absent or unreadable).
    public static func read(in folder: URL) -> RunFolderState? {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(fileName)) else { return nil }
        return try? JSONDecoder().decode(RunFolderState.self, from: data)
    }

    /// Writes `run-state.json` in `folder` atomically (fsynced).
    public func write(in folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(self), to: folder.appendingPathComponent(Self.fileName))
    }
}
