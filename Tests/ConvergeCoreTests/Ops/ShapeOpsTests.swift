import ConvergeCore
import ConvergeTestSupport
import XCTest

final class ShapeOpsGoldenTests: XCTestCase {
    func testLayoutOpsMatchPyTorch() {
        assertMatchesGolden("reshape", inputs: ["x"]) { $0[0].reshaped([4, -1]) }
        assertMatchesGolden("flatten", inputs: ["x"]) { $0[0].flattened() }
        assertMatchesGolden("transpose", inputs: ["x"]) { $0[0].transposed() }
        assertMatchesGolden("transpose_outer", inputs: ["x"]) { $0[0].transposed(0, 2) }
        assertMatchesGolden("permute", inputs: ["x"]) { $0[0].permuted([2, 0, 1]) }
        assertMatchesGolden("expand", inputs: ["x"]) { $0[0].expanded(to: [2, 3, 4]) }
    }

    func testJoiningAndSelectionMatchPyTorch() {
        assertMatchesGolden("concatenate", inputs: ["a", "b", "c"]) { Tensor.concatenate($0, alongAxis: 1) }
        assertMatchesGolden("stack", inputs: ["a", "b"]) { Tensor.stack($0, alongAxis: -1) }
        assertMatchesGolden("slice", inputs: ["x"]) { $0[0].sliced(alongAxis: 1, 1..<3) }
        assertMatchesGolden("index_select", inputs: ["x"]) { $0[0].indexSelect(alongAxis: 1, indices: [2, 0, 2, 1]) }
        let index = Tensor(shape: [3, 3], scalars: [0, 3, 3, 1, 1, 0, 2, 0, 3])
        assertMatchesGolden("gather", inputs: ["x"]) { $0[0].gather(alongAxis: 1, index: index) }
    }
}

final class ShapeOpsGradientTests: XCTestCase {
    func testLayoutGradients() {
        let x = testInput([2, 3, 4], seed: 1)
        assertGradientsMatchFiniteDifferences([x]) { $0[0].reshaped([4, -1]) * $0[0].reshaped([4, 6]) }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].flattened(startAxis: 0, endAxis: 1) }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].transposed(0, 2) }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].permuted([1, 2, 0]) }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].unsqueezed(at: 1).squeezed(at: 1).exp() }
        assertGradientsMatchFiniteDifferences([testInput([3, 1], seed: 2)]) { $0[0].expanded(to: [2, 3, 4]) }
    }

    func testJoinAndSelectGradients() {
        assertGradientsMatchFiniteDifferences([testInput([2, 1, 3], seed: 3), testInput([2, 2, 3], seed: 4)]) {
            Tensor.concatenate($0, alongAxis: -2)
        }
        assertGradientsMatchFiniteDifferences([testInput([2, 3], seed: 5), testInput([2, 3], seed: 6)]) {
            Tensor.stack($0, alongAxis: 1)
        }
        assertGradientsMatchFiniteDifferences([testInput([2, 4, 3], seed: 7)]) { $0[0].sliced(alongAxis: -2, 1..<3) }
        assertGradientsMatchFiniteDifferences([testInput([2, 3, 4], seed: 8)]) { $0[0].indexSelect(alongAxis: 1, indices: [2, 0, 2]) }
        let index = Tensor(shape: [3, 2], scalars: [0, 0, 3, 1, 2, 2])
        assertGradientsMatchFiniteDifferences([testInput([3, 4], seed: 9)]) { $0[0].gather(alongAxis: 1, index: index) }
    }
}

final class ShapeOpsBehaviourTests: XCTestCase {
    func testReshapeSharesStorageAndInfersDimension() {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let y = x.reshaped([-1])
        XCTAssertEqual(y.shape, [6])
        XCTAssertTrue(y.storage === x.storage)
        XCTAssertEqual(x.flattened(startAxis: 0).shape, [6])
        XCTAssertEqual(Tensor(3).flattened().shape, [1])
    }

