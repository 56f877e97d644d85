import ConvergeTestSupport
import XCTest
@testable import Converge

/// Replays `Fixtures/schedules.json` (written by scripts/goldens/schedules.py).
enum ScheduleGolden {
    static let golden: Golden = {
        do { return try Golden("schedules", bundle: .module) } catch { fatalError("schedules.json: \(error)") }
    }()

    /// The doubles stored under `key`, at full precision.
    static func values(_ key: String) -> [Double] {
        guard let array = golden.lookup(key) as? [NSNumber] else { fatalError("schedules.json: no list \(key)") }
        return array.map { $0.doubleValue }
    }

    /// Checks `schedule` against the learning rate (and momentum, when stored) PyTorch used at
    /// every step of case `name`, within 1e-6 relative.
    static func check(_ schedule: any LearningRateSchedule, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        let rates = values("\(name)/lr")
        XCTAssertFalse(rates.isEmpty, file: file, line: line)
        for (step, expected) in rates.enumerated() {
            let actual = schedule.learningRate(atStep: step)
            XCTAssertEqual(actual, expected, accuracy: 1e-6 * abs(expected) + 1e-15,
                           "\(name): learning rate at step \(step)", file: file, line: line)
        }
        if golden.lookup("\(name)/momentum") != nil {
            for (step, expected) in values("\(name)/momentum").enumerated() {
                guard let actual = schedule.momentum(atStep: step) else {
                    return XCTFail("\(name): no momentum at step \(step)", file: file, line: line)
                }
                XCTAssertEqual(actual, expected, accuracy: 1e-6 * abs(expected), "\(name): momentum at step \(step)", file: file, line: line)
            }
        } else {
            XCTAssertNil(schedule.momentum(atStep: 0), "\(name): unexpected momentum", file: file, line: line)
        }
    }
}
