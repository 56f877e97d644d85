import ConvergeCore
import XCTest

final class ShapeTests: XCTestCase {
    func testCountsAndStrides() {
        XCTAssertEqual(Shape.count([]), 1)
        XCTAssertEqual(Shape.count([2, 3, 4]), 24)
        XCTAssertEqual(Shape.count([2, 3, 4], 1..<3), 12)
        XCTAssertEqual(Shape.count([2, 3, 4], 1..<1), 1)
        XCTAssertEqual(Shape.strides([2, 3, 4]), [12, 4, 1])
        XCTAssertEqual(Shape.strides([]), [])
    }

    func testBroadcastRules() throws {
        XCTAssertEqual(try Shape.broadcast([3, 1, 4], [2, 1], op: "add"), [3, 2, 4])
        XCTAssertEqual(try Shape.broadcast([4], [3, 4], op: "mul"), [3, 4])
        XCTAssertEqual(try Shape.broadcast([], [2], op: "add"), [2])
        XCTAssertEqual(try Shape.broadcast([0, 1], [1, 5], op: "add"), [0, 5])
        XCTAssertEqual(Shape.broadcastStrides([3, 1], to: [2, 3, 4]), [0, 1, 0])
        XCTAssertEqual(Shape.broadcastStrides([4], to: [3, 4]), [0, 1])
    }

    func testErrorsNameOpShapesAndDimension() {
        do {
            _ = try Shape.broadcast([2, 3], [4, 3], op: "sub")
            XCTFail("expected an error")
        } catch let error as ShapeError {
            XCTAssertEqual(error.message, "sub: shapes [2, 3] and [4, 3] cannot be broadcast together (dimension 0: 2 vs 4)")
        } catch { XCTFail("unexpected \(error)") }
        XCTAssertThrowsError(try Shape.normalize(axis: -3, rank: 2, op: "sum")) { error in
            XCTAssertEqual("\(error)", "sum: axis -3 is out of range for a tensor of rank 2")
        }
        XCTAssertEqual(try Shape.normalize(axis: -1, rank: 3, op: "sum"), 2)
    }
}
