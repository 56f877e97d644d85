import ConvergeCore
import ConvergeTestSupport
import XCTest

/// The PyTorch goldens written by `scripts/goldens/ops.py`.
enum OpsGolden {
    /// `Fixtures/ops.json`, loaded once.
    static let file: Golden = {
        do { return try Golden("ops", bundle: .module) } catch { fatalError("cannot load Fixtures/ops.json: \(error)") }
    }()
}

extension XCTestCase {
    /// Checks golden case `name` of `ops.json`: loads `inputs` (those with a stored `grad_<input>`
    /// get `requiresGrad`), compares `body`'s output with `out`, then runs backward from the stored
    /// upstream gradient `v` and compares every input gradient with PyTorch's.
    func assertMatchesGolden(_ name: String, inputs: [String], rtol: Float = 1e-5, atol: Float = 1e-6,
                             gradientTolerance: Float? = nil,
                             file: StaticString = #filePath, line: UInt = #line, _ body: ([Tensor]) -> Tensor) {
        let golden = OpsGolden.file
        XCTAssertNotNil(golden.lookup("\(name)/out"), "no golden case \(name)", file: file, line: line)
        let tensors = inputs.map { input -> Tensor in
            let t = golden.tensor("\(name)/\(input)")
            t.requiresGrad = golden.lookup("\(name)/grad_\(input)") != nil
            return t
        }
        let out = body(tensors)
        if let problem = mismatch(out, golden.tensor("\(name)/out"), rtol: rtol, atol: atol) {
            XCTFail("\(name) forward: \(problem)", file: file, line: line)
        }
        guard golden.lookup("\(name)/v") != nil else { return }
        XCTAssertTrue(out.requiresGrad, "\(name): output records no graph", file: file, line: line)
        out.backward(golden.tensor("\(name)/v"))
        for (input, t) in zip(inputs, tensors) where t.requiresGrad {
            guard let grad = t.grad else {
                XCTFail("\(name): no gradient for \(input)", file: file, line: line)
                continue
            }
            let tolerance = gradientTolerance ?? atol
            if let problem = mismatch(grad, golden.tensor("\(name)/grad_\(input)"), rtol: rtol, atol: tolerance) {
                XCTFail("\(name) gradient of \(input): \(problem)", file: file, line: line)
            }
        }
    }

    /// Asserts that the analytic gradients of `body` agree with central finite differences.
    func assertGradientsMatchFiniteDifferences(_ inputs: [Tensor], file: StaticString = #filePath, line: UInt = #line,
                                               _ body: ([Tensor]) -> Tensor) {
        let result = gradientCheck(inputs, body)
        XCTAssertGreaterThan(result.checkedCount, 0, "nothing was checked", file: file, line: line)
        XCTAssertTrue(result.passed, result.description, file: file, line: line)
    }

    /// Asserts that `body` throws a ``ShapeError`` whose message contains every string in `parts`.
    func assertShapeError<T>(_ parts: [String], file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> T) {
        do {
            _ = try body()
            XCTFail("expected a shape error containing \(parts)", file: file, line: line)
        } catch {
            let message = "\(error)"
            for part in parts where !message.contains(part) {
                XCTFail("message \"\(message)\" does not contain \"\(part)\"", file: file, line: line)
            }
        }
    }
}

/// A tensor of `shape` with values from a fixed seed, requiring gradients (for finite-difference
/// checks). `awayFromZero` keeps |x| ≥ 0.2 so kinks (relu, abs, clamp) are not straddled.
func testInput(_ shape: [Int], seed: UInt64, scale: Float = 1, awayFromZero: Bool = false, positive: Bool = false) -> Tensor {
    let generator = RandomGenerator(seed: seed)
    let t = Tensor.randomNormal(shape, std: scale, generator: generator)
    t.withUnsafeMutableBufferPointer { p in
        for i in p.indices {
            if awayFromZero && Swift.abs(p[i]) < 0.2 { p[i] = p[i] < 0 ? p[i] - 0.2 : p[i] + 0.2 }
            if positive { p[i] = Swift.abs(p[i]) + 0.2 }
        }
    }
    t.requiresGrad = true
    return t
}
