import ConvergeCore
import ConvergeTestSupport
import XCTest

final class ReductionsGoldenTests: XCTestCase {
    func testSumMatchesPyTorch() {
        assertMatchesGolden("sum_all", inputs: ["x"], atol: 1e-5) { $0[0].sum() }
        assertMatchesGolden("sum_axes", inputs: ["x"], atol: 1e-5) { $0[0].sum(alongAxes: [0, 2]) }
        assertMatchesGolden("sum_axes_keep", inputs: ["x"], atol: 1e-5) { $0[0].sum(alongAxes: [2, 0], keepingDimensions: true) }
        assertMatchesGolden("sum_negative_axes", inputs: ["x"], atol: 1e-5) { $0[0].sum(alongAxes: [-1, -3]) }
        assertMatchesGolden("sum_axis0", inputs: ["x"], atol: 1e-5) { $0[0].sum(alongAxis: 0) }
        assertMatchesGolden("sum_long_row", inputs: ["x"], atol: 1e-4) { $0[0].sum(alongAxis: 1) }
    }

    func testMeanAndVarianceMatchPyTorch() {
        assertMatchesGolden("mean_all", inputs: ["x"], atol: 1e-6) { $0[0].mean() }
        assertMatchesGolden("mean_axes_keep", inputs: ["x"], atol: 1e-6) { $0[0].mean(alongAxes: [1, 3], keepingDimensions: true) }
        assertMatchesGolden("mean_axis", inputs: ["x"], atol: 1e-6) { $0[0].mean(alongAxis: -1) }
        assertMatchesGolden("var_all", inputs: ["x"]) { $0[0].variance() }
        assertMatchesGolden("var_axis", inputs: ["x"]) { $0[0].variance(alongAxis: 1) }
        assertMatchesGolden("var_axes_keep_biased", inputs: ["x"]) {
            $0[0].variance(alongAxes: [0, 2], correction: 0, keepingDimensions: true)
        }
    }

    func testMaxMinMatchPyTorchIncludingTies() {
        assertMatchesGolden("max_axis", inputs: ["x"]) { $0[0].max(alongAxis: 1) }
        assertMatchesGolden("max_axis_keep", inputs: ["x"]) { $0[0].max(alongAxis: -1, keepingDimensions: true) }
        assertMatchesGolden("max_all_ties", inputs: ["x"]) { $0[0].max() }
        assertMatchesGolden("max_axes", inputs: ["x"]) { $0[0].max(alongAxes: [0, 2]) }
        assertMatchesGolden("min_axis", inputs: ["x"]) { $0[0].min(alongAxis: 0) }
        assertMatchesGolden("min_axes_keep", inputs: ["x"]) { $0[0].min(alongAxes: [1, 2], keepingDimensions: true) }
    }

    func testArgExtremaMatchPyTorch() {
        assertMatchesGolden("argmax", inputs: ["x"]) { $0[0].argmax(alongAxis: 1) }
        assertMatchesGolden("argmax_axis0_keep", inputs: ["x"]) { $0[0].argmax(alongAxis: 0, keepingDimensions: true) }
        assertMatchesGolden("argmin", inputs: ["x"]) { $0[0].argmin(alongAxis: -1) }
    }
}

