import XCTest
@testable import Converge

final class ReduceLROnPlateauTests: XCTestCase {
    private func run(_ schedule: ReduceLROnPlateau, _ name: String) {
        let metrics = ScheduleGolden.values("\(name)/metrics")
        let expected = ScheduleGolden.values("\(name)/lr")
        for (i, metric) in metrics.enumerated() {
            schedule.step(metric: metric)
            XCTAssertEqual(schedule.learningRate, expected[i], accuracy: 1e-12, "\(name): evaluation \(i)")
        }
    }

    func testMinModeWithCooldownMatchesPyTorch() {
        run(ReduceLROnPlateau(learningRate: 0.1, mode: .min, factor: 0.5, patience: 3, threshold: 1e-2, cooldown: 2,
                              minLearningRate: 0.004), "plateau_min")
    }

    func testMaxModeAbsoluteThresholdMatchesPyTorch() {
        run(ReduceLROnPlateau(learningRate: 0.1, mode: .max, factor: 0.2, patience: 2, threshold: 0.01, thresholdMode: .absolute),
            "plateau_max_abs")
    }

    func testDefaultsMatchPyTorch() {
        run(ReduceLROnPlateau(learningRate: 0.1), "plateau_defaults")
    }

    func testReductionsHappenInTheGoldens() {
        XCTAssertLessThan(ScheduleGolden.values("plateau_min/lr").last!, 0.1)
        XCTAssertEqual(ScheduleGolden.values("plateau_min/lr").last!, 0.004, accuracy: 1e-12)
    }

    func testApplyAndStateRoundTrip() throws {
        let metrics = ScheduleGolden.values("plateau_min/metrics")
        let make = { ReduceLROnPlateau(learningRate: 0.1, factor: 0.5, patience: 3, threshold: 1e-2, cooldown: 2, minLearningRate: 0.004) }
        let straight = make()
        for m in metrics { straight.step(metric: m) }
        let first = make()
        for m in metrics[..<20] { first.step(metric: m) }
        let resumed = make()
        try resumed.loadStateDict(first.stateDict())
        for m in metrics[20...] { resumed.step(metric: m) }
        XCTAssertEqual(resumed.stateDict(), straight.stateDict())

        let optimizer = SGD([Tensor([1], requiresGrad: true)], learningRate: 0.1)
        resumed.apply(to: optimizer)
        XCTAssertEqual(optimizer.learningRate, resumed.learningRate)
        XCTAssertEqual(ReduceLROnPlateau(optimizer: optimizer).learningRate, resumed.learningRate)
    }

    func testLoadRejectsBadKeys() {
        let schedule = ReduceLROnPlateau(learningRate: 0.1)
        var state = schedule.stateDict()
        state["patience_left"] = 1
        XCTAssertThrowsError(try schedule.loadStateDict(state)) { XCTAssertEqual($0 as? ScheduleStateError, .unknownKey("patience_left")) }
        state = schedule.stateDict()
        state["best"] = nil
        XCTAssertThrowsError(try schedule.loadStateDict(state)) { XCTAssertEqual($0 as? ScheduleStateError, .missingKey("best")) }
    }

    func testNaNMetricCountsAsBad() {
        let schedule = ReduceLROnPlateau(learningRate: 1, patience: 1)
        schedule.step(metric: 1)
        schedule.step(metric: .nan)
        XCTAssertTrue(schedule.step(metric: .nan))
        XCTAssertEqual(schedule.learningRate, 0.1, accuracy: 1e-15)
    }
}
