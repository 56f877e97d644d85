import ConvergeTestSupport
import XCTest
@testable import Converge

final class PackedSelfAttentionTests: XCTestCase {
    /// The packed kernel computes what splitting the heads, attending and merging computes, and
    /// its gradient is the three heads' gradients scattered back.
    func testMatchesSplitAttendMerge() {
        let g = RandomGenerator(seed: 11)
        let (B, T, H, E) = (2, 5, 2, 6)
        let packed = Tensor.randomNormal([B, T, 3 * E], generator: g, requiresGrad: true)
        let padding = Tensor(shape: [B, 1, 1, T], scalars: [0, 0, 0, -.infinity, 0, 0, 0, 0, 0, -.infinity])
        let gradOut = Tensor.randomNormal([B, T, E], generator: g)

        let fused = Tensor.packedSelfAttention(packed, heads: H, masks: [padding], isCausal: true, dropout: 0, generator: g)
        fused.backward(gradOut)
        let fusedGrad = packed.grad!
        packed.grad = nil

        let q = packed.splitHeads(part: 0, of: 3, heads: H), k = packed.splitHeads(part: 1, of: 3, heads: H)
        let v = packed.splitHeads(part: 2, of: 3, heads: H)
        let reference = Tensor.attentionKernel(query: q, key: k, value: v, masks: [padding], isCausal: true, dropout: 0,
                                               scale: nil, generator: g).mergeHeads()
        reference.backward(gradOut)
        XCTAssertEqual(fused.shape, [B, T, E])
        XCTAssertNil(mismatch(fused, reference))
        XCTAssertNil(mismatch(fusedGrad, packed.grad!))
    }

    func testGradientCheckWithDropoutAndMasks() {
        let g = RandomGenerator(seed: 4)
        let packed = Tensor.randomNormal([2, 4, 12], generator: g, requiresGrad: true)
        let bias = Tensor.randomNormal([4, 4], generator: g, requiresGrad: true)
        let result = gradientCheck([packed, bias]) { x in
            Tensor.packedSelfAttention(x[0], heads: 2, masks: [x[1]], isCausal: true, dropout: 0.3,
                                       generator: RandomGenerator(seed: 9))
        }
        XCTAssertTrue(result.passed, result.description)
    }

    /// Dropout masks are drawn per head from one seed, so the result does not depend on how
    /// many threads share the heads, and a different seed drops differently.
    func testDropoutDoesNotDependOnThreadCount() {
        let g = RandomGenerator(seed: 2)
        let packed = Tensor.randomNormal([3, 8, 24], generator: g)
        func run(threads: Int, seed: UInt64) -> Tensor {
            let saved = Parallel.threadCount
            Parallel.threadCount = threads
            defer { Parallel.threadCount = saved }
            return Tensor.packedSelfAttention(packed, heads: 4, masks: [], isCausal: true, dropout: 0.5,
                                              generator: RandomGenerator(seed: seed))
        }
        let one = run(threads: 1, seed: 1), two = run(threads: 2, seed: 1)
        XCTAssertEqual(one.scalars, two.scalars)
        XCTAssertNotEqual(one.scalars, run(threads: 2, seed: 2).scalars)
    }

    /// Under bfloat16 autocast the operands rounded once (the bfloat16 path) give what rounding
    /// them inside every product gives, forward and backward, with dropout and a causal mask.
    func testBFloat16OperandsRoundedOnceMatchRoundingInEveryProduct() throws {
        guard Kernels.hasNativeBFloat16GEMM else { throw XCTSkip("no native bfloat16 GEMM here") }
        let g = RandomGenerator(seed: 21)
        let packed = Tensor.randomNormal([2, 16, 3 * 32], generator: g, requiresGrad: true)
        let gradOut = Tensor.randomNormal([2, 16, 32], generator: g)
        func run(once: Bool) -> (Tensor, Tensor) {
            let saved = AttentionCore.roundsOperandsOnce
            AttentionCore.roundsOperandsOnce = once
            defer { AttentionCore.roundsOperandsOnce = saved }
            packed.grad = nil
            let out = Kernels.withGEMMPrecision(.bfloat16) {
                Tensor.packedSelfAttention(packed, heads: 4, masks: [], isCausal: true, dropout: 0.2,
                                           generator: RandomGenerator(seed: 3))
            }
            Kernels.withGEMMPrecision(.bfloat16) { out.backward(gradOut) }
            return (out, packed.grad!)
        }
        let (once, onceGrad) = run(once: true), (each, eachGrad) = run(once: false)
        XCTAssertNil(mismatch(once, each, rtol: 1e-5, atol: 1e-6))
        XCTAssertNil(mismatch(onceGrad, eachGrad, rtol: 1e-5, atol: 1e-6))
        // And bfloat16 really ran: the float32 result differs by more than that.
        let exact = Tensor.packedSelfAttention(packed, heads: 4, masks: [], isCausal: true, dropout: 0.2,
                                               generator: RandomGenerator(seed: 3))
        XCTAssertNotNil(mismatch(once, exact, rtol: 1e-5, atol: 1e-6))
    }
}
