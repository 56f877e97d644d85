import Foundation
import XCTest
@testable import Converge
import ConvergeTestSupport

/// Faults and consistency of `converge train` on several processes: one error line, a killed
/// rank ends the job, and the job resumes bit-identically. Skipped, with one notice, without
/// Open MPI.
final class DataParallelFaultTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        try MPITestSupport.requireMPI()
        folder = try makeIOTestDirectory()
        let g = RandomGenerator(seed: 2)
        var lines = ["a,b,label"]
        for i in 0..<200 {
            let label = i % 2
            lines.append("\(Float(label) - 0.5 + g.nextUniform() - 0.5),\(g.nextUniform()),\(label)")
        }
        try (lines.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("train.csv"), atomically: true, encoding: .utf8)
    }

    func writeRecipe(_ text: String, name: String = "recipe.yaml") throws -> String {
        try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        return name
    }

    /// A recipe error is printed once, as one process prints it, and every rank exits non-zero.
    func testRecipeErrorIsPrintedOnce() throws {
        let recipe = try writeRecipe("""
        data: { train: train.csv, label: nosuchcolumn }
        model: { mlp: { hidden: [4] } }
        """)
        let run = try MPITestSupport.run(processes: 2, ["train", recipe], in: folder)
        XCTAssertNotEqual(run.status, 0)
        let lines = run.errors.split(separator: "\n").filter { $0.hasPrefix("converge") }
        XCTAssertEqual(lines.count, 1, run.errors)
        XCTAssertTrue(lines.first?.contains("nosuchcolumn") == true, run.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("runs").path))
    }

    /// SIGKILL of rank 1 mid-epoch ends the whole job quickly with one line naming the rank;
    /// `--resume` then ends with the same weights, bit for bit, as an uninterrupted run.
    func testKilledRankEndsTheJobAndTheResumedRunIsBitIdentical() throws {
        let recipe = try writeRecipe("""
        seed: 3
        data: { train: train.csv, validation: 0.2, label: label }
        model: { mlp: { hidden: [32, 32], batchnorm: true, dropout: 0.2 }, sync_batchnorm: true }
        optimizer: { name: adamw, lr: 0.01 }
        schedule: { name: one-cycle, max_lr: 0.02 }
        training: { epochs: 12, batch_size: 16, checkpoint_every_steps: 2 }
        """)
        // The uninterrupted reference.
        let reference = try MPITestSupport.run(processes: 2, ["train", recipe, "--output", "full", "--quiet"], in: folder)
        XCTAssertEqual(reference.status, 0, reference.errors)

        // The same run through `--processes 2`, killed once it has checkpointed mid-epoch.
        let launcher = Process()
        launcher.executableURL = MPITestSupport.converge
        launcher.arguments = ["train", recipe, "--output", "killed", "--quiet", "--processes", "2"]
        launcher.currentDirectoryURL = folder
        let errors = Pipe()
        launcher.standardError = errors
        try launcher.run()
        let state = folder.appendingPathComponent("killed/checkpoint/state.json")
        let started = Date()
        while launcher.isRunning && Date().timeIntervalSince(started) < 60 {
            if let text = try? String(contentsOf: state, encoding: .utf8), text.contains("\"epoch\" : 2") { break }
            usleep(20_000)
        }
        XCTAssertTrue(launcher.isRunning, "the run ended before it could be interrupted")
        let ranks = try Self.descendants(of: launcher.processIdentifier).filter { try Self.commandLine(of: $0).contains("killed") }
        XCTAssertEqual(ranks.count, 3, "launcher's mpirun and two ranks, found \(ranks)")   // mpirun, rank 0, rank 1
        let victim = try XCTUnwrap(ranks.last)
        let killedAt = Date()
        kill(victim, SIGKILL)
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        launcher.waitUntilExit()
        let elapsed = Date().timeIntervalSince(killedAt)
        XCTAssertLessThan(elapsed, 30)
        XCTAssertNotEqual(launcher.terminationStatus, 0)
        let lines = String(decoding: stderr, as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "\(lines)")
        XCTAssertTrue(lines.first?.contains("rank 1") == true && lines.first?.contains("signal 9") == true, "\(lines)")
        print("killed rank 1 (pid \(victim)): the job ended after \(String(format: "%.2f", elapsed)) s: \(lines.first ?? "")")

        let resumed = try MPITestSupport.run(processes: 2, ["train", recipe, "--resume", "killed", "--quiet"], in: folder)
        XCTAssertEqual(resumed.status, 0, resumed.errors)
        let a = try Data(contentsOf: folder.appendingPathComponent("killed/model.safetensors"))
        let b = try Data(contentsOf: folder.appendingPathComponent("full/model.safetensors"))
        XCTAssertEqual(a, b, "the resumed run's weights differ from the uninterrupted run's")
        let history = try String(contentsOf: folder.appendingPathComponent("killed/history.csv"), encoding: .utf8)
        XCTAssertEqual(history.split(separator: "\n").count, 13)
    }

    static func descendants(of pid: Int32) throws -> [Int32] {
        var result: [Int32] = []
        var frontier = [pid]
        while let parent = frontier.popLast() {
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(parent)/task")) ?? []
            for task in tasks {
                guard let text = try? String(contentsOfFile: "/proc/\(parent)/task/\(task)/children", encoding: .utf8) else { continue }
                let children = text.split(separator: " ").compactMap { Int32($0) }
                result += children
                frontier += children
            }
        }
        return result.sorted()
    }

    static func commandLine(of pid: Int32) throws -> String {
        let data = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
        return String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
    }
}
