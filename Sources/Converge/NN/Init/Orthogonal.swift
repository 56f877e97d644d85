import ConvergeCore

/// A `rows × columns` matrix (row-major) with orthonormal rows (when `rows < columns`) or
/// orthonormal columns, times `gain` — PyTorch's `orthogonal_` construction.
///
/// A matrix of standard normal samples (transposed when wide) is factored `A = Q·R` by
/// Householder reflections in double precision; each column of `Q` is multiplied by the sign of
/// the matching diagonal element of `R`, which makes the result uniformly (Haar) distributed
/// instead of biased by the factorization's sign convention. The result `W` satisfies
/// `Wᵀ·W = gain²·I` when tall or square and `W·Wᵀ = gain²·I` when wide.
public func orthogonalMatrix(rows: Int, columns: Int, gain: Float = 1,
                             generator: RandomGenerator = Random.generator) -> [Float] {
    precondition(rows >= 0 && columns >= 0, "orthogonalMatrix: negative size \(rows) × \(columns)")
    if rows == 0 || columns == 0 { return [] }
    let samples = Tensor.randomNormal([rows, columns], generator: generator).scalars
    // Factor the tall orientation: m ≥ n.
    let wide = rows < columns
    let m = wide ? columns : rows, n = wide ? rows : columns
    var a = [Double](repeating: 0, count: m * n)   // row-major m × n
    for i in 0..<rows {
        for j in 0..<columns {
            let v = Double(samples[i * columns + j])
            if wide { a[j * n + i] = v } else { a[i * n + j] = v }
        }
    }
    let (q, diagonal) = householderQR(a, rows: m, columns: n)
    var result = [Float](repeating: 0, count: rows * columns)
    for i in 0..<m {
        for j in 0..<n {
            let sign: Double = diagonal[j] < 0 ? -1 : 1
            let v = Float(q[i * n + j] * sign) * gain
            if wide { result[j * columns + i] = v } else { result[i * columns + j] = v }
        }
    }
    return result
}

/// Thin QR factorization of a row-major `rows × columns` matrix with `rows ≥ columns` by
/// Householder reflections: returns the `rows × columns` factor `Q` (orthonormal columns,
/// row-major) and the diagonal of `R`.
func householderQR(_ matrix: [Double], rows m: Int, columns n: Int) -> (q: [Double], diagonal: [Double]) {
    precondition(m >= n, "householderQR: needs rows ≥ columns, got \(m) × \(n)")
    var a = matrix
    var reflectors: [[Double]] = []   // v_k of length m − k, normalized to unit length
    var diagonal = [Double](repeating: 0, count: n)
    for k in 0..<n {
        var norm = 0.0
        for i in k..<m { norm += a[i * n + k] * a[i * n + k] }
        norm = norm.squareRoot()
        let x0 = a[k * n + k]
        // R_kk = −sign(x0)·‖x‖ avoids cancellation in v = x − R_kk·e₁.
        let alpha = x0 >= 0 ? -norm : norm
        var v = [Double](repeating: 0, count: m - k)
        for i in k..<m { v[i - k] = a[i * n + k] }
        v[0] -= alpha
        var vNorm = 0.0
        for x in v { vNorm += x * x }
        vNorm = vNorm.squareRoot()
        if vNorm > 0 { for i in 0..<v.count { v[i] /= vNorm } }
        // A[k:, k:] ← (I − 2vvᵀ)·A[k:, k:], row by row so the inner loops are contiguous.
        if vNorm > 0 { reflect(&a, rows: m, columns: n, from: k, firstColumn: k, v: v) }
        diagonal[k] = vNorm > 0 ? alpha : x0
        reflectors.append(vNorm > 0 ? v : [])
    }
    // Q = H₀·H₁·…·H_{n−1}·I[:, :n], applied right to left.
    var q = [Double](repeating: 0, count: m * n)
    for j in 0..<n { q[j * n + j] = 1 }
    for k in stride(from: n - 1, through: 0, by: -1) {
        let v = reflectors[k]
        if v.isEmpty { continue }
        reflect(&q, rows: m, columns: n, from: k, firstColumn: 0, v: v)
    }
    return (q, diagonal)
}

/// Applies the Householder reflection `I − 2vvᵀ` to rows `from..<rows` and columns
/// `firstColumn..<columns` of a row-major matrix: `w = vᵀA`, then `A −= 2·v·w`.
private func reflect(_ a: inout [Double], rows m: Int, columns n: Int, from k: Int, firstColumn c: Int, v: [Double]) {
    var w = [Double](repeating: 0, count: n - c)
    a.withUnsafeMutableBufferPointer { ap in
        w.withUnsafeMutableBufferPointer { wp in
            v.withUnsafeBufferPointer { vp in
                for i in k..<m {
                    let vi = vp[i - k]
                    if vi == 0 { continue }
                    let row = ap.baseAddress! + i * n + c
                    for j in 0..<(n - c) { wp[j] += vi * row[j] }
                }
                for i in k..<m {
                    let scale = 2 * vp[i - k]
                    if scale == 0 { continue }
                    let row = ap.baseAddress! + i * n + c
                    for j in 0..<(n - c) { row[j] -= scale * wp[j] }
                }
            }
        }
    }
}
