import ConvergeCore
import ConvergeTestSupport
import XCTest

final class ArithmeticGoldenTests: XCTestCase {
    func testTensorTensorOpsMatchPyTorch() {
        assertMatchesGolden("add_same", inputs: ["a", "b"]) { $0[0] + $0[1] }
        assertMatchesGolden("add_broadcast", inputs: ["a", "b"]) { $0[0] + $0[1] }
        assertMatchesGolden("sub_row", inputs: ["a", "b"]) { $0[0] - $0[1] }
        assertMatchesGolden("sub_left_broadcast", inputs: ["a", "b"]) { $0[0] - $0[1] }
        assertMatchesGolden("mul_row", inputs: ["a", "b"]) { $0[0] * $0[1] }
        assertMatchesGolden("mul_column", inputs: ["a", "b"]) { $0[0] * $0[1] }
        assertMatchesGolden("div_broadcast", inputs: ["a", "b"]) { $0[0] / $0[1] }
        assertMatchesGolden("div_same", inputs: ["a", "b"]) { $0[0] / $0[1] }
    }

    func testScalarOpsMatchPyTorch() {
        assertMatchesGolden("add_scalar", inputs: ["x"]) { $0[0] + 1.5 }
        assertMatchesGolden("sub_scalar", inputs: ["x"]) { $0[0] - 0.75 }
        assertMatchesGolden("rsub_scalar", inputs: ["x"]) { 2 - $0[0] }
        assertMatchesGolden("mul_scalar", inputs: ["x"]) { $0[0] * -3.25 }
        assertMatchesGolden("div_scalar", inputs: ["x"]) { $0[0] / 3 }
        assertMatchesGolden("rdiv_scalar", inputs: ["x"]) { 2 / $0[0] }
        assertMatchesGolden("neg", inputs: ["x"]) { -$0[0] }
    }

    func testPowersMatchPyTorch() {
        assertMatchesGolden("pow_2", inputs: ["x"]) { $0[0].pow(2) }
        assertMatchesGolden("pow_3", inputs: ["x"]) { $0[0].pow(3) }
        assertMatchesGolden("pow_2_5", inputs: ["x"]) { $0[0].pow(2.5) }
        assertMatchesGolden("pow_half", inputs: ["x"]) { $0[0].pow(0.5) }
        assertMatchesGolden("pow_minus_1", inputs: ["x"]) { $0[0].pow(-1) }
        assertMatchesGolden("pow_tensor", inputs: ["x", "e"]) { $0[0].pow($0[1]) }
    }

    func testMaximumMinimumMatchPyTorchIncludingTies() {
        assertMatchesGolden("maximum", inputs: ["a", "b"]) { $0[0].maximum($0[1]) }
        assertMatchesGolden("minimum", inputs: ["a", "b"]) { $0[0].minimum($0[1]) }
        assertMatchesGolden("maximum_ties", inputs: ["a", "b"]) { $0[0].maximum($0[1]) }
        assertMatchesGolden("minimum_ties", inputs: ["a", "b"]) { $0[0].minimum($0[1]) }
    }
}

final class ArithmeticGradientTests: XCTestCase {
    func testAddBroadcastingGradients() {
        assertGradientsMatchFiniteDifferences([testInput([3, 1, 4], seed: 1), testInput([2, 1], seed: 2)]) { $0[0] + $0[1] }
        assertGradientsMatchFiniteDifferences([testInput([3, 4], seed: 3), testInput([3, 4], seed: 4)]) { $0[0] + $0[1] }
    }

    func testSubBroadcastingGradients() {
        assertGradientsMatchFiniteDifferences([testInput([4], seed: 5), testInput([3, 4], seed: 6)]) { $0[0] - $0[1] }
        assertGradientsMatchFiniteDifferences([testInput([2, 3, 4], seed: 7), testInput([3, 1], seed: 8)]) { $0[0] - $0[1] }
    }

    func testMulBroadcastingGradients() {
        assertGradientsMatchFiniteDifferences([testInput([4], seed: 9), testInput([3, 4], seed: 10)]) { $0[0] * $0[1] }
        assertGradientsMatchFiniteDifferences([testInput([2, 1, 4], seed: 11), testInput([3, 1], seed: 12)]) { $0[0] * $0[1] }
    }

    func testDivBroadcastingGradients() {
        assertGradientsMatchFiniteDifferences([testInput([2, 3, 4], seed: 13), testInput([3, 1], seed: 14, positive: true)]) { $0[0] / $0[1] }
        assertGradientsMatchFiniteDifferences([testInput([4], seed: 15), testInput([3, 4], seed: 16, positive: true)]) { $0[0] / $0[1] }
    }

    func testScalarOpGradients() {
        let x = testInput([3, 4], seed: 17, positive: true)
        assertGradientsMatchFiniteDifferences([x]) { $0[0] + 2 }
        assertGradientsMatchFiniteDifferences([x]) { 2 + $0[0] }
        assertGradientsMatchFiniteDifferences([x]) { $0[0] - 2 }
        assertGradientsMatchFiniteDifferences([x]) { 2 - $0[0] }
        assertGradientsMatchFiniteDifferences([x]) { $0[0] * 1.5 }
        assertGradientsMatchFiniteDifferences([x]) { 1.5 * $0[0] }
        assertGradientsMatchFiniteDifferences([x]) { $0[0] / 1.5 }
        assertGradientsMatchFiniteDifferences([x]) { 1.5 / $0[0] }
        assertGradientsMatchFiniteDifferences([x]) { -$0[0] }
    }

