import XCTest
@testable import ConvergeCore

/// The bfloat16 Linear passes (`cv_linear_bf16.c`) against the scalar Swift rules they replace,
/// at every vector level, with awkward values (NaN, ±0, ∞, rounding ties) and ragged shapes.
final class BFloat16LinearPassesTests: XCTestCase {
    private static func values(_ count: Int, seed: Int) -> [Float] {
        let awkward = VectorISATests.awkwardFloats
        return (0..<count).map { i in
            i % 5 == 0 ? awkward[(i * 7 + seed) % awkward.count] : Float((i * 37 + seed * 11) % 101) / 17 - 3
        }
    }

    func testBiasActivationMatchesSwiftMaxAndRoundingAtEveryLevel() {
        for (rows, columns) in [(1, 1), (3, 17), (5, 16), (4, 70), (2, 129)] {
            let c = Self.values(rows * columns, seed: 1), bias = Self.values(columns, seed: 2)
            for relu in [false, true] {
                for useBias in [false, true] {
                    let expected: [UInt16] = (0..<rows * columns).map { i in
                        let z = useBias ? c[i] + bias[i % columns] : c[i]
                        return Kernels.bfloat16Bits(relu ? Swift.max(z, 0) : z)
                    }
                    VectorISATests.atEachLevel { level in
                        var out = [UInt16](repeating: 0xAAAA, count: rows * columns + 1)
                        bias.withUnsafeBufferPointer { b in
                            Kernels.biasActivationToBFloat16(c, bias: useBias ? b.baseAddress! : nil, rows: rows, columns: columns,
                                                             relu: relu, into: &out)
                        }
                        XCTAssertEqual(Array(out.prefix(rows * columns)), expected, "\(level) \(rows)×\(columns) relu \(relu) bias \(useBias)")
                        XCTAssertEqual(out.last, 0xAAAA, "\(level) wrote past the block")
                    }
                }
            }
        }
        // −0 becomes +0 through ReLU, as Swift's max(−0, 0) gives.
        var out: [UInt16] = [7]
        Kernels.biasActivationToBFloat16([-0.0], bias: nil, rows: 1, columns: 1, relu: true, into: &out)
        XCTAssertEqual(out, [0])
    }

    func testReLUBackwardMatchesTheMaskedGradientRoundedAtEveryLevel() {
        for count in [1, 15, 16, 33, 300] {
            let g = Self.values(count, seed: 3), y = Self.values(count, seed: 4).map { Float(bitPattern: Kernels.bfloat16Bits($0) == 0 ? 0 : UInt32(Kernels.bfloat16Bits($0)) << 16) }
            let g16 = g.map(Kernels.bfloat16Bits), y16 = y.map(Kernels.bfloat16Bits)
            let expected32 = (0..<count).map { Kernels.bfloat16Bits(y[$0] > 0 ? g[$0] : 0) }
            let expected16 = (0..<count).map { Kernels.bfloat16Bits(y[$0] > 0 ? Kernels.float(bfloat16Bits: g16[$0]) : 0) }
            VectorISATests.atEachLevel { level in
                for (gIs16, yIs16) in [(false, false), (false, true), (true, true), (true, false)] {
                    var out = [UInt16](repeating: 0xAAAA, count: count + 1)
                    g.withUnsafeBufferPointer { pg in g16.withUnsafeBufferPointer { pg16 in
                    y.withUnsafeBufferPointer { py in y16.withUnsafeBufferPointer { py16 in
                        Kernels.reluBackwardToBFloat16(gradient: gIs16 ? .bfloat16(pg16.baseAddress!) : .float32(pg.baseAddress!),
                                                       output: yIs16 ? .bfloat16(py16.baseAddress!) : .float32(py.baseAddress!),
                                                       into: &out, count: count)
                    } } } }
                    XCTAssertEqual(Array(out.prefix(count)), gIs16 ? expected16 : expected32, "\(level) count \(count) g16 \(gIs16) y16 \(yIs16)")
                    XCTAssertEqual(out.last, 0xAAAA, "\(level) wrote past the end")
                }
            }
        }
    }

    func testColumnSumsAddTheRowsInOrderAtEveryLevel() {
        for (rows, columns) in [(1, 1), (7, 15), (33, 64), (5, 200), (64, 70)] {
            let x = Self.values(rows * columns, seed: 5).map(Kernels.bfloat16Bits)
            var expected = [Float](repeating: 0, count: columns)
            for i in 0..<rows { for j in 0..<columns { expected[j] += Kernels.float(bfloat16Bits: x[i * columns + j]) } }
            VectorISATests.atEachLevel { level in
                var out = [Float](repeating: 9, count: columns + 1)
                Kernels.columnSums(bfloat16: x, rows: rows, columns: columns, into: &out)
                // Bits, except that which NaN a sum of two NaNs keeps is the compiler's choice of operand order.
                let bits: ([Float]) -> [UInt32] = { $0.map { $0.isNaN ? 0x7FC0_0000 : $0.bitPattern } }
                XCTAssertEqual(bits(Array(out.prefix(columns))), bits(expected), "\(level) \(rows)×\(columns)")
                XCTAssertEqual(out.last, 9, "\(level) wrote past the end")
            }
        }
    }
}
