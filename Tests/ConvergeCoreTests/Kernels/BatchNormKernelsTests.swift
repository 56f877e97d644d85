import XCTest
@testable import ConvergeCore

/// The fused BatchNorm + ReLU + Dropout passes (`cv_batchnorm.c`) against scalar Swift references
/// of the documented arithmetic, at every vector level, in float32 and bfloat16 storage.
final class BatchNormKernelsTests: XCTestCase {
    private let shapes = [(1, 1), (3, 5), (4, 16), (9, 17), (6, 40), (13, 300)]

    private func values(_ count: Int, seed: UInt64) -> [Float] {
        let generator = RandomGenerator(seed: seed)
        return (0..<count).map { _ in (generator.nextUniform() - 0.4) * 6 }
    }

    private func storage(_ values: [Float], bfloat16: Bool) -> TensorStorage {
        let s = TensorStorage(uninitializedCount: values.count, elementType: bfloat16 ? .bfloat16 : .float32)
        if let bits = s.bfloat16Bits {
            for (i, v) in values.enumerated() { bits[i] = Kernels.bfloat16Bits(v) }
        } else {
            s.pointer.update(from: values, count: values.count)
        }
        return s
    }

    private func read(_ s: TensorStorage, _ i: Int) -> Float {
        if let bits = s.bfloat16Bits { return Kernels.float(bfloat16Bits: bits[i]) }
        return s.pointer[i]
    }

    private func contents(_ s: TensorStorage, _ count: Int) -> [Float] { (0..<count).map { read(s, $0) } }

    func testMomentsFollowTheShiftedSumsAtEveryLevel() {
        for bfloat16 in [false, true] {
            for (n, c) in shapes {
                let x = storage(values(n * c, seed: UInt64(n * 100 + c)), bfloat16: bfloat16)
                // The documented arithmetic, written out.
                var mean = [Double](), variance = [Double]()
                for j in 0..<c {
                    let k = Double(read(x, j))
                    var s = 0.0, q = 0.0, r = 0
                    while r + 4 <= n {
                        let d = (0..<4).map { Double(read(x, (r + $0) * c + j)) - k }
                        s += (d[0] + d[1]) + (d[2] + d[3])
                        q += (d[0] * d[0] + d[1] * d[1]) + (d[2] * d[2] + d[3] * d[3])
                        r += 4
                    }
                    while r < n { let d = Double(read(x, r * c + j)) - k; s += d; q += d * d; r += 1 }
                    let centered = s / Double(n)
                    mean.append(k + centered)
                    variance.append(max(q / Double(n) - centered * centered, 0))
                }
                VectorISATests.atEachLevel { level in
                    for threshold in [Int.max, 1] {   // one core, and split over channel blocks
                        let result = BatchNormKernels.moments(x, n: n, c: c, parallelThreshold: threshold)
                        XCTAssertEqual(result.mean, mean, "\(level) bf16 \(bfloat16) (\(n), \(c))")
                        XCTAssertEqual(result.variance, variance, "\(level) bf16 \(bfloat16) (\(n), \(c))")
                    }
                }
            }
        }
    }

    func testForwardIsNormalizeReLUDropoutToTheBit() {
        let mask = DropoutMask(keep: 0.7, key: 1234)
        for bfloat16 in [false, true] {
            for (n, c) in shapes {
                let raw = values(n * c, seed: UInt64(7 + c))
                let x = storage(raw, bfloat16: bfloat16)
                let alpha = values(c, seed: 1).map { $0 * 0.5 }, beta = values(c, seed: 2)
                for (relu, dropout) in [(true, mask), (true, nil), (false, nil)] as [(Bool, DropoutMask?)] {
                    let scale: Float = dropout == nil ? 1 : mask.scale
                    let expected: [Float] = (0..<(n * c)).map { i in
                        var v = read(x, i) * alpha[i % c] + beta[i % c]
                        if bfloat16 { v = Kernels.float(bfloat16Bits: Kernels.bfloat16Bits(v)) }
                        if relu { v = Swift.max(v, 0) }
                        let factor: Float = dropout.map { $0.isKept(i) ? $0.scale : 0 } ?? scale
                        let product = v * factor
                        return bfloat16 ? Kernels.float(bfloat16Bits: Kernels.bfloat16Bits(product)) : product
                    }
                    VectorISATests.atEachLevel { level in
                        for threshold in [Int.max, 1] {
                            let y = TensorStorage(uninitializedCount: n * c, elementType: bfloat16 ? .bfloat16 : .float32)
                            BatchNormKernels.forward(x, into: y, n: n, c: c, alpha: alpha, beta: beta, relu: relu,
                                                     mask: dropout, scale: scale, parallelThreshold: threshold)
                            XCTAssertEqual(contents(y, n * c), expected,
                                           "\(level) bf16 \(bfloat16) relu \(relu) dropout \(dropout != nil) (\(n), \(c))")
                        }
                    }
                }
            }
        }
    }