    func testPermuteValues() {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(x.transposed().scalars, [1, 4, 2, 5, 3, 6])
        XCTAssertEqual(x.permuted([-1, 0]).scalars, [1, 4, 2, 5, 3, 6])
    }

    func testEmbeddingLookup() {
        let table = Tensor(shape: [3, 2], scalars: [0, 1, 10, 11, 20, 21])
        let picked = table.indexSelect(Tensor(shape: [2, 2], scalars: [2, 0, 1, 2]))
        XCTAssertEqual(picked.shape, [2, 2, 2])
        XCTAssertEqual(picked.scalars, [20, 21, 0, 1, 10, 11, 20, 21])
    }

    func testRepeatedIndicesAccumulateGradient() {
        let x = Tensor([1, 2, 3], requiresGrad: true)
        x.indexSelect(alongAxis: 0, indices: [1, 1, 2, 1]).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [0, 3, 1])
    }

    func testPartialRangeSlicing() {
        let x = Tensor(shape: [2, 4], scalars: [0, 1, 2, 3, 4, 5, 6, 7])
        XCTAssertEqual(x.sliced(alongAxis: 1, 2...).scalars, [2, 3, 6, 7])
        XCTAssertEqual(x.sliced(alongAxis: -1, ...1).scalars, [0, 1, 4, 5])
    }

    func testShapeChecksNameOpAndShapes() {
        assertShapeError(["reshape", "[2, 3]", "[4, 2]"]) { try ShapeCheck.reshape([2, 3], to: [4, 2]) }
        assertShapeError(["reshape", "[2, 3]", "[-1, 4]"]) { try ShapeCheck.reshape([2, 3], to: [-1, 4]) }
        assertShapeError(["reshape", "[-1, -1]"]) { try ShapeCheck.reshape([2, 3], to: [-1, -1]) }
        XCTAssertEqual(try ShapeCheck.reshape([2, 3, 4], to: [-1, 4]), [6, 4])
        assertShapeError(["expand", "[3, 2]", "[3, 4]"]) { try ShapeCheck.expand([3, 2], to: [3, 4]) }
        assertShapeError(["expand", "[2, 3]", "[3]"]) { try ShapeCheck.expand([2, 3], to: [3]) }
        assertShapeError(["permute", "[0, 0]", "[2, 3]"]) { try ShapeCheck.permutation([0, 0], of: [2, 3]) }
        assertShapeError(["permute", "[0]"]) { try ShapeCheck.permutation([0], of: [2, 3]) }
        assertShapeError(["slice", "2..<5", "size 4", "[3, 4]"]) { try ShapeCheck.slice([3, 4], axis: 1, range: 2..<5) }
        assertShapeError(["concatenate", "[2, 3]", "[3, 3]", "axis 1"]) { try ShapeCheck.concatenate([[2, 3], [3, 3]], axis: 1) }
        XCTAssertEqual(try ShapeCheck.concatenate([[2, 3], [2, 1]], axis: -1), [2, 4])
        assertShapeError(["stack", "[2, 3]", "[3, 2]"]) { try ShapeCheck.stack([[2, 3], [3, 2]], axis: 0) }
        assertShapeError(["stack", "no tensors"]) { try ShapeCheck.stack([], axis: 0) }
        assertShapeError(["indexSelect", "index 3", "size 3", "[2, 3]"]) { try ShapeCheck.indexSelect([2, 3], axis: 1, indices: [0, 3]) }
        assertShapeError(["gather", "[3, 2]", "[2, 4]"]) { try ShapeCheck.gather([2, 4], axis: 1, index: [3, 2]) }
        assertShapeError(["gather", "rank"]) { try ShapeCheck.gather([2, 4], axis: 1, index: [2]) }
        assertShapeError(["transpose", "axis 3", "rank 2"]) { try Shape.normalize(axis: 3, rank: 2, op: "transpose") }
    }
}
