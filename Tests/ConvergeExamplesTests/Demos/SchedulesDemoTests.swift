import XCTest
import ConvergeTestSupport
@testable import ConvergeExamples
import Converge

final class SchedulesDemoTests: XCTestCase {
    func testSeedSchedulesOverThousandSteps() throws {
        let result = try SchedulesDemo.run()
        XCTAssertEqual(result.curves.map(\.name), ["step decay", "cosine", "one-cycle"])
        for curve in result.curves { XCTAssertEqual(curve.rates.count, 1000) }
        let (step, cosine, oneCycle) = (result.curves[0].rates, result.curves[1].rates, result.curves[2].rates)
        XCTAssertEqual(step[299], 0.1, accuracy: 1e-12)
        XCTAssertEqual(step[300], 0.01, accuracy: 1e-12)
        XCTAssertEqual(step[999], 1e-4, accuracy: 1e-15)
        XCTAssertEqual(cosine[0], 0.1, accuracy: 1e-12)
        XCTAssertEqual(cosine[500], 0.05, accuracy: 1e-9)
        XCTAssertEqual(oneCycle[0], 0.004, accuracy: 1e-9)
        XCTAssertEqual(oneCycle.max()!, 0.1, accuracy: 1e-9)
        XCTAssertEqual(oneCycle.firstIndex(of: oneCycle.max()!), 299)
        XCTAssertLessThan(oneCycle[999], 1e-6)
        XCTAssertEqual(result.oneCycleMomentum[299], 0.85, accuracy: 1e-9)
        XCTAssertEqual(result.oneCycleMomentum[0], 0.95, accuracy: 1e-9)
    }

    func testTableCSVAndChart() throws {
        let result = try SchedulesDemo.run(totalSteps: 100)
        let csv = result.csv().split(separator: "\n")
        XCTAssertEqual(csv.first, "step,step_decay,cosine,one_cycle,one_cycle_momentum")
        XCTAssertEqual(csv.count, 101)
        XCTAssertEqual(result.table().header, ["Step", "step decay", "cosine", "one-cycle"])
        XCTAssertEqual(result.table().rows.last?.first, "99")
        let svg = SVGDocument(result.chart().svg())
        XCTAssertNil(svg.error)
        XCTAssertEqual(svg.named("polyline").count, 7, "three rates on two panels and the momentum")
        for name in ["step decay", "cosine", "one-cycle"] { XCTAssertTrue(svg.texts.contains(name), name) }
        XCTAssertThrowsError(try SchedulesDemo.run(totalSteps: 5))
    }
}
