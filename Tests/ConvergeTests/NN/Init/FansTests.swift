import XCTest
@testable import Converge

final class FansTests: XCTestCase {
    func testLinearAndConvShapes() {
        XCTAssertTrue(fans(ofShape: [10, 3]) == (3, 10))
        XCTAssertTrue(fans(ofShape: [8, 4, 3]) == (12, 24))            // conv1d
        XCTAssertTrue(fans(ofShape: [16, 3, 5, 5]) == (75, 400))       // conv2d
        XCTAssertTrue(fans(ofShape: [6, 2, 3, 3, 3]) == (54, 162))     // conv3d
        XCTAssertEqual(fan(ofShape: [16, 3, 5, 5], mode: .fanIn), 75)
        XCTAssertEqual(fan(ofShape: [16, 3, 5, 5], mode: .fanOut), 400)
    }
}
