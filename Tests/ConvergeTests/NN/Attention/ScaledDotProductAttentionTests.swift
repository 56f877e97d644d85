import ConvergeTestSupport
import XCTest
@testable import Converge

final class ScaledDotProductAttentionTests: XCTestCase {
    private func assertGolden(_ name: String, mask: (Tensor) -> AttentionMask? = { _ in nil }, isCausal: Bool = false,
                              scale: Float? = nil, file: StaticString = #filePath, line: UInt = #line) {
        let q = AttentionGoldens.tensor(name, "inputs/query"), k = AttentionGoldens.tensor(name, "inputs/key")
        let v = AttentionGoldens.tensor(name, "inputs/value")
        for t in [q, k, v] { t.requiresGrad = true }
        let m = AttentionGoldens.golden.lookup("cases/\(name)/inputs/mask") != nil ? mask(AttentionGoldens.tensor(name, "inputs/mask")) : nil
        let y = Tensor.scaledDotProductAttention(query: q, key: k, value: v, mask: m, isCausal: isCausal, scale: scale)
        XCTAssertNil(mismatch(y, AttentionGoldens.tensor(name, "output")), "\(name) output", file: file, line: line)
        y.backward(AttentionGoldens.tensor(name, "gradOutput"))
        for (t, key) in [(q, "query"), (k, "key"), (v, "value")] {
            XCTAssertNil(mismatch(t.grad!, AttentionGoldens.tensor(name, "inputGrads/\(key)")), "\(name) gradient of \(key)",
                         file: file, line: line)
        }
    }

    func testCausalMatchesPyTorch() { assertGolden("sdpa_causal", isCausal: true) }

    func testRectangularCausalIsTopLeftAlignedLikePyTorch() { assertGolden("sdpa_causal_rectangular", isCausal: true) }

    func testAdditiveMaskAndScaleMatchPyTorch() {
        assertGolden("sdpa_additive_mask", mask: { .additive($0) }, scale: 0.3)
    }

    func testBooleanMaskMatchesPyTorch() { assertGolden("sdpa_bool_mask", mask: { .allowed($0) }) }

    func testGradientCheckWithMaskAndCausal() {
        let g = RandomGenerator(seed: 3)
        let q = Tensor.randomNormal([2, 4, 3], generator: g, requiresGrad: true)
        let k = Tensor.randomNormal([2, 5, 3], generator: g, requiresGrad: true)
        let v = Tensor.randomNormal([2, 5, 2], generator: g, requiresGrad: true)
        let mask = Tensor.randomNormal([4, 5], generator: g)
        let broadcastMask = Tensor.randomNormal([2, 1, 5], generator: g, requiresGrad: true)
        let masked = gradientCheck([q, k, v, broadcastMask]) { x in
            Tensor.scaledDotProductAttention(query: x[0], key: x[1], value: x[2], mask: .additive(x[3]))
        }
        XCTAssertTrue(masked.passed, masked.description)
        let causal = gradientCheck([q, k, v]) { x in
            Tensor.attentionKernel(query: x[0], key: x[1], value: x[2], masks: [mask], isCausal: true, dropout: 0,
                                   scale: 0.7, generator: Random.generator)
        }
        XCTAssertTrue(causal.passed, causal.description)
    }

    func testDropoutGradientRedrawsTheSameMasks() {
        let g = RandomGenerator(seed: 4)
        let q = Tensor.randomNormal([2, 3, 4], generator: g, requiresGrad: true)
        let k = Tensor.randomNormal([2, 5, 4], generator: g, requiresGrad: true)
        let v = Tensor.randomNormal([2, 5, 3], generator: g, requiresGrad: true)
        let result = gradientCheck([q, k, v]) { x in
            Tensor.scaledDotProductAttention(query: x[0], key: x[1], value: x[2], isCausal: true, dropout: 0.4,
                                             generator: RandomGenerator(seed: 11))
        }
        XCTAssertTrue(result.passed, result.description)
        // Dropout changes the output in training and is off in evaluation.
        let plain = Tensor.scaledDotProductAttention(query: q, key: k, value: v)
        let dropped = Tensor.scaledDotProductAttention(query: q, key: k, value: v, dropout: 0.4, generator: RandomGenerator(seed: 1))
        let evaluated = Tensor.scaledDotProductAttention(query: q, key: k, value: v, dropout: 0.4, training: false)
        XCTAssertNotNil(mismatch(dropped, plain))
        XCTAssertNil(mismatch(evaluated, plain))
    }

    func testQueryWithEveryKeyMaskedGetsZeroOutput() {
        let q = Tensor.ones([1, 2, 2]), k = Tensor.ones([1, 3, 2]), v = Tensor.ones([1, 3, 2])
        let allowed = Tensor(shape: [2, 3], scalars: [0, 0, 0, 1, 1, 0])
        let y = Tensor.scaledDotProductAttention(query: q, key: k, value: v, mask: .allowed(allowed))
        XCTAssertEqual(y.scalars, [0, 0, 1, 1])
    }

    func testCausalMaskBuilderMatchesPyTorchsSquareSubsequentMask() {
        guard case .additive(let m) = AttentionMask.causal(3) else { return XCTFail("not additive") }
        XCTAssertEqual(m.scalars, [0, -.infinity, -.infinity, 0, 0, -.infinity, 0, 0, 0])
        let blocked = AttentionMask.blocked(Tensor(shape: [1, 2], scalars: [1, 0])).additiveValues()
        XCTAssertEqual(blocked.scalars, [-.infinity, 0])
    }
}
