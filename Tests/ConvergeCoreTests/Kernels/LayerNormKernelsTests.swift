import Foundation
import XCTest
@testable import ConvergeCore

/// The C LayerNorm row kernels against a double-precision reference, at every vector level.
final class LayerNormKernelsTests: XCTestCase {
    func testForwardAndBackwardMatchTheReference() {
        let rows = 7, generator = RandomGenerator(seed: 8)
        for d in [1, 16, 37] {
            let x = Tensor.randomNormal([rows, d], mean: 3, std: 2, generator: generator).scalars
            let g = Tensor.randomNormal([rows, d], generator: generator).scalars
            let w = Tensor.randomNormal([d], generator: generator).scalars
            let b = Tensor.randomNormal([d], generator: generator).scalars
            VectorISATests.atEachLevel { level in
                var y = [Float](repeating: 0, count: rows * d), mean = [Float](repeating: 0, count: rows), rstd = mean
                Kernels.layerNormRows(x, &y, weight: w, bias: b, mean: &mean, rstd: &rstd, rows: rows, d: d, epsilon: 1e-5)
                var gx = [Float](repeating: 0, count: rows * d)
                var gw = [Float](repeating: 1, count: d), gb = [Float](repeating: 1, count: d)   // added into
                Kernels.layerNormRowsBackward(g, input: x, mean: mean, rstd: rstd, weight: w, inputGradient: &gx,
                                              weightGradient: &gw, biasGradient: &gb, rows: rows, d: d)
                var wantGW = [Double](repeating: 1, count: d), wantGB = wantGW
                for r in 0..<rows {
                    let xr = (0..<d).map { Double(x[r * d + $0]) }
                    let mu = xr.reduce(0, +) / Double(d)
                    let variance = xr.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / Double(d)
                    let inv = 1 / (variance + 1e-5).squareRoot()
                    XCTAssertEqual(Double(mean[r]), mu, accuracy: 1e-5, "\(level) d \(d)")
                    XCTAssertEqual(Double(rstd[r]), inv, accuracy: 1e-5 * inv, "\(level) d \(d)")
                    let xh = xr.map { ($0 - mu) * inv }
                    let gh = (0..<d).map { Double(g[r * d + $0]) * Double(w[$0]) }
                    let meanG = gh.reduce(0, +) / Double(d)
                    let meanGX = zip(gh, xh).reduce(0) { $0 + $1.0 * $1.1 } / Double(d)
                    for k in 0..<d {
                        XCTAssertEqual(Double(y[r * d + k]), xh[k] * Double(w[k]) + Double(b[k]), accuracy: 2e-5, "\(level) y d \(d)")
                        XCTAssertEqual(Double(gx[r * d + k]), inv * (gh[k] - meanG - xh[k] * meanGX), accuracy: 2e-5,
                                       "\(level) gx d \(d)")
                        wantGW[k] += Double(g[r * d + k]) * xh[k]
                        wantGB[k] += Double(g[r * d + k])
                    }
                }
                for k in 0..<d {
                    XCTAssertEqual(Double(gw[k]), wantGW[k], accuracy: 2e-5, "\(level) gw d \(d)")
                    XCTAssertEqual(Double(gb[k]), wantGB[k], accuracy: 2e-5, "\(level) gb d \(d)")
                }
            }
        }
    }
}
