import XCTest
@testable import Converge

final class Size2DTests: XCTestCase {
    func testLiterals() {
        let square: Size2D = 3
        let pair: Size2D = [2, 5]
        XCTAssertEqual(square, Size2D(3, 3))
        XCTAssertEqual(pair.height, 2)
        XCTAssertEqual(pair.width, 5)
        XCTAssertEqual(pair.description, "(2, 5)")
    }
}
