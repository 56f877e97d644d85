import ConvergeCore
import ConvergeTestSupport
import XCTest

final class CreationTests: XCTestCase {
    func testFilledTensors() {
        XCTAssertEqual(Tensor.zeros([2, 3]).scalars, [Float](repeating: 0, count: 6))
        XCTAssertEqual(Tensor.ones([2]).scalars, [1, 1])
        XCTAssertEqual(Tensor.full([2, 2], value: 7).scalars, [7, 7, 7, 7])
        let like = Tensor.zeros([3, 1])
        XCTAssertEqual(Tensor.ones(like: like).shape, [3, 1])
        XCTAssertEqual(Tensor.zeros(like: like).shape, [3, 1])
        XCTAssertEqual(Tensor.full(like: like, value: -2).scalars, [-2, -2, -2])
        XCTAssertTrue(Tensor.zeros([2], requiresGrad: true).requiresGrad)
        XCTAssertEqual(Tensor.zeros([0, 3]).count, 0)
        XCTAssertEqual(Tensor.ones([]).shape, [])
        XCTAssertEqual(Tensor.ones([]).scalar, 1)
    }

    func testFromArrays() {
        let v = Tensor([1, 2, 3])
        XCTAssertEqual(v.shape, [3])
        let m = Tensor([[1, 2, 3], [4, 5, 6]])
        XCTAssertEqual(m.shape, [2, 3])
        XCTAssertEqual(m.scalars, [1, 2, 3, 4, 5, 6])
        let s = Tensor(2.5)
        XCTAssertEqual(s.shape, [])
        XCTAssertEqual(s.item(), 2.5)
        XCTAssertEqual(Tensor(shape: [3, 1], scalars: [1, 2, 3]).shape, [3, 1])
    }

    func testArangeMatchesPyTorch() {
        let golden = OpsGolden.file
        XCTAssertNil(mismatch(Tensor.arange(0, 1, step: 0.1), golden.tensor("arange_0_1_0.1"), rtol: 0, atol: 0))
        XCTAssertNil(mismatch(Tensor.arange(-3, 3, step: 0.7), golden.tensor("arange_-3_3_0.7"), rtol: 0, atol: 0))
        XCTAssertNil(mismatch(Tensor.arange(10, 0, step: -1.5), golden.tensor("arange_10_0_-1.5"), rtol: 0, atol: 0))
        XCTAssertNil(mismatch(Tensor.arange(7), golden.tensor("arange_7"), rtol: 0, atol: 0))
        XCTAssertEqual(Tensor.arange(3, 3).count, 0)
        XCTAssertEqual(Tensor.arange(0).count, 0)
    }

    func testCopyIsIndependentAndDetachedShares() {
        let x = Tensor([1, 2], requiresGrad: true)
        let c = x.copy(), d = x.detached()
        x.fill(5)
        XCTAssertEqual(c.scalars, [1, 2])
        XCTAssertEqual(d.scalars, [5, 5])
        XCTAssertFalse(c.requiresGrad)
        XCTAssertFalse(d.requiresGrad)
    }
}
