import XCTest
@testable import ConvergeExamples
import Converge

final class TextTableTests: XCTestCase {
    func testColumnsArePaddedFirstLeftOthersRight() {
        var table = TextTable(header: ["Metric", "A", "Long name"])
        table.append(["x", "1.5", "2"])
        table.append(["longer label", "10.25", "3"])
        let lines = table.rendered().split(separator: "\n").map(String.init)
        XCTAssertEqual(lines, [
            "Metric            A  Long name",
            "------------  -----  ---------",
            "x               1.5          2",
            "longer label  10.25          3",
        ])
        XCTAssertEqual(table.description, table.rendered())
    }
}

final class DemoFormatTests: XCTestCase {
    func testFormats() {
        XCTAssertEqual(DemoFormat.fixed(0.123456, 4), "0.1235")
        XCTAssertEqual(DemoFormat.fixed(.nan, 2), "nan")
        XCTAssertEqual(DemoFormat.scientific(0.000123), "1.23e-04")
        XCTAssertEqual(DemoFormat.percent(0.975), "97.50%")
        XCTAssertEqual(DemoFormat.duration(12.34), "12.3 s")
        XCTAssertEqual(DemoFormat.duration(125), "2 min 05 s")
        XCTAssertEqual(DemoFormat.signed(0.5, 1), "+0.5")
        XCTAssertEqual(DemoFormat.signed(-0.5, 1), "-0.5")
    }
}
