import Foundation
import XCTest
@testable import Converge

final class LossSpikeDetectorTests: XCTestCase {
    /// A noisy decreasing loss with one spike of `height` at step 60.
    private func series(spikeAt: Int?, height: Double = 5) -> [Double] {
        let g = RandomGenerator(seed: 9)
        return (0..<120).map { i in
            let base = 1.0 * Foundation.exp(-Double(i) / 60) + 0.05 * (g.nextUniformDouble() - 0.5)
            return i == spikeAt ? base + height : base
        }
    }

    func testFindsTheSpikeAndItsStep() {
        let detector = LossSpikeDetector(window: 30, threshold: 4)
        for (i, loss) in series(spikeAt: 60).enumerated() { detector.observe(loss: loss, step: i, epoch: i / 40) }
        XCTAssertEqual(detector.spikes.map(\.step), [60])
        let spike = detector.spikes[0]
        XCTAssertEqual(spike.epoch, 1)
        XCTAssertGreaterThan(spike.zScore, 4)
        XCTAssertEqual(spike.zScore, (spike.loss - spike.windowMean) / spike.windowStd, accuracy: 1e-9)
        XCTAssertEqual(detector.finding.status, .warn)
        XCTAssertTrue(detector.finding.message.contains("first at step 60"), detector.finding.message)
        XCTAssertTrue(spike.description.hasPrefix("step 60 (epoch 2): loss "), spike.description)
    }

    func testAnIsolatedModestSpikeIsReportedButNotWarned() {
        let detector = LossSpikeDetector(window: 30, threshold: 4)
        for (i, loss) in series(spikeAt: 60, height: 0.5).enumerated() { detector.observe(loss: loss, step: i) }
        XCTAssertEqual(detector.spikes.map(\.step), [60])
        XCTAssertEqual(detector.finding.status, .ok)
        XCTAssertTrue(detector.finding.message.hasPrefix("1 isolated loss spike in 120 batches, first at step 60"), detector.finding.message)
    }

    func testSmoothNoisyDecreaseHasNoSpikes() {
        let detector = LossSpikeDetector(window: 30, threshold: 4)
        for (i, loss) in series(spikeAt: nil).enumerated() { detector.observe(loss: loss, step: i) }
        XCTAssertTrue(detector.spikes.isEmpty, "\(detector.spikes)")
        XCTAssertEqual(detector.finding.status, .ok)
        XCTAssertEqual(detector.observedCount, 120)
    }

    func testNonFiniteLossIsASpikeThatFails() {
        let detector = LossSpikeDetector()
        detector.observe(loss: 0.5, step: 0)
        XCTAssertNotNil(detector.observe(loss: .nan, step: 1))
        XCTAssertEqual(detector.finding.status, .fail)
    }

    func testAsCallbackOnADivergingRun() throws {
        let detector = LossSpikeDetector(window: 20)
        let healthy = DoctorProblems.regressionTrainer(learningRate: 0.02, callbacks: [detector])
        try healthy.fit(train: DataLoader(DoctorProblems.regression(count: 128, seed: 1), batchSize: 8, shuffle: true, seed: 1), epochs: 3)
        XCTAssertEqual(detector.observedCount, 48)
        XCTAssertTrue(detector.spikes.isEmpty, "\(detector.spikes)")

        let diverging = DoctorProblems.regressionTrainer(learningRate: 2, callbacks: [detector])
        try diverging.fit(train: DataLoader(DoctorProblems.regression(count: 128, seed: 1), batchSize: 8), epochs: 1)
        XCTAssertFalse(detector.spikes.isEmpty)
        XCTAssertEqual(detector.finding.status, .fail, detector.finding.message)
    }
}
