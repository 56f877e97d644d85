import Foundation

/// Starts Open MPI's `mpirun` on the local machine for `converge … --processes N`.
public enum MPILauncher {
    /// The `mpirun` to use: `CONVERGE_MPIRUN` when set, else the first `mpirun` on the `PATH`.
    public static func mpirunPath() -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["CONVERGE_MPIRUN"], !path.isEmpty { return path }
        for folder in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(folder)/mpirun"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The launcher's arguments (after `mpirun`): `processes` local processes (`--oversubscribe`,
    /// `--allow-run-as-root` when running as root, no core binding so each rank's thread pool can
    /// use the cores, and `mpi_yield_when_idle` so that a rank waiting in a collective yields the
    /// core instead of spinning on it — on a machine shared with other work this measured 2–3×
    /// faster training) running `executable` with `arguments`.
    public static func arguments(processes: Int, executable: String, arguments: [String]) -> [String] {
        var result = ["-np", String(processes), "--oversubscribe", "--bind-to", "none", "--mca", "mpi_yield_when_idle", "1"]
        if geteuid() == 0 { result.append("--allow-run-as-root") }
        return result + [executable] + arguments
    }

    /// `arguments` without the `--processes N` / `--processes=N` option.
    public static func removingProcessesOption(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var skipNext = false
        for argument in arguments {
            if skipNext { skipNext = false; continue }
            if argument == "--processes" { skipNext = true; continue }
            if argument.hasPrefix("--processes=") { continue }
            result.append(argument)
        }
        return result
    }

    /// The file of the running executable (through `/proc/self/exe` on Linux).
    public static var currentExecutable: String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }

    /// Runs this executable again under `mpirun` with `processes` ranks and the current command
    /// line minus `--processes`; returns `mpirun`'s exit status. `mpirun`'s own multi-line failure
    /// notices are reduced to one line (`converge: rank 1 (pid …) exited on signal 9 (Killed)`).
    public static func relaunch(processes: Int) throws -> Int32 {
        guard processes >= 1 else { throw DistributedError.launch("--processes must be at least 1, got \(processes)") }
        guard ProcessGroup.launchedWorldSize == nil else {
            throw DistributedError.launch("--processes cannot be used under mpirun (the job already has \(ProcessGroup.launchedWorldSize!) processes)")
        }
        guard let mpirun = mpirunPath() else {
            throw DistributedError.launch("--processes needs Open MPI's mpirun on the PATH (install openmpi-bin)")
        }
        guard ProcessGroup.isAvailable else {
            if case .failure(let error) = MPILibrary.shared { throw error }
            throw DistributedError.launch("Open MPI's library is not available")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: mpirun)
        process.arguments = arguments(processes: processes, executable: currentExecutable,
                                      arguments: removingProcessesOption(Array(CommandLine.arguments.dropFirst())))
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let filter = MPIRunOutputFilter()
        let handle = errors.fileHandleForReading
        while true {
            let data = handle.availableData
            if data.isEmpty { break }
            filter.feed(data)
        }
        process.waitUntilExit()
        filter.finish()
        return process.terminationStatus
    }
}

/// Passes `mpirun`'s standard error through, replacing its boxed notices (between lines of
/// dashes) by the one line that matters: which rank ended how.
///
/// Open MPI's shared-memory transport reports a failed read of a peer's memory as
/// `[host:pid] Read -1, expected N, errno = E`; when a rank dies, its peers print that about the
/// dead rank. Such lines are held back: dropped when the job stops because a rank died (the one
/// line says why), passed on at the end otherwise (then they are the cause, for example a
/// container that forbids reading another process's memory).
final class MPIRunOutputFilter {
    private var pending = ""
    private var box: [String]?
    private var reported = false
    private var peerReadFailures: [String] = []
    private let write: (String) -> Void

    /// A filter that writes each line it passes on with `write` (default: to standard error).
    init(write: @escaping (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) {
        self.write = write
    }

    func feed(_ data: Data) {
        pending += String(decoding: data, as: UTF8.self)
        while let newline = pending.firstIndex(of: "\n") {
            let line = String(pending[..<newline])
            pending = String(pending[pending.index(after: newline)...])
            handle(line)
        }
    }

    func finish() {
        if !pending.isEmpty { handle(pending); pending = "" }
        if let box { summarize(box) }
        box = nil
        if !reported { peerReadFailures.forEach(write) }
        peerReadFailures = []
    }

    private func handle(_ line: String) {
        let isRule = line.hasPrefix("-----") && line.allSatisfy { $0 == "-" }
        if isRule {
            if let lines = box { summarize(lines); box = nil } else { box = [] }
            return
        }
        if box != nil { box!.append(line); return }
        if line.hasPrefix("[") && line.contains("] ") && line.contains("mpirun") { return }   // "[host:pid] …" chatter
        if line.hasPrefix("["), line.range(of: #"^\[[^\]]+\] Read -?\d+, expected \d+, errno = \d+$"#, options: .regularExpression) != nil {
            peerReadFailures.append(line)
            return
        }
        write(line)
    }

    /// One line from a notice: the rank that died (signal or non-zero exit); otherwise nothing
    /// (the rank itself already printed why it stopped).
    static func summary(of lines: [String]) -> String? {
        let text = lines.joined(separator: " ").split(whereSeparator: \.isWhitespace).joined(separator: " ")
        if let range = text.range(of: #"process rank \d+ with PID \d+ on node \S+ exited on signal \d+( \([^)]*\))?"#,
                                  options: .regularExpression) {
            let words = text[range].split(separator: " ")
            let signal = text[range].components(separatedBy: "exited on ").last ?? ""
            let pid = words[5] == "0" ? "" : " (pid \(words[5]))"
            return "converge: rank \(words[2])\(pid) exited on \(signal); the job was stopped"
        }
        if let range = text.range(of: #"Process name: \[\[\d+,\d+\],(\d+)\] Exit code: +(\d+)"#, options: .regularExpression) {
            let parts = text[range].split(separator: " ")
            let rank = parts[2].split(separator: ",").last.map { $0.dropLast(2) } ?? ""
            return "converge: rank \(rank) exited with code \(parts.last ?? "?"); the job was stopped"
        }
        return nil
    }

    private func summarize(_ lines: [String]) {
        guard !reported, let line = Self.summary(of: lines) else { return }
        reported = true
        write(line)
    }
}
