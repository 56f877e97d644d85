import Foundation
import XCTest
@testable import Converge

/// Kill-and-resume and concurrent runs, through the built `converge` executable: a run killed
/// with SIGKILL at named points of the checkpoint swap (``FaultPoint``) resumes to a model
/// bit-identical to an uninterrupted run, and a second run on a folder in use is refused while
/// the first one finishes intact. `scripts/kill-resume.sh` runs the same check at 50 random points.
final class KillResumeTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = try TinyRunFolder.make(prefix: "converge-kill", dataSeed: 9, recipe: """
        seed: 3
        data: { train: train.csv, validation: 0.25, label: label }
        model: { mlp: { hidden: [16], batchnorm: true, dropout: 0.1 } }
        optimizer: { name: adamw, lr: 0.01 }
        schedule: { name: one-cycle, max_lr: 0.02 }
        training: { epochs: 4, batch_size: 8, checkpoint_every_steps: 4 }

        """)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func train(_ output: String, _ extra: [String] = [], fault: String? = nil) throws -> ConvergeProcess.Result {
        try ConvergeProcess.run(["train", "recipe.yaml", "--quiet", "--output", output] + extra, in: folder,
                                environment: fault.map { ["CONVERGE_FAULT_POINT": $0] } ?? [:], timeout: 120)
    }

    func model(_ output: String) throws -> Data {
        try Data(contentsOf: folder.appendingPathComponent(output).appendingPathComponent("model.safetensors"))
    }

    func testKillsInsideTheCheckpointSwapResumeBitIdentical() throws {
        let reference = try train("reference")
        XCTAssertEqual(reference.status, 0, reference.stderr)
        let expected = try model("reference")
        // 9 steps per epoch: saves at steps 4, 8, 9 (epoch end), 12, …; the hit count picks the save.
        let points = ["checkpoint.file-written@2", "checkpoint.files-synced@3", "checkpoint.version-renamed@4",
                      "checkpoint.pointer-created@5", "checkpoint.pointer-swapped@2", "run.started", "run.model-written"]
        for (i, point) in points.enumerated() {
            let output = "killed-\(i)"
            let killed = try train(output, fault: point)
            XCTAssertTrue(killed.signaled && killed.status == SIGKILL, "\(point): the fault point did not fire (status \(killed.status)) \(killed.stderr)")
            let resumed = try train(output, ["--resume", output])
            XCTAssertEqual(resumed.status, 0, "\(point): \(resumed.stderr)")
            XCTAssertEqual(try? model(output), expected, "\(point): the resumed model differs from the uninterrupted run")
            let state = RunFolderState.read(in: folder.appendingPathComponent(output))
            XCTAssertEqual(state?.state, "complete", point)
            let leftovers = ((try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(output).path)) ?? [])
                .filter { $0.contains(".link-") || $0.contains(".tmp") }
            XCTAssertEqual(leftovers, [], point)
        }
    }

    func testASecondRunOnABusyFolderIsRefusedAndTheFirstIsIntact() throws {
        #if !os(Linux)
        throw XCTSkip("watches the first run's state in /proc")
        #endif
        let reference = try train("reference")
        XCTAssertEqual(reference.status, 0, reference.stderr)
        let expected = try model("reference")
        let arguments = ["train", "recipe.yaml", "--quiet", "--output", "shared"]
        // The first run freezes itself after its first step, holding the folder, so that the
        // second one meets a busy folder however slowly either process starts.
        let first = try ConvergeProcess.start(arguments, in: folder,
                                              environment: ["CONVERGE_FAULT_POINT": "trainer.step-taken@1", "CONVERGE_FAULT_SIGNAL": "STOP"])
        let pid = first.0.processIdentifier
        defer { if first.0.isRunning { kill(pid, SIGKILL) } }
        func isStopped() -> Bool {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            return stat[stat.index(close, offsetBy: 2)...].hasPrefix("T")
        }
        let started = Date()
        while !isStopped() && first.0.isRunning && Date().timeIntervalSince(started) < 120 { usleep(10_000) }
        XCTAssertTrue(isStopped(), "the first run never reached its first step")
        let second = try ConvergeProcess.run(arguments, in: folder, timeout: 120)
        kill(pid, SIGCONT)
        let winner = ConvergeProcess.finish(first.0, first.1, first.2)
        XCTAssertEqual(winner.status, 0, winner.stderr)
        XCTAssertNotEqual(second.status, 0)
        XCTAssertFalse(second.signaled)
        XCTAssertTrue(second.stderr.contains("is in use by another run (pid \(pid)"), second.stderr)
        XCTAssertEqual(second.stderr.split(separator: "\n").count, 1, second.stderr)
        XCTAssertEqual(try model("shared"), expected, "the run that held the folder is intact")
        let history = try String(contentsOf: folder.appendingPathComponent("shared/history.csv"), encoding: .utf8)
        XCTAssertEqual(history.split(separator: "\n").count, 5, "one header and 4 epochs, not two runs interleaved")
    }
}
