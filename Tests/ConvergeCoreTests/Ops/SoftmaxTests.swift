import ConvergeCore
import ConvergeTestSupport
import XCTest

final class SoftmaxGoldenTests: XCTestCase {
    func testSoftmaxMatchesPyTorch() {
        assertMatchesGolden("softmax", inputs: ["x"]) { $0[0].softmax() }
        assertMatchesGolden("softmax_axis0", inputs: ["x"]) { $0[0].softmax(alongAxis: 0) }
        assertMatchesGolden("softmax_3d_axis1", inputs: ["x"]) { $0[0].softmax(alongAxis: 1) }
    }

    func testLogSoftmaxMatchesPyTorch() {
        assertMatchesGolden("log_softmax", inputs: ["x"]) { $0[0].logSoftmax() }
        assertMatchesGolden("log_softmax_axis0", inputs: ["x"]) { $0[0].logSoftmax(alongAxis: 0) }
    }

    func testLogSumExpMatchesPyTorch() {
        assertMatchesGolden("logsumexp", inputs: ["x"]) { $0[0].logSumExp() }
        assertMatchesGolden("logsumexp_keep", inputs: ["x"]) { $0[0].logSumExp(alongAxis: 0, keepingDimensions: true) }
        assertMatchesGolden("logsumexp_axes", inputs: ["x"]) { $0[0].logSumExp(alongAxes: [0, 2]) }
    }

    func testExtremeInputsStayFiniteAndMatchPyTorch() {
        for (name, op) in [("softmax_extreme", { (t: Tensor) in t.softmax() }),
                           ("log_softmax_extreme", { (t: Tensor) in t.logSoftmax() }),
                           ("logsumexp_extreme", { (t: Tensor) in t.logSumExp() })] {
            assertMatchesGolden(name, inputs: ["x"]) { t in
                let y = op(t[0])
                XCTAssertTrue(y.scalars.allSatisfy(\.isFinite), "\(name) produced \(y.scalars)")
                return y
            }
        }
    }
}

final class SoftmaxGradientTests: XCTestCase {
    func testSoftmaxGradients() {
        assertGradientsMatchFiniteDifferences([testInput([3, 5], seed: 1)]) { $0[0].softmax() }
        assertGradientsMatchFiniteDifferences([testInput([3, 5], seed: 2)]) { $0[0].softmax(alongAxis: 0) }
        assertGradientsMatchFiniteDifferences([testInput([2, 3, 4], seed: 3)]) { $0[0].softmax(alongAxis: -2) }
    }

    func testLogSoftmaxGradients() {
        assertGradientsMatchFiniteDifferences([testInput([3, 5], seed: 4)]) { $0[0].logSoftmax() }
        assertGradientsMatchFiniteDifferences([testInput([2, 3, 4], seed: 5)]) { $0[0].logSoftmax(alongAxis: 1) }
    }

    func testLogSumExpGradients() {
        assertGradientsMatchFiniteDifferences([testInput([3, 5], seed: 6)]) { $0[0].logSumExp() }
        assertGradientsMatchFiniteDifferences([testInput([2, 3, 4], seed: 7)]) { $0[0].logSumExp(alongAxes: [0, 2], keepingDimensions: true) }
        assertGradientsMatchFiniteDifferences([testInput([2, 3, 4], seed: 8)]) { $0[0].logSumExp(alongAxes: []) }
    }
}

final class SoftmaxBehaviourTests: XCTestCase {
    func testRowsSumToOneForHugeInputs() {
        let x = Tensor([[1000, 1000, -1000], [-1e30, 0, 1e30]])
        let y = x.softmax()
        XCTAssertEqual(y.scalars, [0.5, 0.5, 0, 0, 0, 1])
        let logY = x.logSoftmax()
        XCTAssertTrue(logY.scalars.allSatisfy(\.isFinite))
        XCTAssertEqual(logY.scalars[0], -Float(0.6931472), accuracy: 1e-6)
    }

    func testLogSumExpOfInfiniteRows() {
        let x = Tensor([[-.infinity, -.infinity], [.infinity, 1], [-.infinity, 2]])
        XCTAssertEqual(x.logSumExp().scalars, [-.infinity, .infinity, 2])
    }

    func testSoftmaxOfScalarIsOne() {
        XCTAssertEqual(Tensor(3).softmax(alongAxis: 0).scalar, 1)
    }
}
