import XCTest
@testable import Converge
import ConvergeTestSupport

/// bfloat16 autocast against PyTorch's CPU autocast (scripts/goldens/autocast_bf16.py).
final class MixedPrecisionBFloat16Tests: XCTestCase {
    func testForwardAndGradientsMatchPyTorchAutocast() throws {
        let golden = try Golden("autocast_bf16", bundle: .module)
        let first = Linear(12, 32), second = Linear(32, 5)
        first.weight.assign(golden.tensor("w1"))
        first.bias!.assign(golden.tensor("b1"))
        second.weight.assign(golden.tensor("w2"))
        second.bias!.assign(golden.tensor("b2"))
        let model = Sequential { first; ReLU(); second }
        let x = golden.tensor("x")
        x.requiresGrad = true
        let autocast = MixedPrecision(dtype: .bfloat16)
        let output = autocast.forward(model, x)
        let loss = meanSquaredError(predictions: output, targets: golden.tensor("target"))
        loss.backward()

        // The output is bfloat16: every value is representable, and matches PyTorch's to bf16 rounding.
        XCTAssertTrue(output.scalars.allSatisfy { $0 == Float(bitPattern: $0.bitPattern & 0xFFFF_0000) })
        if let problem = mismatch(output, golden.tensor("output"), rtol: 1e-2, atol: 2e-3) { XCTFail("output: \(problem)") }
        XCTAssertEqual(Double(loss.item()), golden.number("loss"), accuracy: 5e-3 * golden.number("loss"))
        let gradients: [(String, Tensor?)] = [("w1", first.weight.grad), ("b1", first.bias!.grad),
                                              ("w2", second.weight.grad), ("b2", second.bias!.grad), ("x", x.grad)]
        for (name, gradient) in gradients {
            let actual = try XCTUnwrap(gradient, name)
            if let problem = mismatch(actual, golden.tensor("grad/\(name)"), rtol: 2e-2, atol: 2e-3) {
                XCTFail("grad \(name): \(problem)")
            }
        }
        // The master weights stay float32 and untouched by the forward pass.
        XCTAssertEqual(first.weight.scalars, golden.floats("w1"))
        XCTAssertEqual(first.weight.dtype, .float32)
    }

    func testFloat32ForwardDiffersFromTheBFloat16Golden() throws {
        // Guards the test above: without autocast the output is not bfloat16-rounded.
        let golden = try Golden("autocast_bf16", bundle: .module)
        let first = Linear(12, 32), second = Linear(32, 5)
        first.weight.assign(golden.tensor("w1"))
        first.bias!.assign(golden.tensor("b1"))
        second.weight.assign(golden.tensor("w2"))
        second.bias!.assign(golden.tensor("b2"))
        let output = Sequential { first; ReLU(); second }(golden.tensor("x"))
        XCTAssertNotNil(mismatch(output, golden.tensor("output"), rtol: 1e-6, atol: 1e-7))
        XCTAssertFalse(output.scalars.allSatisfy { $0 == Float(bitPattern: $0.bitPattern & 0xFFFF_0000) })
    }

    func testProductsRunInBFloat16DuringForwardAndBackward() throws {
        // A product recorded under autocast runs its backward products in bfloat16 as well.
        let a = Tensor(shape: [2, 3], scalars: [1.006, 2, 3, 4, 5, 6], requiresGrad: true)
        let b = Tensor(shape: [3, 1], scalars: [1, 1, 1], requiresGrad: true)
        let product = Kernels.withGEMMPrecision(.bfloat16) { a.matmul(b) }
        XCTAssertEqual(Kernels.gemmPrecision, .float32)
        // 1.006 rounds to 1 + 2⁻⁷ = 1.0078125 in bfloat16 (8 significant bits).
        XCTAssertEqual(product.scalars[0], 1.0078125 + 2 + 3)
        product.sum().backward()
        let gradB = try XCTUnwrap(b.grad).scalars
        XCTAssertEqual(gradB[0], 1.0078125 + 4, "the backward product rounds a to bfloat16 too")
    }
}