final class ReductionsGradientTests: XCTestCase {
    func testSumGradients() {
        let x = testInput([2, 3, 4, 5], seed: 1)
        assertGradientsMatchFiniteDifferences([x]) { $0[0].sum() }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].sum(alongAxes: [0, 2]) }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].sum(alongAxes: [0, 2], keepingDimensions: true) }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].sum(alongAxes: [-1, -3]) }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].sum(alongAxes: [1, 3], keepingDimensions: true) }
    }

    func testMeanGradients() {
        let x = testInput([2, 3, 4], seed: 2)
        assertGradientsMatchFiniteDifferences([x]) { $0[0].mean() }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].mean(alongAxes: [0, 2]) }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].mean(alongAxes: [-1, 0], keepingDimensions: true) }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].mean(alongAxis: 1) }
    }

    func testVarianceGradients() {
        let x = testInput([3, 4, 5], seed: 3)
        assertGradientsMatchFiniteDifferences([x]) { $0[0].variance() }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].variance(alongAxes: [0, 2], correction: 0) }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].variance(alongAxis: -1, keepingDimensions: true) }
    }

    func testMaxMinGradients() {
        // A shuffled ramp with steps of 0.05: no (near) ties, so the extrema are differentiable.
        let order = RandomGenerator(seed: 4).permutation(60)
        let x = Tensor(shape: [3, 4, 5], scalars: order.map { Float($0) * 0.05 - 1.5 }, requiresGrad: true)
        assertGradientsMatchFiniteDifferences([x]) { $0[0].max() }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].max(alongAxes: [0, 2]) }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].max(alongAxis: 1, keepingDimensions: true) }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].min(alongAxes: [-1, 0]) }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].min(alongAxis: 2) }
    }
}

final class ReductionsBehaviourTests: XCTestCase {
    func testKnownValues() {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(x.sum().scalar, 21)
        XCTAssertEqual(x.sum(alongAxis: 0).scalars, [5, 7, 9])
        XCTAssertEqual(x.sum(alongAxis: 1, keepingDimensions: true).shape, [2, 1])
        XCTAssertEqual(x.mean(alongAxis: 1).scalars, [2, 5])
        XCTAssertEqual(x.max(alongAxis: 0).scalars, [4, 5, 6])
        XCTAssertEqual(x.min(alongAxis: 1).scalars, [1, 4])
        XCTAssertEqual(x.variance(alongAxis: 1).scalars, [1, 1])
        XCTAssertEqual(x.variance(alongAxis: 1, correction: 0).scalars[0], 2.0 / 3.0, accuracy: 1e-7)
        XCTAssertEqual(x.argmax(alongAxis: 1).scalars, [2, 2])
        XCTAssertEqual(x.argmin(alongAxis: 0).scalars, [0, 0, 0])
    }

