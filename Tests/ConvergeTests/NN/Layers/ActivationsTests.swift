import ConvergeTestSupport
import XCTest
@testable import Converge

final class ActivationsTests: XCTestCase {
    func testMatchPyTorch() {
        assertMatchesGolden("relu", ReLU())
        assertMatchesGolden("leaky_relu", LeakyReLU(negativeSlope: 0.2))
        assertMatchesGolden("gelu", GELU())
        assertMatchesGolden("gelu_tanh", GELU(approximation: .tanh))
        assertMatchesGolden("silu", SiLU())
        assertMatchesGolden("sigmoid", Sigmoid())
        assertMatchesGolden("tanh", Tanh())
        assertMatchesGolden("softmax", Softmax(axis: 1))
        assertMatchesGolden("identity", Identity())
    }

    func testGradientChecks() {
        Random.seed(9)
        // Values kept away from 0, where ReLU and LeakyReLU have a kink.
        let x = Tensor(shape: [3, 4], scalars: (0..<12).map { Float($0) * 0.37 - 2.1 + ($0 % 2 == 0 ? 0.05 : -0.05) }, requiresGrad: true)
        let modules: [Module] = [ReLU(), LeakyReLU(negativeSlope: 0.3), GELU(), GELU(approximation: .tanh), SiLU(), Sigmoid(),
                                 Tanh(), Softmax(axis: 0), Softmax(), Identity()]
        for module in modules {
            let result = gradientCheck([x]) { t in module(t[0]) }
            XCTAssertTrue(result.passed, "\(type(of: module)): \(result)")
        }
    }

    func testHaveNoParameters() {
        for module: Module in [ReLU(), LeakyReLU(), GELU(), SiLU(), Sigmoid(), Tanh(), Softmax(), Identity()] {
            XCTAssertTrue(module.namedState().isEmpty, "\(type(of: module))")
        }
    }
}
