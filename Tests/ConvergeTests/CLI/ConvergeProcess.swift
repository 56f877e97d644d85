import Foundation
import XCTest

/// Runs the built `converge` executable (found next to the test bundle in the build products
/// folder) as a child process, for tests of what the command line does with hostile input,
/// kills and concurrent runs.
struct ConvergeProcess {
    /// What one run did.
    struct Result {
        var status: Int32
        /// Killed by a signal (a crash, a trap, or our own SIGKILL).
        var signaled: Bool
        var stdout: String
        var stderr: String
    }

    /// The executable.
    static func executable() throws -> URL {
        var candidates = [Bundle(for: Marker.self).bundleURL.deletingLastPathComponent(),
                          URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        if let products = ProcessInfo.processInfo.environment["CONVERGE_BINARY_DIR"] {
            candidates.insert(URL(fileURLWithPath: products), at: 0)
        }
        for folder in candidates {
            let url = folder.appendingPathComponent("converge")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        XCTFail("the converge executable was not found next to the test bundle (looked in \(candidates.map(\.path))); build it with `swift build --build-tests`")
        throw CocoaError(.fileNoSuchFile)
    }

    private final class Marker {}

    /// Whether this build runs under AddressSanitizer or ThreadSanitizer (and so does the
    /// `converge` built beside it): their shadow memory takes terabytes of address space, so an
    /// address-space limit would stop the child before it starts.
    static let isSanitized: Bool = {
        if ProcessInfo.processInfo.environment["CONVERGE_SANITIZER"].map({ !$0.isEmpty }) == true { return true }
        let everything = UnsafeMutableRawPointer(bitPattern: 0)  // RTLD_DEFAULT
        return dlsym(everything, "__asan_init") != nil || dlsym(everything, "__tsan_init") != nil
    }()

    /// Starts `converge arguments…` in `folder` with extra environment variables, under a 4 GiB
    /// address-space limit (so that a case that escapes its memory check cannot take the machine).
    /// Under a sanitizer, which cannot run under such a limit, the child's memory estimate is
    /// capped at 4 GiB instead (`CONVERGE_MEMORY_LIMIT`), so every case sees the same limit.
    static func start(_ arguments: [String], in folder: URL, environment: [String: String] = [:]) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let limit = isSanitized ? "" : "ulimit -v 4194304; "
        process.arguments = ["-c", limit + "exec \"$0\" \"$@\"", try executable().path] + arguments
        process.currentDirectoryURL = folder
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_NUM_THREADS"] = "1"
        if isSanitized { env["CONVERGE_MEMORY_LIMIT"] = "4G" }
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, out, err)
    }

    /// Runs `converge arguments…` in `folder` to the end.
    static func run(_ arguments: [String], in folder: URL, environment: [String: String] = [:],
                    timeout: TimeInterval = 30) throws -> Result {
        let (process, out, err) = try start(arguments, in: folder, environment: environment)
        let deadline = DispatchTime.now() + timeout
        let timer = DispatchSource.makeTimerSource()
        timer.schedule(deadline: deadline)
        let pid = process.processIdentifier
        timer.setEventHandler { if process.isRunning { kill(pid, SIGKILL) } }
        timer.resume()
        defer { timer.cancel() }
        return finish(process, out, err)
    }

    /// Waits for a started process and collects its output.
    static func finish(_ process: Process, _ out: Pipe, _ err: Pipe) -> Result {
        final class Box: @unchecked Sendable { var data = Data() }
        let outBox = Box(), errBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { outBox.data = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errBox.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        process.waitUntilExit()
        group.wait()
        return Result(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                      stdout: String(decoding: outBox.data, as: UTF8.self), stderr: String(decoding: errBox.data, as: UTF8.self))
    }

    /// Every file under `folder` (links as their target text) with its bytes, for comparing a
    /// folder before and after.
    static func snapshot(_ folder: URL) -> [String: Data] {
        var result: [String: Data] = [:]
        let fm = FileManager.default
        func walk(_ url: URL, _ relative: String) {
            for name in ((try? fm.contentsOfDirectory(atPath: url.path)) ?? []).sorted() {
                let child = url.appendingPathComponent(name), path = relative.isEmpty ? name : relative + "/" + name
                if let target = try? fm.destinationOfSymbolicLink(atPath: child.path) {
                    result[path] = Data(("link:" + target).utf8)
                    continue
                }
                var isDirectory: ObjCBool = false
                guard fm.fileExists(atPath: child.path, isDirectory: &isDirectory) else { continue }
                if isDirectory.boolValue {
                    result[path + "/"] = Data()
                    walk(child, path)
                } else {
                    result[path] = (try? Data(contentsOf: child)) ?? Data("unreadable".utf8)
                }
            }
        }
        walk(folder, "")
        return result
    }
}
