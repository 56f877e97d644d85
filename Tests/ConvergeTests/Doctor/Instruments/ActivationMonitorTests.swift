import Foundation
import XCTest
@testable import Converge

final class ActivationMonitorTests: XCTestCase {
    func testRecordsEveryIntervalStepsAndRemovesHooks() throws {
        let monitor = ActivationMonitor(interval: 2)
        let trainer = DoctorProblems.regressionTrainer(learningRate: 0.01, callbacks: [monitor])
        try trainer.fit(train: DataLoader(DoctorProblems.regression(count: 80, seed: 1), batchSize: 16),
                        validation: DataLoader(DoctorProblems.regression(count: 32, seed: 2), batchSize: 32), epochs: 2)
        XCTAssertEqual(monitor.snapshots.map(\.step), [0, 2, 4, 6, 8])
        XCTAssertEqual(monitor.snapshots.map(\.epoch), [0, 0, 0, 1, 1])
        for snapshot in monitor.snapshots {
            XCTAssertEqual(snapshot.statistics.map(\.path), ["0", "1", "2", "3", "4"])
            XCTAssertEqual(snapshot.statistics[0].count, 16 * 32, "a training batch, not the validation batch")
        }
        // After fit the hooks are gone: a forward pass records nothing new.
        let before = monitor.latest
        _ = trainer.model(Tensor.randomNormal([4, 8]))
        XCTAssertEqual(monitor.latest, before)
    }
}
