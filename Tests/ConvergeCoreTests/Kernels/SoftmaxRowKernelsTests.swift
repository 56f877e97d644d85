import Foundation
import XCTest
@testable import ConvergeCore

/// The C softmax row kernels against a double-precision reference, with the causal triangle,
/// dropout scales and empty rows, at every vector level.
final class SoftmaxRowKernelsTests: XCTestCase {
    static func reference(_ row: [Float], log: Bool) -> [Double] {
        let m = Double(row.max()!)
        let s = row.reduce(0.0) { $0 + Foundation.exp(Double($1) - m) }
        return row.map { log ? (Double($0) - m) - Foundation.log(s) : Foundation.exp(Double($0) - m) / s }
    }

    func testForwardMatchesTheReferenceWithCausalRowsAndEmptyRows() {
        let rows = 21, columns = 37
        let generator = RandomGenerator(seed: 5)
        var x = Tensor.randomNormal([rows, columns], std: 4, generator: generator).scalars
        for j in 0..<columns { x[3 * columns + j] = -.infinity }   // an empty row
        VectorISATests.atEachLevel { level in
            for (mode, log) in [(Kernels.SoftmaxRowMode.softmax, false), (.logSoftmax, true)] {
                for causal in [false, true] {
                    for firstRow in causal ? [0, 5] : [0] {
                        var y = [Float](repeating: 9, count: x.count)
                        Kernels.softmaxRows(x, &y, rows: rows, columns: columns, mode: mode, causal: causal,
                                            firstRow: firstRow, emptyRowsGiveZero: true)
                        for r in 0..<rows {
                            let n = causal ? Swift.min(columns, firstRow + r + 1) : columns
                            let got = Array(y[(r * columns)..<(r * columns + columns)])
                            if r == 3 {
                                XCTAssertEqual(got, [Float](repeating: 0, count: columns), "\(level): empty row gives zeros")
                                continue
                            }
                            let want = Self.reference(Array(x[(r * columns)..<(r * columns + n)]), log: log)
                            for j in 0..<n {
                                XCTAssertEqual(Double(got[j]), want[j], accuracy: 2e-6 * Swift.max(1, Swift.abs(want[j])),
                                               "\(level) \(mode) causal \(causal) row \(r) column \(j)")
                            }
                            XCTAssertEqual(Array(got[n...]), [Float](repeating: 0, count: columns - n), "\(level): removed keys are 0")
                        }
                    }
                }
            }
            // PyTorch's convention: an all −∞ row is NaN.
            var y = [Float](repeating: 0, count: columns)
            Kernels.softmaxRows(Array(x[(3 * columns)..<(4 * columns)]), &y, rows: 1, columns: columns)
            XCTAssertTrue(y.allSatisfy(\.isNaN), "\(level)")
        }
    }

    func testBackwardMatchesTheReferenceWithAGradientScale() {
        let rows = 9, columns = 35
        let generator = RandomGenerator(seed: 6)
        let x = Tensor.randomNormal([rows, columns], generator: generator).scalars
        let g = Tensor.randomNormal([rows, columns], generator: generator).scalars
        let scale = (0..<(rows * columns)).map { Float($0 % 3 == 0 ? 0 : 1.25) }
        VectorISATests.atEachLevel { level in
            for causal in [false, true] {
                for (mode, log) in [(Kernels.SoftmaxRowMode.softmax, false), (.logSoftmax, true)] {
                    var y = [Float](repeating: 0, count: x.count), gx = y
                    Kernels.softmaxRows(x, &y, rows: rows, columns: columns, mode: mode, causal: causal)
                    Kernels.softmaxRowsBackward(output: y, gradient: g, gradientScale: scale, &gx, rows: rows, columns: columns,
                                                mode: mode, causal: causal)
                    for r in 0..<rows {
                        let n = causal ? Swift.min(columns, r + 1) : columns
                        let o = r * columns
                        let gh = (0..<n).map { Double(g[o + $0]) * Double(scale[o + $0]) }
                        let yd = (0..<n).map { Double(y[o + $0]) }
                        let dot = log ? gh.reduce(0, +) : zip(gh, yd).reduce(0) { $0 + $1.0 * $1.1 }
                        for j in 0..<columns {
                            let want = j >= n ? 0 : (log ? gh[j] - Foundation.exp(yd[j]) * dot : yd[j] * (gh[j] - dot))
                            XCTAssertEqual(Double(gx[o + j]), want, accuracy: 2e-6, "\(level) \(mode) causal \(causal) [\(r), \(j)]")
                        }
                    }
                }
            }
        }
    }

    func testTensorSoftmaxAndLogSoftmaxPassFiniteDifferenceChecks() {
        VectorISATests.atEachLevel { level in
            let x = Tensor.randomNormal([4, 19], generator: RandomGenerator(seed: 12), requiresGrad: true)
            let r1 = gradientCheck([x]) { t in t[0].softmax(alongAxis: -1) }
            XCTAssertTrue(r1.passed, "\(level) softmax: \(r1)")
            let r2 = gradientCheck([x]) { t in t[0].logSoftmax(alongAxis: -1) }
            XCTAssertTrue(r2.passed, "\(level) logSoftmax: \(r2)")
        }
    }
}