    func testBackwardPassesFollowTheMaskedGradientAtEveryLevel() {
        for (gb, xb) in [(false, false), (true, true), (false, true)] {
            for (n, c) in shapes {
                let g = storage(values(n * c, seed: 11), bfloat16: gb)
                let x = storage(values(n * c, seed: 12), bfloat16: xb)
                // The forward output as mask: zero at about a third of the elements.
                let y = storage(values(n * c, seed: 13).map { $0 < -0.5 ? 0 : $0 }, bfloat16: xb)
                let mean = values(c, seed: 14).map { $0 * 0.1 }
                let scale: Float = 1 / 0.7
                for output in [y, nil] as [TensorStorage?] {
                    func gp(_ i: Int) -> Float {
                        guard let output else { return read(g, i) }
                        return read(g, i) * (read(output, i) != 0 ? scale : 0)
                    }
                    var sums = [Double](repeating: 0, count: c), dots = [Double](repeating: 0, count: c)
                    for j in 0..<c {
                        var r = 0
                        while r + 4 <= n {
                            let a = (0..<4).map { gp((r + $0) * c + j) }
                            let e = (0..<4).map { read(x, (r + $0) * c + j) - mean[j] }
                            sums[j] += Double((a[0] + a[1]) + (a[2] + a[3]))
                            dots[j] += Double((a[0] * e[0] + a[1] * e[1]) + (a[2] * e[2] + a[3] * e[3]))
                            r += 4
                        }
                        while r < n {
                            let a = Double(gp(r * c + j))
                            sums[j] += a
                            dots[j] += a * (Double(read(x, r * c + j)) - Double(mean[j]))
                            r += 1
                        }
                    }
                    let shift = values(c, seed: 15), slope = values(c, seed: 16), gain = values(c, seed: 17)
                    let expected: [Float] = (0..<(n * c)).map { i in
                        let j = i % c
                        let v = ((gp(i) - shift[j]) - (read(x, i) - mean[j]) * slope[j]) * gain[j]
                        return xb ? Kernels.float(bfloat16Bits: Kernels.bfloat16Bits(v)) : v
                    }
                    VectorISATests.atEachLevel { level in
                        for threshold in [Int.max, 1] {
                            let what = "\(level) g bf16 \(gb) x bf16 \(xb) mask \(output != nil) (\(n), \(c))"
                            let result = BatchNormKernels.gradientSums(g, x, output: output, n: n, c: c, mean: mean,
                                                                       scale: output == nil ? 1 : scale, parallelThreshold: threshold)
                            XCTAssertEqual(result.sums, sums, what)
                            XCTAssertEqual(result.dots, dots, what)
                            let dx = TensorStorage(uninitializedCount: n * c, elementType: xb ? .bfloat16 : .float32)
                            BatchNormKernels.inputGradient(g, x, output: output, into: dx, n: n, c: c, mean: mean, shift: shift,
                                                           slope: slope, gain: gain, scale: output == nil ? 1 : scale,
                                                           parallelThreshold: threshold)
                            XCTAssertEqual(contents(dx, n * c), expected, what)
                        }
                    }
                }
            }
        }
    }

    func testNaNPassesReLUAndTheMask() {
        let x = storage([.nan, -1, 2, .nan], bfloat16: false)
        VectorISATests.atEachLevel { level in
            let y = TensorStorage(uninitializedCount: 4, elementType: .float32)
            BatchNormKernels.forward(x, into: y, n: 2, c: 2, alpha: [1, 1], beta: [0, 0], relu: true, mask: nil,
                                     scale: 1, parallelThreshold: .max)
            let out = contents(y, 4)
            XCTAssertTrue(out[0].isNaN && out[3].isNaN, "\(level): a NaN is not hidden by the ReLU")
            XCTAssertEqual(out[1], 0)
            XCTAssertEqual(out[2], 2)
        }
    }
}
