import XCTest
@testable import Converge
import ConvergeTestSupport

/// Checks one case of `losses.json` for every reduction: builds the stored inputs (fresh each
/// time, with gradients on `differentiable`), runs `body`, and compares the value and gradients
/// (of `sum(loss · upstream)` for `.none`, of the loss otherwise) with PyTorch's.
func assertMatchesLossGolden(_ caseName: String, differentiable: [String], rtol: Float = 1e-5, atol: Float = 1e-6,
                             file: StaticString = #filePath, line: UInt = #line,
                             _ body: ([String: Tensor], Reduction) -> Tensor) throws {
    let golden = try Golden("losses", bundle: .module)
    let names = (golden.lookup("\(caseName)/inputs") as? [String: Any])?.keys.sorted() ?? []
    XCTAssertFalse(names.isEmpty, "no inputs for case \(caseName)", file: file, line: line)
    for reduction in Reduction.allCases {
        var inputs: [String: Tensor] = [:]
        for name in names { inputs[name] = golden.tensor("\(caseName)/inputs/\(name)") }
        for name in differentiable { inputs[name]!.requiresGrad = true }
        let loss = body(inputs, reduction)
        let prefix = "\(caseName)/\(reduction.rawValue)"
        let expected = golden.tensor("\(prefix)/value")
        XCTAssertEqual(loss.shape, reduction == .none ? expected.shape : [], "\(prefix) shape", file: file, line: line)
        if let m = mismatch(loss.scalars, expected.scalars, rtol: rtol, atol: atol) {
            XCTFail("\(prefix) value: \(m)", file: file, line: line)
        }
        if reduction == .none { loss.backward(inputs["upstream"]!) } else { loss.backward() }
        for name in differentiable {
            guard let grad = inputs[name]!.grad else {
                XCTFail("\(prefix): no gradient for \(name)", file: file, line: line)
                continue
            }
            if let m = mismatch(grad, golden.tensor("\(prefix)/grad/\(name)"), rtol: rtol, atol: atol) {
                XCTFail("\(prefix) gradient of \(name): \(m)", file: file, line: line)
            }
        }
    }
}

/// Runs ``gradientCheck`` on a loss for every reduction and fails with its summary if it does not pass.
func assertLossGradientsCheck(_ inputs: [Tensor], file: StaticString = #filePath, line: UInt = #line,
                              _ body: ([Tensor], Reduction) -> Tensor) {
    for reduction in Reduction.allCases {
        let result = gradientCheck(inputs) { body($0, reduction) }
        XCTAssertTrue(result.passed, "\(reduction): \(result)", file: file, line: line)
        XCTAssertGreaterThan(result.checkedCount, 0, file: file, line: line)
    }
}
