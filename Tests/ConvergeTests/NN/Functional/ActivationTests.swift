import XCTest
@testable import Converge

final class ActivationTests: XCTestCase {
    func testNamesRoundTrip() {
        for activation in [Activation.identity, .relu, .gelu(.none), .gelu(.tanh), .silu, .sigmoid, .tanh] {
            XCTAssertEqual(Activation(name: activation.description), activation)
        }
        XCTAssertEqual(Activation(name: "leaky_relu"), .leakyRelu(negativeSlope: 0.01))
        XCTAssertNil(Activation(name: "softsign"))
    }

    func testModulesComputeTheSameFunction() {
        Random.seed(2)
        let x = Tensor.randomNormal([4, 5])
        for activation in [Activation.identity, .relu, .leakyRelu(negativeSlope: 0.2), .gelu(.none), .gelu(.tanh), .silu, .sigmoid, .tanh] {
            XCTAssertEqual(activation.module()(x).scalars, activation(x).scalars, "\(activation)")
        }
        XCTAssertTrue(Activation.relu.module() is ReLU)
        XCTAssertEqual((Activation.leakyRelu(negativeSlope: 0.2).module() as? LeakyReLU)?.negativeSlope, 0.2)
    }
}
