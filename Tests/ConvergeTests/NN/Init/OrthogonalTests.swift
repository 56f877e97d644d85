import XCTest
@testable import Converge

final class OrthogonalTests: XCTestCase {
    /// Gram matrix of the columns (`WᵀW`) or, with `rows`, of the rows (`WWᵀ`), in double.
    private func gram(_ w: [Float], rows: Int, columns: Int, ofRows: Bool) -> [[Double]] {
        let n = ofRows ? rows : columns
        var g = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for a in 0..<n {
            for b in 0..<n {
                var s = 0.0
                for k in 0..<(ofRows ? columns : rows) {
                    let x = ofRows ? w[a * columns + k] : w[k * columns + a]
                    let y = ofRows ? w[b * columns + k] : w[k * columns + b]
                    s += Double(x) * Double(y)
                }
                g[a][b] = s
            }
        }
        return g
    }

    private func assertScaledIdentity(_ g: [[Double]], _ scale: Double, file: StaticString = #filePath, line: UInt = #line) {
        for i in 0..<g.count {
            for j in 0..<g.count {
                XCTAssertEqual(g[i][j], i == j ? scale : 0, accuracy: 1e-5, "(\(i), \(j))", file: file, line: line)
            }
        }
    }

    func testTallHasOrthonormalColumns() {
        let w = Tensor.zeros([20, 8]).initialize(.orthogonal(gain: 1.5), generator: RandomGenerator(seed: 1))
        assertScaledIdentity(gram(w.scalars, rows: 20, columns: 8, ofRows: false), 2.25)
    }

    func testWideHasOrthonormalRows() {
        let w = Tensor.zeros([6, 15]).initialize(.orthogonal(), generator: RandomGenerator(seed: 2))
        assertScaledIdentity(gram(w.scalars, rows: 6, columns: 15, ofRows: true), 1)
    }

    func testSquareAndConvShapes() {
        let square = Tensor.zeros([10, 10]).initialize(.orthogonal(gain: 2), generator: RandomGenerator(seed: 3))
        assertScaledIdentity(gram(square.scalars, rows: 10, columns: 10, ofRows: true), 4)
        assertScaledIdentity(gram(square.scalars, rows: 10, columns: 10, ofRows: false), 4)
        // A conv kernel [4, 2, 3, 3] is viewed as 4 × 18: orthonormal rows.
        let conv = Tensor.zeros([4, 2, 3, 3]).initialize(.orthogonal(), generator: RandomGenerator(seed: 4))
        assertScaledIdentity(gram(conv.scalars, rows: 4, columns: 18, ofRows: true), 1)
    }

    /// PyTorch's sign correction makes `R = Qᵀ·A` have a positive diagonal, where `A` is the
    /// normal matrix drawn first: check it against the same draw.
    func testSignCorrectionGivesPositiveDiagonalOfR() {
        let (rows, columns) = (7, 4)
        let a = Tensor.randomNormal([rows, columns], generator: RandomGenerator(seed: 5)).scalars
        let q = orthogonalMatrix(rows: rows, columns: columns, generator: RandomGenerator(seed: 5))
        for i in 0..<columns {
            for j in 0..<columns {
                var r = 0.0
                for k in 0..<rows { r += Double(q[k * columns + i]) * Double(a[k * columns + j]) }
                if i > j { XCTAssertEqual(r, 0, accuracy: 1e-5, "R[\(i), \(j)] below the diagonal") }
                if i == j { XCTAssertGreaterThan(r, 0, "R[\(i), \(i)]") }
            }
        }
    }

    func testHouseholderReconstructs() {
        let g = RandomGenerator(seed: 6)
        let (m, n) = (5, 3)
        let a = (0..<(m * n)).map { _ in g.nextUniformDouble() - 0.5 }
        let (q, diagonal) = householderQR(a, rows: m, columns: n)
        // R = QᵀA is upper triangular with the reported diagonal, and Q·R = A.
        var r = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { for k in 0..<m { r[i * n + j] += q[k * n + i] * a[k * n + j] } } }
        for i in 0..<n { XCTAssertEqual(r[i * n + i], diagonal[i], accuracy: 1e-12) }
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for k in 0..<n { s += q[i * n + k] * r[k * n + j] }
                XCTAssertEqual(s, a[i * n + j], accuracy: 1e-12)
            }
        }
    }
}
