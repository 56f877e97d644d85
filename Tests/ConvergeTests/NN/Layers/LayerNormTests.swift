import ConvergeTestSupport
import XCTest
@testable import Converge

final class LayerNormTests: XCTestCase {
    func testMatchesPyTorch() {
        assertMatchesGolden("layernorm", LayerNorm([4, 5]))
        assertMatchesGolden("layernorm_noaffine", LayerNorm(6, elementwiseAffine: false))
    }

    func testNormalizesEachSample() {
        Random.seed(1)
        let x = Tensor.randomNormal([3, 8], mean: 4, std: 2)
        let y = LayerNorm(8)(x).scalars
        for r in 0..<3 {
            let row = Array(y[(r * 8)..<(r * 8 + 8)])
            let mean = row.reduce(0, +) / 8
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 8
            XCTAssertEqual(mean, 0, accuracy: 1e-5)
            XCTAssertEqual(variance, 1, accuracy: 1e-3)
        }
        XCTAssertNil(LayerNorm(4, bias: false).bias)
    }

    func testGradientCheck() {
        Random.seed(2)
        let norm = LayerNorm([2, 3])
        norm.weight!.assign(Tensor.randomNormal([2, 3], mean: 1, std: 0.3))
        norm.bias!.assign(Tensor.randomNormal([2, 3], std: 0.3))
        let x = Tensor.randomNormal([4, 2, 3], requiresGrad: true)
        assertGradientsMatch(gradientCheck([x, norm.weight!, norm.bias!]) { t in norm(t[0]) })
        let plain = Tensor.randomNormal([3, 5], requiresGrad: true)
        assertGradientsMatch(gradientCheck([plain]) { t in t[0].layerNorm(normalizedShape: [5]) })
    }

    /// The portable and the vector C kernels both pass the finite-difference check.
    func testGradientCheckAtEveryVectorLevel() {
        let saved = Kernels.vectorISA
        defer { Kernels.setVectorISA(saved) }
        for level in VectorISA.allCases where level <= Kernels.supportedVectorISA {
            Kernels.setVectorISA(level)
            let g = RandomGenerator(seed: 3)
            let x = Tensor.randomNormal([3, 21], generator: g, requiresGrad: true)
            let weight = Tensor.randomNormal([21], mean: 1, std: 0.3, generator: g, requiresGrad: true)
            let bias = Tensor.randomNormal([21], generator: g, requiresGrad: true)
            let r = gradientCheck([x, weight, bias]) { t in t[0].layerNorm(normalizedShape: [21], weight: t[1], bias: t[2]) }
            XCTAssertTrue(r.passed, "\(level): \(r)")
        }
    }

    /// Inputs large enough to split across workers give the gradients one worker gives (the
    /// weight and bias gradients are per-worker partial sums added up after).
    func testGradientsDoNotDependOnTheWorkerCount() {
        let g = RandomGenerator(seed: 7)
        let x = Tensor.randomNormal([4100, 256], generator: g, requiresGrad: true)
        let weight = Tensor.randomNormal([256], mean: 1, std: 0.2, generator: g, requiresGrad: true)
        let bias = Tensor.randomNormal([256], generator: g, requiresGrad: true)
        let upstream = Tensor.randomNormal([4100, 256], generator: g)
        func gradients(threads: Int) -> [[Float]] {
            let saved = Parallel.threadCount
            Parallel.threadCount = threads
            defer { Parallel.threadCount = saved }
            for t in [x, weight, bias] { t.grad = nil }
            x.layerNorm(normalizedShape: [256], weight: weight, bias: bias).backward(upstream)
            return [x.grad!.scalars, weight.grad!.scalars, bias.grad!.scalars]
        }
        let one = gradients(threads: 1), two = gradients(threads: 2)
        for (a, b) in zip(one, two) { XCTAssertNil(mismatch(a, b, rtol: 1e-5, atol: 1e-4)) }
        XCTAssertGreaterThan(one[2].map { abs($0) }.max()!, 1)
    }
}
