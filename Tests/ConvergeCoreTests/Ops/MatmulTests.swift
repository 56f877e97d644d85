import ConvergeCore
import ConvergeTestSupport
import XCTest

final class MatmulGoldenTests: XCTestCase {
    func testMatmulShapesMatchPyTorch() {
        for name in ["matmul_2d", "matmul_batched", "matmul_broadcast_batch", "matmul_broadcast_ones",
                     "matmul_matrix_batched", "matmul_batched_matrix", "matmul_vector_matrix",
                     "matmul_matrix_vector", "matmul_vector_vector", "matmul_batched_vector",
                     "matmul_vector_batched"] {
            assertMatchesGolden(name, inputs: ["a", "b"], atol: 1e-5) { $0[0].matmul($0[1]) }
        }
    }

    func testLinearMatchesPyTorch() {
        assertMatchesGolden("linear", inputs: ["x", "w", "b"], atol: 1e-5) { $0[0].linear(weight: $0[1], bias: $0[2]) }
        assertMatchesGolden("linear_3d", inputs: ["x", "w", "b"], atol: 1e-5) { $0[0].linear(weight: $0[1], bias: $0[2]) }
        assertMatchesGolden("linear_no_bias", inputs: ["x", "w"], atol: 1e-5) { $0[0].linear(weight: $0[1], bias: nil) }
    }
}

final class MatmulGradientTests: XCTestCase {
    private func check(_ a: [Int], _ b: [Int], seed: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        assertGradientsMatchFiniteDifferences([testInput(a, seed: seed), testInput(b, seed: seed + 100)], file: file, line: line) {
            $0[0].matmul($0[1])
        }
    }

    func testMatrixProductGradients() { check([3, 4], [4, 5], seed: 1) }
    func testBatchedProductGradients() { check([2, 3, 4], [2, 4, 5], seed: 2) }
    func testBroadcastBatchGradients() {
        check([2, 1, 3, 4], [5, 4, 2], seed: 3)
        check([1, 1, 3, 4], [5, 4, 2], seed: 4)
        check([3, 4], [2, 4, 5], seed: 5)
        check([2, 3, 4], [4, 5], seed: 6)
        check([2, 1, 3, 4], [1, 3, 4, 2], seed: 7)
    }
    func testVectorOperandGradients() {
        check([4], [4, 5], seed: 8)
        check([3, 4], [4], seed: 9)
        check([4], [4], seed: 10)
        check([2, 3, 4], [4], seed: 11)
        check([4], [2, 4, 5], seed: 12)
    }

    func testLinearGradients() {
        assertGradientsMatchFiniteDifferences([testInput([5, 4], seed: 13), testInput([3, 4], seed: 14), testInput([3], seed: 15)]) {
            $0[0].linear(weight: $0[1], bias: $0[2])
        }
        assertGradientsMatchFiniteDifferences([testInput([2, 5, 4], seed: 16), testInput([3, 4], seed: 17)]) {
            $0[0].linear(weight: $0[1], bias: nil)
        }
    }
}

final class MatmulBehaviourTests: XCTestCase {
    func testKnownProduct() {
        let a = Tensor([[1, 2], [3, 4]]), b = Tensor([[5, 6], [7, 8]])
        XCTAssertEqual(a.matmul(b).scalars, [19, 22, 43, 50])
        XCTAssertEqual(a.matmul(Tensor([1, 1])).shape, [2])
        XCTAssertEqual(a.matmul(Tensor([1, 1])).scalars, [3, 7])
        XCTAssertEqual(Tensor([1, 2]).matmul(Tensor([3, 4])).shape, [])
        XCTAssertEqual(Tensor([1, 2]).matmul(Tensor([3, 4])).scalar, 11)
    }

    func testBroadcastBatchEqualsExplicitLoop() {
        let a = testInput([2, 1, 3, 4], seed: 20), b = testInput([5, 4, 2], seed: 21)
        let c = a.matmul(b)
        XCTAssertEqual(c.shape, [2, 5, 3, 2])
        for i in 0..<2 {
            for j in 0..<5 {
                let ai = a.sliced(alongAxis: 0, i..<(i + 1)).reshaped([3, 4])
                let bj = b.sliced(alongAxis: 0, j..<(j + 1)).reshaped([4, 2])
                let cij = c.sliced(alongAxis: 0, i..<(i + 1)).sliced(alongAxis: 1, j..<(j + 1)).reshaped([3, 2])
                XCTAssertNil(mismatch(cij, ai.matmul(bj), rtol: 1e-6, atol: 1e-6))
            }
        }
    }

    func testLinearEqualsMatmulWithTransposedWeight() {
        let x = testInput([4, 3], seed: 22), w = testInput([5, 3], seed: 23), b = testInput([5], seed: 24)
        XCTAssertNil(mismatch(x.linear(weight: w, bias: b), x.matmul(w.transposed()) + b, rtol: 1e-6, atol: 1e-6))
    }

    func testEmptyInnerDimensionGivesBiasOrZeros() {
        let x = Tensor.zeros([3, 0]), w = Tensor.zeros([2, 0])
        XCTAssertEqual(x.linear(weight: w, bias: Tensor([1, 2])).scalars, [1, 2, 1, 2, 1, 2])
        XCTAssertEqual(x.linear(weight: w, bias: nil).scalars, [0, 0, 0, 0, 0, 0])
        XCTAssertEqual(x.matmul(Tensor.zeros([0, 2])).scalars, [0, 0, 0, 0, 0, 0])
    }

    func testShapeErrorsNameOpAndShapes() {
        assertShapeError(["matmul", "[2, 3]", "[4, 5]", "3 ≠ 4"]) { try Tensor.matmulShape([2, 3], [4, 5]) }
        assertShapeError(["matmul", "[2, 2, 3]", "[3, 3, 2]"]) { try Tensor.matmulShape([2, 2, 3], [3, 3, 2]) }
        assertShapeError(["matmul", "[]"]) { try Tensor.matmulShape([], [3]) }
        XCTAssertEqual(try Tensor.matmulShape([2, 1, 3, 4], [5, 4, 2]), [2, 5, 3, 2])
        XCTAssertEqual(try Tensor.matmulShape([4], [2, 4, 5]), [2, 5])
        XCTAssertEqual(try Tensor.matmulShape([2, 3, 4], [4]), [2, 3])
        assertShapeError(["linear", "[5, 4]", "[3, 5]"]) { try ShapeCheck.linear(input: [5, 4], weight: [3, 5], bias: nil) }
        assertShapeError(["linear", "bias", "[4]", "[3, 4]"]) { try ShapeCheck.linear(input: [5, 4], weight: [3, 4], bias: [4]) }
        assertShapeError(["linear", "2-D"]) { try ShapeCheck.linear(input: [5, 4], weight: [4], bias: nil) }
        XCTAssertEqual(try ShapeCheck.linear(input: [2, 5, 4], weight: [3, 4], bias: [3]), [2, 5, 3])
    }
}
