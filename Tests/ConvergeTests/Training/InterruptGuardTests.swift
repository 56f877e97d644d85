import Foundation
import XCTest
@testable import Converge

/// Ctrl-C through the built `converge` executable: the signal is raised at a chosen optimizer
/// step (``FaultPoint`` with `CONVERGE_FAULT_SIGNAL=INT`), so the test does not race the run.
final class InterruptGuardTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = try TinyRunFolder.make(prefix: "converge-interrupt", dataSeed: 5, recipe: """
        seed: 4
        data: { train: train.csv, validation: 0.25, label: label }
        model: { mlp: { hidden: [16], batchnorm: true, dropout: 0.1 } }
        optimizer: { name: adamw, lr: 0.01 }
        schedule: { name: one-cycle, max_lr: 0.02 }
        training: { epochs: 3, batch_size: 8, accumulation_steps: 2 }

        """)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    private func train(_ output: String, _ extra: [String] = [], signals: String? = nil, at step: Int = 0) throws -> ConvergeProcess.Result {
        let environment = signals.map { ["CONVERGE_FAULT_POINT": "trainer.step-taken@\(step)", "CONVERGE_FAULT_SIGNAL": $0] } ?? [:]
        return try ConvergeProcess.run(["train", "recipe.yaml", "--quiet", "--output", output] + extra, in: folder,
                                       environment: environment, timeout: 120)
    }

    private func model(_ output: String) -> Data? {
        try? Data(contentsOf: folder.appendingPathComponent(output).appendingPathComponent("model.safetensors"))
    }

    func testCtrlCWritesACheckpointExits130AndTheResumeIsBitIdentical() throws {
        let reference = try train("reference")
        XCTAssertEqual(reference.status, 0, reference.stderr)
        // 72 training rows, batch 8, two micro-batches a step: 9 batches, 5 steps an epoch.
        // Step 3 is mid-epoch 1 (after batch 6); step 5 ends epoch 1 (its last batch).
        for (step, expected) in [(3, "interrupted at epoch 1, batch 6 (step 3)"), (5, "interrupted at epoch 1, batch 9 (step 5)")] {
            let output = "interrupted-\(step)"
            let stopped = try train(output, signals: "INT", at: step)
            XCTAssertFalse(stopped.signaled, stopped.stderr)
            XCTAssertEqual(stopped.status, 130, stopped.stderr)
            XCTAssertTrue(stopped.stderr.contains(expected), stopped.stderr)
            XCTAssertTrue(stopped.stderr.contains("recipe.yaml --resume ") && stopped.stderr.hasSuffix("/\(output)\n"), stopped.stderr)
            XCTAssertNil(model(output), "an interrupted run publishes no model")
            XCTAssertEqual(RunFolderState.read(in: folder.appendingPathComponent(output))?.state, "interrupted")
            let resumed = try train(output, ["--resume", output])
            XCTAssertEqual(resumed.status, 0, resumed.stderr)
            XCTAssertEqual(model(output), model("reference"), "step \(step): the resumed model differs from the uninterrupted run")
        }
    }

    func testASecondCtrlCStopsAtOnce() throws {
        let stopped = try train("twice", signals: "INT,INT", at: 2)
        XCTAssertEqual(stopped.status, 130, stopped.stderr)
        XCTAssertTrue(stopped.stderr.contains("interrupted again"), stopped.stderr)
        XCTAssertFalse(stopped.stderr.contains("Fatal error"), stopped.stderr)
    }
}
