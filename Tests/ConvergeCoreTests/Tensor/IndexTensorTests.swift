import XCTest
@testable import ConvergeCore

final class IndexTensorTests: XCTestCase {
    func testConversionsAndReshape() {
        let t = IndexTensor(exactly: Tensor(shape: [2, 2], scalars: [0, 3, 7, 1]))
        XCTAssertEqual(t.indices, [0, 3, 7, 1])
        XCTAssertEqual(t.shape, [2, 2])
        XCTAssertEqual(t.floatTensor().scalars, [0, 3, 7, 1])
        XCTAssertEqual(t.reshaped([4]).shape, [4])
        XCTAssertEqual(IndexTensor([1, 2]).description, "IndexTensor(shape: [2], [1, 2])")
    }

    func testGatherMatchesTheFloatIndexVersionAndItsGradient() {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6], requiresGrad: true)
        let picked = x.gather(alongAxis: 1, index: IndexTensor(shape: [2, 2], [2, 2, 0, 1]))
        XCTAssertEqual(picked.scalars, [3, 3, 4, 5])
        picked.sum().backward()
        XCTAssertEqual(x.grad!.scalars, [0, 0, 2, 1, 1, 0])
        let result = gradientCheck([Tensor.randomNormal([3, 4], requiresGrad: true)]) { t in
            t[0].gather(alongAxis: 0, index: IndexTensor(shape: [2, 4], [0, 2, 1, 1, 2, 2, 0, 0]))
        }
        XCTAssertTrue(result.passed, result.description)
    }
}
