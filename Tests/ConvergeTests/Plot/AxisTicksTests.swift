import XCTest
@testable import Converge

final class AxisTicksTests: XCTestCase {
    func testNiceLinearTicksCoverTheRange() {
        let (ticks, step) = AxisTicks.linear(0.013, 0.097)
        XCTAssertEqual(step, 0.02, accuracy: 1e-15)
        XCTAssertEqual(ticks.first!, 0, accuracy: 1e-15)
        XCTAssertEqual(ticks.last!, 0.1, accuracy: 1e-15)
        XCTAssertEqual(AxisTicks.linear(0, 999).ticks, [0, 200, 400, 600, 800, 1000])
        XCTAssertEqual(AxisTicks.linear(-3, 3).step, 1)
    }

    func testDegenerateRangeIsWidened() {
        let (ticks, _) = AxisTicks.linear(0.1, 0.1)
        XCTAssertLessThan(ticks.first!, 0.1)
        XCTAssertGreaterThan(ticks.last!, 0.1)
        XCTAssertGreaterThan(AxisTicks.linear(0, 0).ticks.count, 1)
    }

    func testLogarithmicTicks() {
        XCTAssertEqual(AxisTicks.logarithmic(3e-4, 2), [-4, -3, -2, -1, 0, 1])
        XCTAssertEqual(AxisTicks.logarithmic(0.2, 0.5), [-1, 0])
        XCTAssertEqual(AxisTicks.logarithmic(1e-12, 1), [-12, -10, -8, -6, -4, -2, 0])
    }

    func testLabels() {
        XCTAssertEqual(AxisTicks.label(0.04, step: 0.02), "0.04")
        XCTAssertEqual(AxisTicks.label(600, step: 200), "600")
        XCTAssertEqual(AxisTicks.label(2.5e-4, step: 5e-5), "2.5e-4")
        XCTAssertEqual(AxisTicks.label(1e-17, step: 0.1), "0")
        XCTAssertEqual(AxisTicks.label(200_000, step: 100_000), "2e5")
        XCTAssertEqual(AxisTicks.powerOfTenLabel(-2), "0.01")
        XCTAssertEqual(AxisTicks.powerOfTenLabel(3), "1000")
        XCTAssertEqual(AxisTicks.powerOfTenLabel(-6), "1e-6")
    }
}
