import ConvergeTestSupport
import XCTest
@testable import Converge

/// The PyTorch goldens of `scripts/goldens/attention.py` (Fixtures/attention.json).
enum AttentionGoldens {
    static let golden: Golden = {
        do { return try Golden("attention", bundle: .module) } catch { fatalError("cannot load Fixtures/attention.json: \(error)") }
    }()

    static func tensor(_ name: String, _ key: String) -> Tensor { golden.tensor("cases/\(name)/\(key)") }

    static func tensors(_ name: String, _ section: String) -> [(String, Tensor)] {
        let prefix = "cases/\(name)/\(section)"
        guard let entries = golden.lookup(prefix) as? [String: Any] else { return [] }
        return entries.keys.sorted().map { ($0, golden.tensor("\(prefix)/\($0)")) }
    }

    static func stateShapes(_ name: String) -> [String: [Int]] {
        (golden.lookup("cases/\(name)/stateShapes") as? [String: [Int]]) ?? [:]
    }
}

/// Loads the case's PyTorch state into `module` (strict, PyTorch key names), checks that the
/// module's PyTorch-style state-dict keys and shapes are exactly PyTorch's (what
/// `load_state_dict(strict=True)` needs), runs `body` on the case's inputs (which require
/// gradients), back-propagates the stored upstream gradient and compares the output, every input
/// gradient and every parameter gradient.
func assertModuleMatchesAttentionGolden(_ name: String, _ module: Module, rtol: Float = 1e-5, atol: Float = 1e-6,
                                        file: StaticString = #filePath, line: UInt = #line,
                                        _ body: ([String: Tensor]) -> Tensor) {
    let ours = Dictionary(uniqueKeysWithValues: module.stateDict(keyStyle: .pytorch).map { ($0.0, $0.1.shape) })
    XCTAssertEqual(ours, AttentionGoldens.stateShapes(name), "\(name): state-dict keys and shapes differ from PyTorch's",
                   file: file, line: line)
    do {
        try module.loadStateDict(AttentionGoldens.tensors(name, "state"), keyStyle: .pytorch)
    } catch {
        return XCTFail("\(name): \(error)", file: file, line: line)
    }
    let inputs = Dictionary(uniqueKeysWithValues: AttentionGoldens.tensors(name, "inputs"))
    let gradNames = Set(AttentionGoldens.tensors(name, "inputGrads").map { $0.0 })
    for (key, t) in inputs where gradNames.contains(key) { t.requiresGrad = true }
    module.zeroGrad()
    let output = body(inputs)
    if let problem = mismatch(output, AttentionGoldens.tensor(name, "output"), rtol: rtol, atol: atol) {
        XCTFail("\(name) output: \(problem)", file: file, line: line)
    }
    output.backward(AttentionGoldens.tensor(name, "gradOutput"))
    for (key, expected) in AttentionGoldens.tensors(name, "inputGrads") {
        guard let grad = inputs[key]?.grad else { XCTFail("\(name): no gradient for input \(key)", file: file, line: line); continue }
        if let problem = mismatch(grad, expected, rtol: rtol, atol: atol) {
            XCTFail("\(name) gradient of input \(key): \(problem)", file: file, line: line)
        }
    }
    let params = Dictionary(uniqueKeysWithValues: module.namedParameters().map { (StateDictKeyStyle.pytorch.spell($0.0), $0.1) })
    let expectedGrads = AttentionGoldens.tensors(name, "grads")
    XCTAssertEqual(Set(expectedGrads.map { $0.0 }), Set(params.keys), "\(name): parameter names", file: file, line: line)
    for (key, expected) in expectedGrads {
        guard let grad = params[key]?.grad else { XCTFail("\(name): no gradient for \(key)", file: file, line: line); continue }
        if let problem = mismatch(grad, expected, rtol: rtol, atol: atol) {
            XCTFail("\(name) gradient of \(key): \(problem)", file: file, line: line)
        }
    }
}
