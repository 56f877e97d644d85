import ConvergeTestSupport
import XCTest
@testable import Converge

final class LinearTests: XCTestCase {
    func testMatchesPyTorch() {
        assertMatchesGolden("linear", Linear(5, 3))
        assertMatchesGolden("linear_nobias", Linear(5, 3, bias: false))
    }

    func testFusedActivationsMatchPyTorch() {
        assertMatchesGolden("linear_relu", Linear(5, 4, activation: .relu))
        assertMatchesGolden("linear_gelu", Linear(5, 4, activation: .gelu(.none)))
        assertMatchesGolden("linear_sigmoid", Linear(5, 4, activation: .sigmoid))
    }

    func testDefaultInitializationBounds() {
        Random.seed(11)
        let layer = Linear(64, 200)
        let bound = 1 / Float(64).squareRoot()
        let w = layer.weight.scalars, b = layer.bias!.scalars
        XCTAssertTrue(w.allSatisfy { abs($0) <= bound })
        XCTAssertTrue(b.allSatisfy { abs($0) <= bound })
        // U(−a, a) has standard deviation a/√3.
        let mean = w.reduce(0, +) / Float(w.count)
        let std = (w.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(w.count)).squareRoot()
        XCTAssertEqual(std, bound / Float(3).squareRoot(), accuracy: bound * 0.03)
        XCTAssertEqual(layer.namedParameters().map { $0.0 }, ["weight", "bias"])
    }

    func testSameSeedSameWeights() {
        Random.seed(3)
        let a = Linear(4, 3)
        Random.seed(3)
        let b = Linear(4, 3)
        XCTAssertEqual(a.weight.scalars, b.weight.scalars)
        XCTAssertEqual(a.bias!.scalars, b.bias!.scalars)
    }

    func testGradientCheck() {
        Random.seed(5)
        let layer = Linear(4, 3)
        let x = Tensor.randomNormal([5, 4], requiresGrad: true)
        assertGradientsMatch(gradientCheck([x, layer.weight, layer.bias!]) { t in layer(t[0]) })
    }

    func testFusedActivationGradientCheck() {
        Random.seed(6)
        for activation in [Activation.relu, .leakyRelu(negativeSlope: 0.1), .leakyRelu(negativeSlope: -0.5), .gelu(.none),
                           .gelu(.tanh), .silu, .sigmoid, .tanh] {
            let layer = Linear(4, 3, activation: activation)
            let x = Tensor.randomNormal([6, 4], requiresGrad: true)
            let result = gradientCheck([x, layer.weight, layer.bias!]) { t in layer(t[0]) }
            XCTAssertTrue(result.passed, "\(activation): \(result)")
        }
    }

    func testFusedActivationEqualsSeparateOps() {
        Random.seed(8)
        let x = Tensor.randomNormal([7, 5])
        for activation in [Activation.relu, .leakyRelu(negativeSlope: 0.2), .gelu(.tanh), .silu, .sigmoid, .tanh] {
            let layer = Linear(5, 6, activation: activation)
            let fused = layer(x)
            let separate = activation(x.linear(weight: layer.weight, bias: layer.bias))
            XCTAssertNil(mismatch(fused, separate, rtol: 1e-6, atol: 1e-7), "\(activation)")
        }
    }

    func testSequentialFusesLinearAndReLUWithTheSameGradients() {
        func run(hooked: Bool) -> (String?, [Float], [Float]) {
            Random.seed(8)
            let model = Sequential { Linear(5, 7); ReLU(); Linear(7, 2) }
            let hook: Int? = hooked ? model.layers[1].addForwardHook { _, _, _ in } : nil
            let x = Tensor.randomNormal([6, 5])
            let hidden = Sequential { model.layers[0]; model.layers[1] }(x)
            let y = model(x)
            (y * y).sum().backward()
            if let hook { model.layers[1].removeForwardHook(hook) }
            return (hidden.operationName, y.scalars, model.parameters.flatMap { $0.grad!.scalars })
        }
        let fused = run(hooked: false), unfused = run(hooked: true)
        XCTAssertEqual(fused.0, "linear_relu")
        XCTAssertEqual(unfused.0, "relu", "a hooked ReLU runs as its own layer")
        XCTAssertEqual(fused.1, unfused.1)
        XCTAssertEqual(fused.2, unfused.2)
    }
}
