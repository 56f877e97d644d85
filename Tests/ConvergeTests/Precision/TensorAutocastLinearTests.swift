import XCTest
@testable import Converge
import ConvergeTestSupport

/// `bfloat16Linear`: a bfloat16 product stored in bfloat16, and its bfloat16 backward.
final class TensorAutocastLinearTests: XCTestCase {
    private func bf16(_ values: [Float]) -> [Float] { values.map { Kernels.float(bfloat16Bits: Kernels.bfloat16Bits($0)) } }

    private func operands() -> (Tensor, Tensor, Tensor) {
        let generator = RandomGenerator(seed: 21)
        let x = Tensor.randomNormal([7, 10], generator: generator)
        let w = Tensor.randomNormal([6, 10], generator: generator) * 0.3
        let b = Tensor.randomNormal([6], generator: generator) * 0.1
        for t in [x, w, b] { t.requiresGrad = true }
        return (x, w, b)
    }

    func testForwardAndGradientsAgreeWithTheFloat32OpsOnRoundedValues() {
        for activation in [Activation.identity, .relu, .gelu(.none)] {
            let (x, w, b) = operands()
            let y = x.bfloat16Linear(weight: w.castToBFloat16(), bias: b, activation: activation)
            XCTAssertNotNil(y.storage.bfloat16Bits, "\(activation): the output is bfloat16 storage")
            XCTAssertEqual(y.dtype, .bfloat16)
            let upstream = Tensor(shape: [7, 6], scalars: (0..<42).map { Float($0 % 5) * 0.2 - 0.4 })
            (y * upstream).sum().backward()

            // Reference: float32 ops on the bfloat16-rounded operands.
            let rx = Tensor(shape: x.shape, scalars: bf16(x.scalars), requiresGrad: true)
            let rw = Tensor(shape: w.shape, scalars: bf16(w.scalars), requiresGrad: true)
            let rb = Tensor(shape: b.shape, scalars: b.scalars, requiresGrad: true)
            let reference = rx.linear(weight: rw, bias: rb, activation: activation)
            (reference * upstream).sum().backward()
            XCTAssertEqual(y.scalars, bf16(reference.scalars).map { $0 }, accuracy: 1e-6, "\(activation) output")
            for (name, actual, expected) in [("x", x.grad!, rx.grad!), ("w", w.grad!, rw.grad!), ("b", b.grad!, rb.grad!)] {
                if let problem = mismatch(actual, expected, rtol: 2e-2, atol: 2e-2) { XCTFail("\(activation) grad \(name): \(problem)") }
            }
            XCTAssertEqual(w.grad!.scalars, bf16(w.grad!.scalars), "the weight gradient is bfloat16-rounded")
        }
    }

    func testABFloat16InputIsReadWithoutConversion() {
        let (x, w, b) = operands()
        let x16 = x.castToBFloat16()
        let fromBits = x16.bfloat16Linear(weight: w.castToBFloat16(), bias: b)
        let fromFloats = x.bfloat16Linear(weight: w, bias: b)
        XCTAssertNotNil(x16.storage.bfloat16Bits, "the bfloat16 input was not turned into float32")
        XCTAssertEqual(fromBits.scalars, fromFloats.scalars)
    }

    func testAutocastLinearCastsItsWeightOncePerForwardPass() {
        Random.seed(2)
        let model = Sequential { Linear(10, 6); ReLU(); Linear(6, 2) }
        let x = Tensor.randomNormal([4, 10])
        let master = (model.layers[0] as! Linear).weight
        var weightDuringForward: Tensor?
        let hook = model.layers[0].addForwardHook { module, _, _ in weightDuringForward = (module as! Linear).weight }
        let y = MixedPrecision(dtype: .bfloat16).forward(model, x)
        model.layers[0].removeForwardHook(hook)
        XCTAssertEqual(y.operationName, "linear_bf16")
        XCTAssertNotNil(y.storage.bfloat16Bits)
        XCTAssertEqual(weightDuringForward?.operationName, "to_bfloat16", "the layer used a bfloat16 copy")
        XCTAssertNotNil(weightDuringForward?.storage.bfloat16Bits)
        XCTAssertTrue((model.layers[0] as! Linear).weight === master, "the master is back after the forward pass")
        XCTAssertEqual(master.dtype, .float32)
        XCTAssertNil(master.storage.bfloat16Bits, "the master weight stays float32")
    }
}

private func XCTAssertEqual(_ a: [Float], _ b: [Float], accuracy: Float, _ message: String,
                            file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, message, file: file, line: line)
    for (i, (x, y)) in zip(a, b).enumerated() where Swift.abs(x - y) > accuracy * (1 + Swift.abs(y)) {
        XCTFail("\(message): element \(i) is \(x), expected \(y)", file: file, line: line)
        return
    }
}
