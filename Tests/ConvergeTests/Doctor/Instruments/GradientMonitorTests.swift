import Foundation
import XCTest
@testable import Converge

final class GradientMonitorTests: XCTestCase {
    func testRecordsNormsBeforeAndAfterClippingAndSnapshots() throws {
        let monitor = GradientMonitor(interval: 3)
        let trainer = DoctorProblems.regressionTrainer(learningRate: 0.01, callbacks: [GradientClipping(maxNorm: 0.05), monitor])
        let data = DataLoader(DoctorProblems.regression(count: 64, seed: 1), batchSize: 16)
        try trainer.fit(train: data, epochs: 2)
        XCTAssertEqual(monitor.norms.map(\.step), Array(0..<8))
        for n in monitor.norms {
            XCTAssertGreaterThan(n.beforeClipping, 0.05, "the initial gradients are larger than the clip norm")
            XCTAssertEqual(n.afterClipping, 0.05, accuracy: 1e-4)
        }
        XCTAssertEqual(monitor.snapshots.map(\.step), [0, 3, 6])
        XCTAssertEqual(monitor.snapshots[0].parameters.count, 6)
        XCTAssertEqual(monitor.snapshots[0].layers.map(\.name), ["0", "2", "4"])
        XCTAssertEqual(monitor.snapshots[0].flow.layers.count, 3)
        let findings = monitor.findings()
        XCTAssertFalse(findings.contains { $0.status == .fail }, "\(findings)")
        let norm = findings.first { $0.check == "gradient-norm" }
        XCTAssertEqual(norm?.status, .ok)
        XCTAssertTrue(norm?.message.contains("8 steps clipped") ?? false, norm?.message ?? "")
    }

    /// Without clipping, a far too high learning rate makes the gradient norm overflow: the
    /// monitor names the step, and the per-layer flow reports exploding gradients.
    func testExplodingGradientsAreReported() throws {
        let monitor = GradientMonitor(interval: 1)
        let trainer = DoctorProblems.regressionTrainer(learningRate: 3, callbacks: [monitor])
        try trainer.fit(train: DataLoader(DoctorProblems.regression(count: 64, seed: 1), batchSize: 16), epochs: 5)
        let findings = monitor.findings()
        let norm = findings.first { $0.check == "gradient-norm" }
        XCTAssertEqual(norm?.status, .fail, "\(findings)")
        XCTAssertTrue(norm?.message.contains("at step") ?? false)
        let firstBad = monitor.snapshots.first { $0.flow.verdict == .exploding }
        XCTAssertNotNil(firstBad, "some snapshot sees non-finite or exploding layer norms")
    }
}
