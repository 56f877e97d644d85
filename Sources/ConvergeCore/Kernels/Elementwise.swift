import Foundation

/// A scalar function of one float, specialized into tight loops (no closure call per element).
public protocol UnaryFunctor { static func apply(_ x: Float) -> Float }
/// A scalar function of two floats, specialized into tight loops.
public protocol BinaryFunctor { static func apply(_ a: Float, _ b: Float) -> Float }

/// Raw-buffer loops used by the tensor ops.
public enum Kernels {
    /// `out[i] = F(x[i])`.
    @inline(__always)
    public static func map<F: UnaryFunctor>(_: F.Type, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.forChunks(count) { r in
            for i in r { out[i] = F.apply(x[i]) }
        }
    }

    /// `out[i] = body(x[i])` with a closure (for one-off ops with captured parameters).
    @inline(__always)
    public static func map(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int,
                           _ body: (Float) -> Float) {
        Parallel.forChunks(count) { r in
            for i in r { out[i] = body(x[i]) }
        }
    }

    /// `out[i] = body(a[i], b[i])` over equal-length buffers.
    @inline(__always)
    public static func zip(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                           count: Int, _ body: (Float, Float) -> Float) {
        Parallel.forChunks(count) { r in
            for i in r { out[i] = body(a[i], b[i]) }
        }
    }

    /// `a[i] += b[i]`.
    public static func addInPlace(_ a: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, count: Int) {
        Parallel.forChunks(count) { r in
            for i in r { a[i] += b[i] }
        }
    }

    /// `out = F(a, b)` where `a` and `b` broadcast to `shape`. `aStrides`/`bStrides` are the
    /// broadcast strides (0 on broadcast dimensions) of each operand in `shape`'s coordinates.
    public static func broadcastBinary<F: BinaryFunctor>(_: F.Type,
                                                         _ a: UnsafePointer<Float>, aStrides: [Int],
                                                         _ b: UnsafePointer<Float>, bStrides: [Int],
                                                         _ out: UnsafeMutablePointer<Float>, shape: [Int]) {
        let count = Shape.count(shape)
        if count == 0 { return }
        let rank = shape.count
        let contiguous = Shape.strides(shape)
        if aStrides == contiguous && bStrides == contiguous {
            Parallel.forChunks(count) { r in for i in r { out[i] = F.apply(a[i], b[i]) } }
            return
        }
        if aStrides == contiguous && bStrides.allSatisfy({ $0 == 0 }) {
            let s = b[0]
            Parallel.forChunks(count) { r in for i in r { out[i] = F.apply(a[i], s) } }
            return
        }
        if bStrides == contiguous && aStrides.allSatisfy({ $0 == 0 }) {
            let s = a[0]
            Parallel.forChunks(count) { r in for i in r { out[i] = F.apply(s, b[i]) } }
            return
        }
        // General case: iterate rows of the last dimension.
        let inner = rank == 0 ? 1 : shape[rank - 1]
        let sa = rank == 0 ? 0 : aStrides[rank - 1]
        let sb = rank == 0 ? 0 : bStrides[rank - 1]
        let rows = count / max(inner, 1)
        let outerShape = Array(shape.dropLast())
        let threshold = max(1, Parallel.elementwiseThreshold / max(inner, 1))
        Parallel.forChunks(rows, threshold: threshold) { range in
            var index = [Int](repeating: 0, count: max(outerShape.count, 1))
            // Decompose the first row index into coordinates.
            var rem = range.lowerBound
            for d in stride(from: outerShape.count - 1, through: 0, by: -1) {
                index[d] = rem % outerShape[d]
                rem /= outerShape[d]
            }
            for row in range {
                var offA = 0, offB = 0
                for d in 0..<outerShape.count {
                    offA += index[d] * aStrides[d]
                    offB += index[d] * bStrides[d]
                }
                let o = out + row * inner
                if sa == 1 && sb == 1 {
                    for j in 0..<inner { o[j] = F.apply(a[offA + j], b[offB + j]) }
                } else if sa == 1 && sb == 0 {
                    let s = b[offB]
                    for j in 0..<inner { o[j] = F.apply(a[offA + j], s) }
                } else if sa == 0 && sb == 1 {
                    let s = a[offA]
                    for j in 0..<inner { o[j] = F.apply(s, b[offB + j]) }
                } else {
                    for j in 0..<inner { o[j] = F.apply(a[offA + j * sa], b[offB + j * sb]) }
                }
                // Advance the row coordinates.
                var d = outerShape.count - 1
                while d >= 0 {
                    index[d] += 1
                    if index[d] < outerShape[d] { break }
                    index[d] = 0
                    d -= 1
                }
            }
        }
    }
}

// MARK: - Functors

/// `a + b`.
public enum AddFunctor: BinaryFunctor { @inline(__always) public static func apply(_ a: Float, _ b: Float) -> Float { a + b } }
/// `a - b`.
public enum SubFunctor: BinaryFunctor { @inline(__always) public static func apply(_ a: Float, _ b: Float) -> Float { a - b } }
/// `a * b`.
public enum MulFunctor: BinaryFunctor { @inline(__always) public static func apply(_ a: Float, _ b: Float) -> Float { a * b } }
/// `a / b`.
public enum DivFunctor: BinaryFunctor { @inline(__always) public static func apply(_ a: Float, _ b: Float) -> Float { a / b } }
/// `max(a, b)` (NaN-propagating).
public enum MaxFunctor: BinaryFunctor {
    @inline(__always) public static func apply(_ a: Float, _ b: Float) -> Float { a.isNaN || a > b ? a : b }
}
/// `min(a, b)` (NaN-propagating).
public enum MinFunctor: BinaryFunctor {
    @inline(__always) public static func apply(_ a: Float, _ b: Float) -> Float { a.isNaN || a < b ? a : b }
}
/// `pow(a, b)`.
public enum PowFunctor: BinaryFunctor { @inline(__always) public static func apply(_ a: Float, _ b: Float) -> Float { Foundation.pow(a, b) } }
/// `a == b ? 1 : 0`.
public enum EqualFunctor: BinaryFunctor { @inline(__always) public static func apply(_ a: Float, _ b: Float) -> Float { a == b ? 1 : 0 } }
/// `a != b ? 1 : 0`.
public enum NotEqualFunctor: BinaryFunctor { @inline(__always) public static func apply(_ a: Float, _ b: Float) -> Float { a != b ? 1 : 0 } }
/// `a < b ? 1 : 0`.
public enum LessFunctor: BinaryFunctor { @inline(__always) public static func apply(_ a: Float, _ b: Float) -> Float { a < b ? 1 : 0 } }
/// `a <= b ? 1 : 0`.
public enum LessEqualFunctor: BinaryFunctor { @inline(__always) public static func apply(_ a: Float, _ b: Float) -> Float { a <= b ? 1 : 0 } }
/// `a > b ? 1 : 0`.
public enum GreaterFunctor: BinaryFunctor { @inline(__always) public static func apply(_ a: Float, _ b: Float) -> Float { a > b ? 1 : 0 } }
/// `a >= b ? 1 : 0`.
public enum GreaterEqualFunctor: BinaryFunctor { @inline(__always) public static func apply(_ a: Float, _ b: Float) -> Float { a >= b ? 1 : 0 } }
