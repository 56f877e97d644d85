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
