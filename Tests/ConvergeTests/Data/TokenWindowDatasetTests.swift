import ConvergeTestSupport
import XCTest
@testable import Converge

final class TokenWindowDatasetTests: XCTestCase {
    func testWindowsAndNextTokenTargets() {
        let s = TokenSequence(tokens: [0, 1, 2, 3, 4, 5, 6], vocabularySize: 7)
        let d = TokenWindowDataset(s, context: 3)
        XCTAssertEqual(d.count, 2)
        XCTAssertEqual(d.example(at: 1).features, [3, 4, 5])
        XCTAssertEqual(d.example(at: 1).label, [4, 5, 6])
        let overlapping = TokenWindowDataset(s, context: 3, stride: 1)
        XCTAssertEqual(overlapping.count, 4)
        let (x, y) = overlapping.indexBatch([3, 0])
        XCTAssertEqual(x.indices, [3, 4, 5, 0, 1, 2])
        XCTAssertEqual(y.indices, [4, 5, 6, 1, 2, 3])
        let batch = d.batch(indices: [0])
        XCTAssertEqual(batch.inputs.shape, [1, 3])
        XCTAssertEqual(batch.targets.scalars, [1, 2, 3])
    }
}