    func testPowGradients() {
        let x = testInput([3, 4], seed: 18, positive: true)
        for e: Float in [2, 3, 2.5, 0.5, -1, -0.5, -2, 1, 0] {
            assertGradientsMatchFiniteDifferences([x]) { $0[0].pow(e) }
        }
        assertGradientsMatchFiniteDifferences([x, testInput([4], seed: 19)]) { $0[0].pow($0[1]) }
        assertGradientsMatchFiniteDifferences([testInput([3, 4], seed: 20)]) { $0[0].squared() }
    }

    func testMaximumMinimumGradients() {
        assertGradientsMatchFiniteDifferences([testInput([3, 4], seed: 21), testInput([4], seed: 22)]) { $0[0].maximum($0[1]) }
        assertGradientsMatchFiniteDifferences([testInput([3, 1], seed: 23), testInput([4], seed: 24)]) { $0[0].minimum($0[1]) }
    }

    func testSummedToShapeIsDifferentiableAndSkipsWork() {
        let x = testInput([2, 3, 4], seed: 25)
        assertGradientsMatchFiniteDifferences([x]) { $0[0].summed(toShape: [3, 1]) }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].summed(toShape: [1, 4]) }
        // Nothing to reduce: the tensor itself, or a view when only leading 1s differ.
        let y = Tensor([1, 2, 3])
        XCTAssertTrue(y.summed(toShape: [3]) === y)
        let row = Tensor(shape: [1, 3], scalars: [1, 2, 3])
        let z = row.summed(toShape: [3])
        XCTAssertEqual(z.shape, [3])
        XCTAssertTrue(z.storage === row.storage)
        XCTAssertEqual(Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]).summed(toShape: [3]).scalars, [5, 7, 9])
    }
}

final class ArithmeticBehaviourTests: XCTestCase {
    func testBroadcastRowAndColumnValues() {
        let m = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual((m + Tensor([10, 20, 30])).scalars, [11, 22, 33, 14, 25, 36])
        XCTAssertEqual((m * Tensor(shape: [2, 1], scalars: [2, -1])).scalars, [2, 4, 6, -4, -5, -6])
        XCTAssertEqual((Tensor(shape: [3, 1], scalars: [1, 2, 3]) - Tensor([1, 2])).shape, [3, 2])
        XCTAssertEqual((Tensor(shape: [3, 1], scalars: [1, 2, 3]) - Tensor([1, 2])).scalars, [0, -1, 1, 0, 2, 1])
    }

    func testBroadcastingAgreesWithANaiveLoopOnRandomShapes() throws {
        let g = RandomGenerator(seed: 99)
        func randomShape() -> [Int] { (0..<Int(g.next() % 5)).map { _ in [1, 1, 2, 3][Int(g.next() % 4)] } }
        for _ in 0..<300 {
            let sa = randomShape()
            var sb = randomShape()
            // Make the pair broadcastable: where both have a dimension, make it agree or be 1.
            for i in 0..<min(sa.count, sb.count) {
                let ia = sa.count - 1 - i, ib = sb.count - 1 - i
                if sa[ia] != sb[ib] && sa[ia] != 1 && sb[ib] != 1 { sb[ib] = 1 }
            }
            let a = Tensor.randomNormal(sa, generator: g), b = Tensor.randomNormal(sb, generator: g)
            let out = try Shape.broadcast(sa, sb, op: "test")
            let result = a * b
            XCTAssertEqual(result.shape, out)
            let outStrides = Shape.strides(out)
            let stridesA = Shape.broadcastStrides(sa, to: out), stridesB = Shape.broadcastStrides(sb, to: out)
            for flat in 0..<Shape.count(out) {
                var rem = flat, ia = 0, ib = 0
                for d in 0..<out.count {
                    let coordinate = rem / outStrides[d]
                    rem %= outStrides[d]
                    ia += coordinate * stridesA[d]
                    ib += coordinate * stridesB[d]
                }
                XCTAssertEqual(result.scalars[flat], a.scalars[ia] * b.scalars[ib], "shapes \(sa) and \(sb), element \(flat)")
            }
            // Permuted reads go through the same kernel.
            if a.rank >= 2 {
                let t = a.transposed(0, a.rank - 1)
                XCTAssertEqual(t.transposed(0, a.rank - 1).scalars, a.scalars)
            }
        }
    }

    func testDivisionByScalarIsTrueDivision() {
        let x = Tensor([1, 10, 100])
        XCTAssertEqual((x / 3).scalars, [Float(1) / 3, Float(10) / 3, Float(100) / 3])
    }

    func testNaNPropagatesThroughMaximumAndMinimum() {
        let a = Tensor([.nan, 1, 2]), b = Tensor([0, .nan, 3])
        let mx = a.maximum(b).scalars, mn = a.minimum(b).scalars
        XCTAssertTrue(mx[0].isNaN && mx[1].isNaN)
        XCTAssertEqual(mx[2], 3)
        XCTAssertTrue(mn[0].isNaN && mn[1].isNaN)
        XCTAssertEqual(mn[2], 2)
    }

    func testBroadcastMismatchNamesOpAndShapes() {
        assertShapeError(["add", "[2, 3]", "[4]"]) { try Shape.broadcast([2, 3], [4], op: "add") }
        assertShapeError(["mul", "[3, 1, 4]", "[2, 3]"]) { try Shape.broadcast([3, 1, 4], [2, 3], op: "mul") }
        XCTAssertEqual(try Shape.broadcast([3, 1, 4], [2, 1], op: "add"), [3, 2, 4])
    }
}
