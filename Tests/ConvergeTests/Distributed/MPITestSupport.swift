import Foundation
import XCTest
@testable import Converge

/// Runs the `converge` executable built beside the test bundle under `mpirun`, for the
/// multi-process tests. Where Open MPI is absent they are skipped with one notice.
enum MPITestSupport {
    /// Why multi-process tests cannot run here, or nil.
    static let unavailableReason: String? = {
        guard MPILauncher.mpirunPath() != nil else { return "no mpirun on the PATH (install openmpi-bin)" }
        guard ProcessGroup.isAvailable else { return "Open MPI's libmpi.so.40 cannot be loaded (install libopenmpi3)" }
        guard FileManager.default.isExecutableFile(atPath: converge.path) else { return "no converge executable at \(converge.path)" }
        return nil
    }()

    nonisolated(unsafe) private static var noticePrinted = false

    /// Throws `XCTSkip` naming what is missing; the notice also goes to standard error once.
    static func requireMPI() throws {
        guard let reason = unavailableReason else { return }
        if !noticePrinted {
            noticePrinted = true
            FileHandle.standardError.write(Data("NOTICE: multi-process (Open MPI) tests skipped: \(reason)\n".utf8))
        }
        throw XCTSkip("multi-process test skipped: \(reason)")
    }

    /// The `converge` executable of this build (beside the `.xctest` bundle).
    static var converge: URL {
        #if os(Linux)
        let tests = URL(fileURLWithPath: MPILauncher.currentExecutable)   // …/debug/ConvergePackageTests.xctest
        #else
        let tests = Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") }?.bundleURL ?? URL(fileURLWithPath: ".")
        #endif
        return tests.deletingLastPathComponent().appendingPathComponent("converge")
    }

    struct Result {
        var status: Int32
        var output: String
        var errors: String
    }

    /// Runs `converge ARGUMENTS` on `processes` ranks (`processes == nil`: one plain process)
    /// in `directory`, with a time limit.
    static func run(processes: Int?, _ arguments: [String], in directory: URL, timeout: TimeInterval = 120,
                    environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        if let processes {
            process.executableURL = URL(fileURLWithPath: MPILauncher.mpirunPath()!)
            process.arguments = MPILauncher.arguments(processes: processes, executable: converge.path, arguments: arguments)
        } else {
            process.executableURL = converge
            process.arguments = arguments
        }
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["OMP_NUM_THREADS"] = "1"
        env["OPENBLAS_NUM_THREADS"] = "1"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = directory.appendingPathComponent(".stdout-\(UUID().uuidString)")
        let err = directory.appendingPathComponent(".stderr-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            XCTFail("converge \(arguments.joined(separator: " ")) on \(processes ?? 1) processes did not finish in \(timeout) s")
        }
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      output: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                      errors: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// The largest difference between same-named tensors of two safetensors files, relative to
    /// each tensor's largest magnitude in `reference`; fails when names differ.
    static func maxRelativeDifference(_ file: URL, _ reference: URL) throws -> (Double, String) {
        let a = Dictionary(uniqueKeysWithValues: try Safetensors.read(contentsOf: file).tensors)
        let b = try Safetensors.read(contentsOf: reference).tensors
        XCTAssertEqual(Set(a.keys), Set(b.map(\.0)))
        var worst = (0.0, "")
        for (name, expected) in b {
            guard let actual = a[name] else { continue }
            let scale = Double(expected.scalars.map { abs($0) }.max() ?? 0)
            let diff = zip(actual.scalars, expected.scalars).map { Double(abs($0 - $1)) }.max() ?? 0
            let relative = scale > 0 ? diff / scale : diff
            if relative > worst.0 { worst = (relative, name) }
        }
        return worst
    }
}
