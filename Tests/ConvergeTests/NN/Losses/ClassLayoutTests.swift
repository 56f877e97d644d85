import XCTest
@testable import Converge

final class ClassLayoutTests: XCTestCase {
    func testSpatialOffsets() throws {
        // Scores [2, 3, 4]: 2 samples × 4 positions, 3 classes along axis 1.
        let layout = try ClassLayout("test", scoresShape: [2, 3, 4], scoresName: "scores")
        XCTAssertEqual(layout.classes, 3)
        XCTAssertEqual(layout.positions, 8)
        XCTAssertEqual(layout.positionShape, [2, 4])
        XCTAssertEqual(layout.offset(5, 2), (1 * 3 + 2) * 4 + 1)
    }

    func testUnbatchedAndScalar() throws {
        let layout = try ClassLayout("test", scoresShape: [7], scoresName: "scores")
        XCTAssertEqual(layout.positionShape, [])
        XCTAssertEqual(layout.offset(0, 6), 6)
        XCTAssertThrowsError(try ClassLayout("crossEntropy", scoresShape: [], scoresName: "logits")) {
            XCTAssertEqual("\($0)", "crossEntropy: logits must have a class dimension, got a scalar")
        }
    }
}
