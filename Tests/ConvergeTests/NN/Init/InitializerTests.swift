import XCTest
@testable import Converge

final class InitializerTests: XCTestCase {
    func testConstants() {
        let t = Tensor.randomNormal([3, 4])
        XCTAssertEqual(t.initialize(.constant(2.5)).scalars, [Float](repeating: 2.5, count: 12))
        XCTAssertEqual(t.initialize(.zeros).scalars, [Float](repeating: 0, count: 12))
        XCTAssertEqual(t.initialize(.ones).scalars, [Float](repeating: 1, count: 12))
    }

    func testNormalAndUniformMoments() {
        let g = RandomGenerator(seed: 1)
        let t = Tensor.zeros([200, 500])
        assertNormalMoments(t.initialize(.normal(mean: 2, std: 0.5), generator: g).scalars, mean: 2, std: 0.5, "normal")
        assertUniformMoments(t.initialize(.uniform(low: -1, high: 3), generator: g).scalars, low: -1, high: 3, "uniform")
    }

    func testXavierMoments() {
        let g = RandomGenerator(seed: 2)
        let linear = Tensor.zeros([300, 500])
        let gain = 2.0
        let bound = gain * (6.0 / 800).squareRoot()
        assertUniformMoments(linear.initialize(.xavierUniform(gain: Float(gain)), generator: g).scalars,
                             low: -bound, high: bound, "xavierUniform")
        // A conv kernel [64, 32, 3, 3]: fanIn 288, fanOut 576.
        let conv = Tensor.zeros([64, 32, 3, 3])
        assertNormalMoments(conv.initialize(.xavierNormal(), generator: g).scalars, std: (2.0 / 864).squareRoot(), "xavierNormal")
    }

    func testKaimingMoments() {
        let g = RandomGenerator(seed: 3)
        let w = Tensor.zeros([400, 250])
        // Default: leaky ReLU with slope 0, i.e. gain √2, fan-in 250.
        let bound = (3.0).squareRoot() * (2.0).squareRoot() / (250.0).squareRoot()
        assertUniformMoments(w.initialize(.kaimingUniform(), generator: g).scalars, low: -bound, high: bound, "kaimingUniform")
        // ReLU, fan-out 400.
        assertNormalMoments(w.initialize(.kaimingNormal(mode: .fanOut, nonlinearity: .relu), generator: g).scalars,
                            std: (2.0 / 400).squareRoot(), "kaimingNormal fanOut")
        // a = √5, nn.Linear's default: bound 1/√fanIn.
        let linearBound = 1 / (250.0).squareRoot()
        assertUniformMoments(w.initialize(.kaimingUniform(a: Float(5).squareRoot()), generator: g).scalars,
                             low: -linearBound, high: linearBound, "kaimingUniform a=√5")
        // Conv kernel [32, 16, 3, 3], tanh, fan-in 144.
        let conv = Tensor.zeros([32, 16, 3, 3])
        assertNormalMoments(conv.initialize(.kaimingNormal(nonlinearity: .tanh), generator: g).scalars,
                            std: 5.0 / 3 / (144.0).squareRoot(), "kaimingNormal conv tanh")
    }

    func testTruncatedNormalStaysInBoundsWithTruncatedMoments() {
        let g = RandomGenerator(seed: 4)
        let values = Tensor.zeros([100_000]).initialize(.truncatedNormal(mean: 1, std: 2, low: -1, high: 3), generator: g).scalars
        XCTAssertGreaterThanOrEqual(values.min()!, -1)
        XCTAssertLessThanOrEqual(values.max()!, 3)
        // N(1, 4) truncated to ±1σ: variance σ²·(1 − 2·φ(1)/(Φ(1) − Φ(−1))).
        let phi = exp(-0.5) / (2 * Double.pi).squareRoot()
        let mass = erf(1 / 2.0.squareRoot())
        let variance = 4 * (1 - 2 * phi / mass)
        // Fourth central moment of the standard normal truncated to [−1, 1]: 3 − (2 + 6)·φ(1)/mass… computed numerically.
        var m4 = 0.0, total = 0.0
        let steps = 20_000
        for i in 0..<steps {
            let z = -1 + 2 * (Double(i) + 0.5) / Double(steps)
            let density = exp(-0.5 * z * z)
            m4 += z * z * z * z * density
            total += density
        }
        assertMoments(values, mean: 1, variance: variance, fourthCentralMoment: 16 * m4 / total, "truncatedNormal")
    }

    func testInverseErf() {
        for y in stride(from: -0.999, through: 0.999, by: 0.0737) {
            XCTAssertEqual(erf(inverseErf(y)), y, accuracy: 1e-12)
        }
    }

    func testDefaultGeneratorIsSeeded() {
        Random.seed(9)
        let a = Tensor.zeros([5, 5]).initialize(.xavierNormal()).scalars
        Random.seed(9)
        let b = Tensor.zeros([5, 5]).initialize(.xavierNormal()).scalars
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, Tensor.zeros([5, 5]).initialize(.xavierNormal()).scalars)
    }

    func testInitializingAParameterKeepsItTrainable() {
        let w = Tensor.zeros([3, 3], requiresGrad: true)
        w.initialize(.orthogonal())
        XCTAssertTrue(w.requiresGrad)
        XCTAssertTrue(w.isLeaf)
    }

    func testModuleInitializeParameters() {
        Random.seed(10)
        let model = Sequential { Linear(4, 6); Linear(6, 2) }
        let filled = model.initializeParameters(.zeros) { name, _ in name.hasSuffix("bias") }
        XCTAssertEqual(filled, ["0.bias", "1.bias"])
        XCTAssertEqual(model.namedParameters()[1].1.scalars, [Float](repeating: 0, count: 6))
        XCTAssertNotEqual(model.namedParameters()[0].1.scalars, [Float](repeating: 0, count: 24))
    }
}
