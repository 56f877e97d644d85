import XCTest
@testable import ConvergeCore

/// The C Adam/AdamW kernel (`cv_adam_update`) against a scalar Swift transcription of PyTorch's
/// float32 update, at every vector level the processor supports, for every flag combination.
final class AdamUpdateTests: XCTestCase {
    /// The scalar reference: one float32 operation at a time, in PyTorch's order.
    private static func reference(_ x: inout [Float], _ g: inout [Float], _ m: inout [Float], _ v: inout [Float],
                                  _ vMax: inout [Float], _ u: AdamUpdate) {
        for i in x.indices {
            var xi = x[i], gi = g[i]
            if u.scalesGradient { gi = gi * u.gradientScale; g[i] = gi }
            if u.coupledDecay { gi = gi + xi * u.weightDecay }
            if u.decoupledDecay { xi = xi * u.decayFactor }
            let mOld = m[i]
            let w1 = u.w1
            let mNew = u.smallWeight ? mOld + w1 * (gi - mOld) : gi - (gi - mOld) * (1 - w1)
            m[i] = mNew
            let t = u.oneMinusBeta2 * gi
            let vNew = v[i] * u.beta2 + t * gi
            v[i] = vNew
            var second = vNew
            if u.amsgrad {
                second = (vNew > vMax[i] || vNew.isNaN) ? vNew : vMax[i]
                vMax[i] = second
            }
            let denominator = second.squareRoot() / u.correction2Root + u.eps
            let step = u.negativeStepSize * mNew
            x[i] = xi + step / denominator
        }
    }

