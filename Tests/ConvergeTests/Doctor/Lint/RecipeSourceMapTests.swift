import XCTest
@testable import Converge

final class RecipeSourceMapTests: XCTestCase {
    func testLinesOfBlockFlowAndListFieldsWithFallbackToTheParent() {
        let map = RecipeSourceMap(source: """
        seed: 1
        optimizer:
          name: sgd
          lr: 0.1
        model: { layers: [ {linear: {out: 4}},
                           {relu: {}} ] }
        """)
        XCTAssertEqual(map.line(of: "optimizer.lr"), 4)
        XCTAssertEqual(map.scalar(at: "optimizer.lr"), "0.1")
        XCTAssertEqual(map.line(of: "model.layers[1]"), 6)
        XCTAssertEqual(map.line(of: "optimizer.momentum"), 2, "an absent key points at its section")
        XCTAssertNil(map.line(of: "training.epochs"))
        XCTAssertFalse(map.contains("optimizer.momentum"))
        XCTAssertNil(RecipeSourceMap(source: "{ not yaml").line(of: "a"))
    }
}
