import ConvergeTestSupport
import XCTest
@testable import Converge

final class TransformerEncoderLayerTests: XCTestCase {
    private func assertGolden(_ name: String, normFirst: Bool, activation: Activation) {
        let layer = TransformerEncoderLayer(modelDimension: 8, headCount: 2, feedForwardDimension: 16, dropout: 0,
                                            activation: activation, batchFirst: true, normFirst: normFirst)
        assertModuleMatchesAttentionGolden(name, layer) { x in
            layer(x["x"]!, mask: .blocked(x["attn_mask"]!), keyPaddingMask: .blocked(x["key_padding_mask"]!))
        }
    }

    func testPostLNMatchesPyTorch() { assertGolden("encoder_post_ln", normFirst: false, activation: .relu) }

    func testPreLNMatchesPyTorch() { assertGolden("encoder_pre_ln", normFirst: true, activation: .gelu(.none)) }

    func testGradientCheckBothOrders() {
        for normFirst in [false, true] {
            let g = RandomGenerator(seed: 9)
            let layer = TransformerEncoderLayer(modelDimension: 4, headCount: 2, feedForwardDimension: 6, dropout: 0,
                                                activation: .gelu(.none), batchFirst: true, normFirst: normFirst,
                                                isCausal: true, initGenerator: g)
            let x = Tensor.randomNormal([2, 3, 4], generator: g, requiresGrad: true)
            let result = gradientCheck([x, layer.linear1.weight, layer.selfAttn.inProjWeight, layer.norm1.weight!]) { t in
                layer(t[0])
            }
            XCTAssertTrue(result.passed, "normFirst \(normFirst): \(result)")
        }
    }

    func testCausalLayerIgnoresTheFuture() {
        let g = RandomGenerator(seed: 2)
        let layer = TransformerEncoderLayer(modelDimension: 4, headCount: 1, feedForwardDimension: 8, dropout: 0,
                                            batchFirst: true, normFirst: true, isCausal: true, initGenerator: g)
        let x = Tensor.randomNormal([1, 4, 4], generator: g)
        let changed = x.copy()
        changed.withUnsafeMutableBufferPointer { p in for i in 12..<16 { p[i] += 5 } }
        let a = layer(x).scalars, b = layer(changed).scalars
        XCTAssertEqual(Array(a.prefix(12)), Array(b.prefix(12)))
        XCTAssertNotEqual(Array(a.suffix(4)), Array(b.suffix(4)))
    }
}