    private static func values(_ count: Int, seed: UInt64, scale: Float, positive: Bool = false) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let u = Float(state >> 40) / Float(1 << 24)
            return positive ? u * scale : (u - 0.5) * 2 * scale
        }
    }

    func testMatchesTheScalarReferenceBitForBitAtEveryLevelAndFlagCombination() {
        for count in [1, 15, 16, 17, 40, 1000] {
            for flags in 0..<32 {
                let coupled = flags & 1 != 0, decoupled = flags & 2 != 0, amsgrad = flags & 4 != 0
                let scales = flags & 8 != 0, small = flags & 16 != 0
                var x0 = Self.values(count, seed: 1, scale: 1), g0 = Self.values(count, seed: 2, scale: 0.1)
                var m0 = Self.values(count, seed: 3, scale: 0.05), v0 = Self.values(count, seed: 4, scale: 0.01, positive: true)
                let vMax0 = Self.values(count, seed: 5, scale: 0.01, positive: true)
                if count > 3 { v0[2] = .nan; g0[3] = .infinity }   // NaN and ∞ take the same path everywhere
                var expected: (x: [Float], g: [Float], m: [Float], v: [Float], vMax: [Float])?
                VectorISATests.atEachLevel { level in
                    var x = x0, g = g0, m = m0, v = v0, vMax = vMax0
                    var bits = [UInt16](repeating: 0xAAAA, count: count + 1)
                    x.withUnsafeMutableBufferPointer { px in g.withUnsafeMutableBufferPointer { pg in
                    m.withUnsafeMutableBufferPointer { pm in v.withUnsafeMutableBufferPointer { pv in
                    vMax.withUnsafeMutableBufferPointer { pvm in bits.withUnsafeMutableBufferPointer { pb in
                        var u = AdamUpdate(theta: px.baseAddress!, grad: pg.baseAddress!, m: pm.baseAddress!, v: pv.baseAddress!,
                                           vMax: pvm.baseAddress!, bfloat16Weights: pb.baseAddress!,
                                           weightDecay: 0.01, decayFactor: 0.99999, w1: small ? 0.1 : 0.7, beta2: 0.999,
                                           oneMinusBeta2: 0.001, correction2Root: 0.0447, eps: 1e-8, negativeStepSize: -0.0107,
                                           coupledDecay: coupled, decoupledDecay: decoupled, smallWeight: small, amsgrad: amsgrad)
                        u.scalesGradient = scales
                        u.gradientScale = 0.37
                        u.run(count: count)
                    } } } } } }
                    var rx = x0, rg = g0, rm = m0, rv = v0, rvMax = vMax0
                    Self.reference(&rx, &rg, &rm, &rv, &rvMax, AdamUpdate(
                        theta: UnsafeMutablePointer(bitPattern: 8)!, grad: UnsafeMutablePointer(bitPattern: 8)!,
                        m: UnsafeMutablePointer(bitPattern: 8)!, v: UnsafeMutablePointer(bitPattern: 8)!,
                        vMax: UnsafeMutablePointer(bitPattern: 8)!, weightDecay: 0.01, decayFactor: 0.99999,
                        w1: small ? 0.1 : 0.7, beta2: 0.999, oneMinusBeta2: 0.001, correction2Root: 0.0447, eps: 1e-8,
                        negativeStepSize: -0.0107, coupledDecay: coupled, decoupledDecay: decoupled, smallWeight: small,
                        amsgrad: amsgrad).with(scales: scales, 0.37))
                    let label = "\(level) count \(count) flags \(flags)"
                    XCTAssertEqual(x.map(\.bitPattern), rx.map(\.bitPattern), "θ \(label)")
                    XCTAssertEqual(g.map(\.bitPattern), rg.map(\.bitPattern), "g \(label)")
                    XCTAssertEqual(m.map(\.bitPattern), rm.map(\.bitPattern), "m \(label)")
                    XCTAssertEqual(v.map(\.bitPattern), rv.map(\.bitPattern), "v \(label)")
                    if amsgrad { XCTAssertEqual(vMax.map(\.bitPattern), rvMax.map(\.bitPattern), "v̂ \(label)") }
                    XCTAssertEqual(Array(bits.prefix(count)), x.map(Kernels.bfloat16Bits), "bf16 copy \(label)")
                    XCTAssertEqual(bits[count], 0xAAAA, "wrote past the end \(label)")
                    if let expected {
                        XCTAssertEqual(x.map(\.bitPattern), expected.x.map(\.bitPattern), "levels differ \(label)")
                    } else {
                        expected = (x, g, m, v, vMax)
                    }
                }
            }
        }
    }

    func testABlockUpdatesOnlyItsElements() {
        var x = [Float](repeating: 1, count: 64), g = [Float](repeating: 0.5, count: 64)
        var m = [Float](repeating: 0, count: 64), v = [Float](repeating: 0, count: 64)
        VectorISATests.atEachLevel { level in
            for i in 0..<64 { x[i] = 1; m[i] = 0; v[i] = 0 }
            x.withUnsafeMutableBufferPointer { px in g.withUnsafeMutableBufferPointer { pg in
            m.withUnsafeMutableBufferPointer { pm in v.withUnsafeMutableBufferPointer { pv in
                AdamUpdate(theta: px.baseAddress!, grad: pg.baseAddress!, m: pm.baseAddress!, v: pv.baseAddress!,
                           vMax: pv.baseAddress!, weightDecay: 0, decayFactor: 1, w1: 0.1, beta2: 0.999, oneMinusBeta2: 0.001,
                           correction2Root: 0.0316, eps: 1e-8, negativeStepSize: -0.01, coupledDecay: false,
                           decoupledDecay: false, smallWeight: true, amsgrad: false).run(from: 8, to: 27)
            } } } }
            XCTAssertTrue(x[0..<8].allSatisfy { $0 == 1 } && x[27...].allSatisfy { $0 == 1 }, "\(level)")
            XCTAssertTrue(x[8..<27].allSatisfy { $0 < 1 }, "\(level)")
        }
    }

    func testLaneSumsOfSquaresAreTheDoubleSumsOfEachLaneInOrder() {
        let x = Self.values(203, seed: 9, scale: 3)
        var expected = SIMD8<Double>(repeating: 0)
        var i = 8
        while i + 8 <= 203 {
            for j in 0..<8 { expected[j] += Double(x[i + j]) * Double(x[i + j]) }
            i += 8
        }
        VectorISATests.atEachLevel { level in
            let sums = x.withUnsafeBufferPointer { Kernels.laneSumsOfSquares($0.baseAddress!, from: 8, to: 203) }
            for j in 0..<8 { XCTAssertEqual(sums[j].bitPattern, expected[j].bitPattern, "\(level) lane \(j)") }
        }
    }
}

private extension AdamUpdate {
    func with(scales: Bool, _ scale: Float) -> AdamUpdate {
        var copy = self
        copy.scalesGradient = scales
        copy.gradientScale = scale
        return copy
    }
}
