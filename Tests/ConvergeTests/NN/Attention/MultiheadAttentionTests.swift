import ConvergeTestSupport
import XCTest
@testable import Converge

final class MultiheadAttentionTests: XCTestCase {
    func testSelfAttentionWithCausalAndKeyPaddingMasksMatchesPyTorch() {
        let mha = MultiheadAttention(embedDimension: 8, headCount: 2, batchFirst: true)
        assertModuleMatchesAttentionGolden("mha_causal_padding", mha) { x in
            mha(query: x["x"]!, key: x["x"]!, value: x["x"]!, keyPaddingMask: .blocked(x["key_padding_mask"]!),
                attentionMask: .blocked(x["attn_mask"]!))
        }
    }

    func testIsCausalBuildsTheSameMaskAsAnExplicitOne() {
        let mha = MultiheadAttention(embedDimension: 8, headCount: 2, batchFirst: true)
        try! mha.loadStateDict(AttentionGoldens.tensors("mha_causal_padding", "state"), keyStyle: .pytorch)
        let x = AttentionGoldens.tensor("mha_causal_padding", "inputs/x")
        let padding = AttentionMask.blocked(AttentionGoldens.tensor("mha_causal_padding", "inputs/key_padding_mask"))
        let y = mha(query: x, key: x, value: x, keyPaddingMask: padding, isCausal: true)
        XCTAssertNil(mismatch(y, AttentionGoldens.tensor("mha_causal_padding", "output")))
    }

    func testSequenceFirstCrossAttentionWithFloatMaskMatchesPyTorch() {
        let mha = MultiheadAttention(embedDimension: 8, headCount: 4)
        assertModuleMatchesAttentionGolden("mha_cross", mha) { x in
            mha(query: x["query"]!, key: x["key"]!, value: x["value"]!, attentionMask: .additive(x["attn_mask"]!))
        }
    }

    /// `need_weights=True`: the output and the weights (averaged over heads, PyTorch's default,
    /// or per head), compared concatenated as the golden stores them, with every gradient.
    func testNeedWeightsMatchesPyTorch() {
        for (name, average) in [("mha_need_weights", true), ("mha_need_weights_per_head", false)] {
            let mha = MultiheadAttention(embedDimension: 8, headCount: 2, batchFirst: true)
            assertModuleMatchesAttentionGolden(name, mha) { x in
                let (out, weights) = mha.attendWithWeights(query: x["x"]!, key: x["x"]!, value: x["x"]!,
                                                           keyPaddingMask: .blocked(x["key_padding_mask"]!),
                                                           attentionMask: .blocked(x["attn_mask"]!), averageOverHeads: average)
                XCTAssertEqual(weights.shape, average ? [3, 5, 5] : [3, 2, 5, 5])
                XCTAssertEqual(out.shape, [3, 5, 8])
                return Tensor.concatenate([out.reshaped([out.count]), weights.reshaped([weights.count])])
            }
        }
    }

    func testNeedWeightsOutputIsTheFusedOutputAndWeightsAreDistributions() {
        let g = RandomGenerator(seed: 8)
        let mha = MultiheadAttention(embedDimension: 8, headCount: 4, batchFirst: true, initGenerator: g)
        let x = Tensor.randomNormal([2, 6, 8], generator: g, requiresGrad: true)
        let (out, weights) = mha.attendWithWeights(query: x, key: x, value: x, isCausal: true)
        XCTAssertNil(mismatch(out, mha(query: x, key: x, value: x, isCausal: true)))
        let rows = weights.sum(alongAxis: -1).scalars
        for r in rows { XCTAssertEqual(r, 1, accuracy: 1e-5) }
        XCTAssertEqual(weights.scalars[1], 0)  // query 0 sees only key 0
        let check = gradientCheck([x, mha.inProjWeight]) { t in
            let (o, w) = mha.attendWithWeights(query: t[0], key: t[0], value: t[0], isCausal: true)
            return Tensor.concatenate([o.reshaped([o.count]), w.reshaped([w.count])])
        }
        XCTAssertTrue(check.passed, check.description)
    }

    func testGradientCheck() {
        let g = RandomGenerator(seed: 5)
        let mha = MultiheadAttention(embedDimension: 4, headCount: 2, batchFirst: true, initGenerator: g)
        let x = Tensor.randomNormal([2, 3, 4], generator: g, requiresGrad: true)
        let padding = AttentionMask.blocked(Tensor(shape: [2, 3], scalars: [0, 0, 1, 0, 0, 0]))
        let result = gradientCheck([x, mha.inProjWeight, mha.inProjBias!, mha.outProj.weight]) { t in
            mha(query: t[0], key: t[0], value: t[0], keyPaddingMask: padding, isCausal: true)
        }
        XCTAssertTrue(result.passed, result.description)
    }

    func testInitializationFollowsPyTorch() {
        let mha = MultiheadAttention(embedDimension: 16, headCount: 4, initGenerator: RandomGenerator(seed: 1))
        let bound = (6 / Float(16 + 48)).squareRoot()
        XCTAssertTrue(mha.inProjWeight.scalars.allSatisfy { abs($0) <= bound })
        XCTAssertGreaterThan(mha.inProjWeight.scalars.map { abs($0) }.max()!, 0.9 * bound)
        XCTAssertEqual(mha.inProjBias!.scalars, [Float](repeating: 0, count: 48))
        XCTAssertEqual(mha.outProj.bias!.scalars, [Float](repeating: 0, count: 16))
        XCTAssertEqual(mha.stateDict(keyStyle: .pytorch).map { $0.0 },
                       ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"])
    }
}