    func testRandomAxisSubsetsAgreeWithANaiveLoop() {
        let g = RandomGenerator(seed: 5)
        for _ in 0..<200 {
            let shape = (0..<Int(1 + g.next() % 4)).map { _ in Int(1 + g.next() % 4) }
            let axes = (0..<shape.count).filter { _ in g.next() % 2 == 0 }
            let keep = g.next() % 2 == 0
            let x = Tensor.randomNormal(shape, generator: g)
            // Naive: group every element by its coordinates outside `axes`.
            let strides = Shape.strides(shape)
            var groups: [Int: [Double]] = [:]
            var order: [Int] = []
            for flat in 0..<x.count {
                var key = 0
                for d in 0..<shape.count where !axes.contains(d) { key = key * shape[d] + (flat / strides[d]) % shape[d] }
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append(Double(x.scalars[flat]))
            }
            let keys = order.sorted()
            let reduceAll = axes.isEmpty ? Array(0..<shape.count) : axes
            let expectedShape = keep ? shape.enumerated().map { reduceAll.contains($0.offset) ? 1 : $0.element }
                                     : shape.enumerated().filter { !reduceAll.contains($0.offset) }.map(\.element)
            if axes.isEmpty { continue }   // empty means "all axes" in the API; covered elsewhere
            let sum = x.sum(alongAxes: axes, keepingDimensions: keep)
            let mean = x.mean(alongAxes: axes, keepingDimensions: keep)
            let maximum = x.max(alongAxes: axes, keepingDimensions: keep)
            let variance = x.variance(alongAxes: axes, correction: 0, keepingDimensions: keep)
            let lse = x.logSumExp(alongAxes: axes, keepingDimensions: keep)
            for t in [sum, mean, maximum, variance, lse] { XCTAssertEqual(t.shape, expectedShape, "\(shape) over \(axes)") }
            for (i, key) in keys.enumerated() {
                let v = groups[key]!
                let s = v.reduce(0, +), m = s / Double(v.count)
                let message = "shape \(shape), axes \(axes), group \(i)"
                XCTAssertEqual(Double(sum.scalars[i]), s, accuracy: 1e-5 * (1 + abs(s)), message)
                XCTAssertEqual(Double(mean.scalars[i]), m, accuracy: 1e-5 * (1 + abs(m)), message)
                XCTAssertEqual(Double(maximum.scalars[i]), v.max()!, accuracy: 0, message)
                XCTAssertEqual(Double(variance.scalars[i]), v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count), accuracy: 1e-5, message)
                XCTAssertEqual(Double(lse.scalars[i]), Foundation.log(v.reduce(0) { $0 + Foundation.exp($1) }), accuracy: 1e-5, message)
            }
        }
    }

    func testLongSumsAreAccurate() {
        // 10⁶ copies of 0.1: a naive float running sum drifts by ~1%; blocked summation does not.
        let n = 1_000_000
        let x = Tensor.full([n], value: 0.1)
        XCTAssertEqual(Double(x.sum().scalar), Double(Float(0.1)) * Double(n), accuracy: 1e-5 * 0.1 * Double(n))
        let column = Tensor.full([20_000, 3], value: 0.1)
        for v in column.sum(alongAxis: 0).scalars {
            XCTAssertEqual(Double(v), Double(Float(0.1)) * 20_000, accuracy: 1e-5 * 2000)
        }
    }

    func testNaNPropagatesThroughMaxMinAndArgmax() {
        let x = Tensor(shape: [2, 3], scalars: [1, .nan, 3, 4, 5, 6])
        XCTAssertTrue(x.max(alongAxis: 1).scalars[0].isNaN)
        XCTAssertEqual(x.max(alongAxis: 1).scalars[1], 6)
        XCTAssertTrue(x.min(alongAxis: 1).scalars[0].isNaN)
        XCTAssertTrue(x.max(alongAxis: 0).scalars[1].isNaN)
        XCTAssertEqual(x.argmax(alongAxis: 1).scalars, [1, 2])
        XCTAssertEqual(x.argmin(alongAxis: 1).scalars, [1, 0])
    }

    func testLongRowsHandleNaNAndInfinity() {
        for position in [0, 1, 5, 8, 9, 13, 16, 19] {
            var values = (0..<20).map { Float($0) }
            values[position] = .nan
            let x = Tensor(values)
            XCTAssertTrue(x.max().scalar.isNaN, "NaN at \(position)")
            XCTAssertTrue(x.min().scalar.isNaN, "NaN at \(position)")
            XCTAssertTrue(x.softmax().scalars.allSatisfy(\.isNaN))
        }
        var values = (0..<20).map { Float($0) }
        values[3] = .infinity
        values[12] = -.infinity
        XCTAssertEqual(Tensor(values).max().scalar, .infinity)
        XCTAssertEqual(Tensor(values).min().scalar, -.infinity)
        values[3] = 100
        XCTAssertEqual(Tensor(values).max().scalar, 100)
    }

    func testTiedMaximaShareTheGradient() {
        let x = Tensor([2, 5, 5, 1], requiresGrad: true)
        x.max().backward()
        XCTAssertEqual(x.grad?.scalars, [0, 0.5, 0.5, 0])
    }

    func testAxisErrorsNameOpAndShape() {
        assertShapeError(["sum", "repeated axis", "[2, 3]"]) { try ShapeCheck.reductionAxes([1, -1], of: [2, 3], op: "sum") }
        assertShapeError(["mean", "axis 2", "rank 2"]) { try ShapeCheck.reductionAxes([2], of: [2, 3], op: "mean") }
        XCTAssertEqual(try ShapeCheck.reductionAxes([-1, 0], of: [2, 3, 4], op: "sum"), [0, 2])
        XCTAssertEqual(try ShapeCheck.reductionAxes([], of: [2, 3, 4], op: "sum"), [0, 1, 2])
    }
}
