import ConvergeTestSupport
import XCTest
@testable import Converge

/// The PyTorch goldens of `scripts/goldens/layers.py` (Fixtures/layers.json), loaded once.
enum LayerGoldens {
    static let golden: Golden = {
        do { return try Golden("layers", bundle: .module) } catch { fatalError("cannot load Fixtures/layers.json: \(error)") }
    }()

    /// The case's tensors under `section` (`state`, `finalState`, `steps/0/grads`) by key.
    static func tensors(_ name: String, _ section: String) -> [(String, Tensor)] {
        let prefix = "cases/\(name)/\(section)"
        guard let entries = golden.lookup(prefix) as? [String: Any] else { return [] }
        return entries.keys.sorted().map { ($0, golden.tensor("\(prefix)/\($0)")) }
    }
}

/// Loads the golden case `name`'s PyTorch state into `module` (PyTorch key names, strict), runs
/// every recorded step (train or eval mode, forward, backward of the stored upstream gradient)
/// and compares the output, the input gradient, every parameter gradient, and finally the state
/// (running statistics) with PyTorch's values.
func assertMatchesGolden(_ name: String, _ module: Module, rtol: Float = 1e-5, atol: Float = 1e-6,
                         file: StaticString = #filePath, line: UInt = #line) {
    let golden = LayerGoldens.golden
    guard let modes = golden.lookup("cases/\(name)/modes") as? String else {
        return XCTFail("no golden case \(name)", file: file, line: line)
    }
    do {
        try module.loadStateDict(LayerGoldens.tensors(name, "state"), keyStyle: .pytorch)
    } catch {
        return XCTFail("\(name): \(error)", file: file, line: line)
    }
    let byPyTorchName = Dictionary(uniqueKeysWithValues: module.namedState().map { (StateDictKeyStyle.pytorch.spell($0.0), $0.1) })
    for (i, mode) in modes.split(separator: ",").enumerated() {
        let step = "cases/\(name)/steps/\(i)"
        module.train(mode == "train")
        module.zeroGrad()
        let input = golden.tensor("\(step)/input")
        let wantsInputGradient = golden.lookup("\(step)/gradInput") != nil
        input.requiresGrad = wantsInputGradient
        let output = module(input)
        if let problem = mismatch(output, golden.tensor("\(step)/output"), rtol: rtol, atol: atol) {
            XCTFail("\(name) step \(i) (\(mode)) output: \(problem)", file: file, line: line)
        }
        output.backward(golden.tensor("\(step)/gradOutput"))
        if wantsInputGradient {
            if let grad = input.grad {
                if let problem = mismatch(grad, golden.tensor("\(step)/gradInput"), rtol: rtol, atol: atol) {
                    XCTFail("\(name) step \(i) (\(mode)) input gradient: \(problem)", file: file, line: line)
                }
            } else {
                XCTFail("\(name) step \(i): no input gradient", file: file, line: line)
            }
        }
        for (key, expected) in LayerGoldens.tensors(name, "steps/\(i)/grads") {
            guard let grad = byPyTorchName[key]?.grad else {
                XCTFail("\(name) step \(i): no gradient for \(key)", file: file, line: line)
                continue
            }
            if let problem = mismatch(grad, expected, rtol: rtol, atol: atol) {
                XCTFail("\(name) step \(i) (\(mode)) gradient of \(key): \(problem)", file: file, line: line)
            }
        }
    }
    let finalState = LayerGoldens.tensors(name, "finalState")
    XCTAssertEqual(Set(finalState.map { $0.0 }), Set(byPyTorchName.keys), "\(name): state keys", file: file, line: line)
    for (key, expected) in finalState {
        guard let actual = byPyTorchName[key] else { continue }
        if let problem = mismatch(actual, expected, rtol: rtol, atol: atol) {
            XCTFail("\(name) final state \(key): \(problem)", file: file, line: line)
        }
    }
}

/// Asserts that a gradient check passed, printing its summary otherwise.
func assertGradientsMatch(_ result: GradientCheckResult, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertTrue(result.passed, result.description, file: file, line: line)
    XCTAssertGreaterThan(result.checkedCount, 0, "nothing was checked", file: file, line: line)
}
