import XCTest
@testable import Converge
import ConvergeTestSupport

/// One case of `recurrent.json`: its configuration, inputs (requiring gradients) and a way to
/// compare outputs and gradients with PyTorch's.
struct RecurrentGoldenCase {
    let golden: Golden
    let name: String
    let inputs: [String: Tensor]

    init(_ name: String) throws {
        golden = try Golden("recurrent", bundle: .module)
        self.name = name
        var inputs: [String: Tensor] = [:]
        for key in (golden.lookup("\(name)/inputs") as? [String: Any] ?? [:]).keys {
            let t = golden.tensor("\(name)/inputs/\(key)")
            t.requiresGrad = true
            inputs[key] = t
        }
        self.inputs = inputs
    }

    func config(_ key: String) -> Int { Int(golden.number("\(name)/config/\(key)")) }
    func flag(_ key: String) -> Bool { (golden.lookup("\(name)/config/\(key)") as? Bool) ?? false }

    /// Loads the stored parameters into `module` by name (strictly: every name must match).
    func loadParameters(into module: Module) throws {
        let params = (golden.lookup("\(name)/params") as? [String: Any] ?? [:]).keys
        try module.loadStateDict(params.map { ($0, golden.tensor("\(name)/params/\($0)")) })
    }

    /// Backpropagates `Σ upstream ⊙ output` over the named outputs, then compares the outputs
    /// and the gradients of the inputs and of `module`'s parameters.
    func check(_ outputs: [String: Tensor], module: Module, rtol: Float = 3e-5, atol: Float = 3e-6,
               file: StaticString = #filePath, line: UInt = #line) {
        var objective: Tensor?
        for (key, value) in outputs.sorted(by: { $0.key < $1.key }) {
            let term = (value * golden.tensor("\(name)/upstream/\(key)")).sum()
            objective = objective.map { $0 + term } ?? term
            if let m = mismatch(value, golden.tensor("\(name)/expected/\(key)"), rtol: rtol, atol: atol) {
                XCTFail("\(name) \(key): \(m)", file: file, line: line)
            }
        }
        objective!.backward()
        var grads = inputs.map { ($0.key, $0.value) }
        grads += module.namedParameters()
        for (key, tensor) in grads {
            guard let grad = tensor.grad else { XCTFail("\(name): no gradient for \(key)", file: file, line: line); continue }
            if let m = mismatch(grad, golden.tensor("\(name)/grad/\(key)"), rtol: rtol, atol: atol) {
                XCTFail("\(name) gradient of \(key): \(m)", file: file, line: line)
            }
        }
    }
}
