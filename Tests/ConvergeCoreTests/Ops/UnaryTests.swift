import ConvergeCore
import ConvergeTestSupport
import XCTest

final class UnaryGoldenTests: XCTestCase {
    func testElementaryFunctionsMatchPyTorch() {
        assertMatchesGolden("exp", inputs: ["x"]) { $0[0].exp() }
        assertMatchesGolden("log", inputs: ["x"]) { $0[0].log() }
        assertMatchesGolden("sqrt", inputs: ["x"]) { $0[0].sqrt() }
        assertMatchesGolden("abs", inputs: ["x"]) { $0[0].abs() }
        assertMatchesGolden("clamp", inputs: ["x"]) { $0[0].clamped(min: -0.5, max: 0.7) }
        assertMatchesGolden("clamp_min", inputs: ["x"]) { $0[0].clamped(min: 0.1) }
        assertMatchesGolden("clamp_max", inputs: ["x"]) { $0[0].clamped(max: -0.2) }
    }

    func testActivationsMatchPyTorch() {
        assertMatchesGolden("relu", inputs: ["x"]) { $0[0].relu() }
        assertMatchesGolden("leaky_relu", inputs: ["x"]) { $0[0].leakyRelu(negativeSlope: 0.2) }
        assertMatchesGolden("gelu", inputs: ["x"]) { $0[0].gelu() }
        assertMatchesGolden("gelu_tanh", inputs: ["x"]) { $0[0].gelu(approximation: .tanh) }
        assertMatchesGolden("sigmoid", inputs: ["x"]) { $0[0].sigmoid() }
        assertMatchesGolden("tanh", inputs: ["x"]) { $0[0].tanh() }
        assertMatchesGolden("silu", inputs: ["x"]) { $0[0].silu() }
    }

    func testExtremeInputsStayFiniteAndMatchPyTorch() {
        let ops: [(String, (Tensor) -> Tensor)] = [("sigmoid_extreme", { $0.sigmoid() }), ("tanh_extreme", { $0.tanh() }),
                                                   ("silu_extreme", { $0.silu() }), ("gelu_extreme", { $0.gelu() })]
        for (name, op) in ops {
            assertMatchesGolden(name, inputs: ["x"]) { t in
                let y = op(t[0])
                XCTAssertTrue(y.scalars.allSatisfy(\.isFinite), "\(name) produced \(y.scalars)")
                return y
            }
        }
    }
}

final class UnaryGradientTests: XCTestCase {
    func testElementaryGradients() {
        assertGradientsMatchFiniteDifferences([testInput([3, 4], seed: 1)]) { $0[0].exp() }
        assertGradientsMatchFiniteDifferences([testInput([3, 4], seed: 2, positive: true)]) { $0[0].log() }
        assertGradientsMatchFiniteDifferences([testInput([3, 4], seed: 3, positive: true)]) { $0[0].sqrt() }
        assertGradientsMatchFiniteDifferences([testInput([3, 4], seed: 4, awayFromZero: true)]) { $0[0].abs() }
    }

    func testClampGradientsAwayFromBounds() {
        // Values are multiples of 0.1 offset by 0.05, bounds are multiples of 0.1: no value sits at a kink.
        let x = Tensor(shape: [3, 4], scalars: (0..<12).map { Float($0) * 0.1 - 0.55 }, requiresGrad: true)
        assertGradientsMatchFiniteDifferences([x]) { $0[0].clamped(min: -0.3, max: 0.3) }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].clamped(min: 0) }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].clamped(max: 0.2) }
    }

    func testActivationGradients() {
        let x = testInput([3, 4], seed: 5, scale: 2, awayFromZero: true)
        assertGradientsMatchFiniteDifferences([x]) { $0[0].relu() }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].leakyRelu(negativeSlope: 0.1) }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].gelu() }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].gelu(approximation: .tanh) }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].sigmoid() }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].tanh() }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].silu() }
    }
}

final class UnaryBehaviourTests: XCTestCase {
    func testKinksFollowPyTorch() {
        let x = Tensor([-1, 0, 2], requiresGrad: true)
        x.relu().sum().backward()
        XCTAssertEqual(x.grad?.scalars, [0, 0, 1])
        x.zeroGrad()
        x.abs().sum().backward()
        XCTAssertEqual(x.grad?.scalars, [-1, 0, 1])
        x.zeroGrad()
        x.clamped(min: 0, max: 2).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [0, 1, 1])
    }

    func testNaNPassesThroughReluAndClamp() {
        XCTAssertTrue(Tensor([.nan]).relu().scalar.isNaN)
        XCTAssertTrue(Tensor([.nan]).clamped(min: 0, max: 1).scalar.isNaN)
    }

    func testSigmoidSaturatesExactly() {
        XCTAssertEqual(Tensor([-1000, 1000]).sigmoid().scalars, [0, 1])
    }
}
