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

    /// e^x in float32 without a library call, so loops over it vectorize (glibc's `expf` is a
    /// scalar call per element, ~10× slower).
    ///
    /// Cody–Waite reduction x = n·ln 2 + r with |r| ≤ ln 2 / 2, a degree-6 polynomial for e^r
    /// (Cephes' `expf` coefficients), and 2ⁿ built from exponent bits in two halves so gradual
    /// underflow to subnormals is right. Relative error is within 2 ulp of the exact value (tested
    /// against double precision); the result is +∞ above ~88.72, 0 below ~−103.9, and NaN for NaN.
    @inline(__always)
    public static func exp(_ x: Float) -> Float {
        let magic: Float = 12_582_912          // 1.5 · 2²³: adding it rounds to an integer
        var v = x > 89 ? 89 : x                 // comparisons keep NaN
        v = v < -104 ? -104 : v
        let t = v * 1.44269504088896341 + magic
        let n = t - magic
        var r = v - n * 0.693359375
        r = r - n * -2.12194440e-4
        let z = r * r
        var p: Float = 1.9875691500e-4
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        p = p * z + r + 1
        let k = Int32(bitPattern: t.bitPattern) &- 0x4B40_0000   // n as an integer
        let k1 = k >> 1, k2 = k &- k1
        let s1 = Float(bitPattern: UInt32(bitPattern: (k1 &+ 127) << 23))
        let s2 = Float(bitPattern: UInt32(bitPattern: (k2 &+ 127) << 23))
        return p * s1 * s2
    }

    /// `out[i] = body(a[i], b[i], c[i])` over equal-length buffers.
    @inline(__always)
    public static func zip(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>,
                           _ out: UnsafeMutablePointer<Float>, count: Int, _ body: (Float, Float, Float) -> Float) {
        Parallel.forChunks(count) { r in
            for i in r { out[i] = body(a[i], b[i], c[i]) }
        }
    }

    /// `a[i] += b[i]`.
    public static func addInPlace(_ a: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, count: Int) {
        Parallel.forChunks(count) { r in
            for i in r { a[i] += b[i] }
        }
    }

    /// A broadcast loop nest after merging dimensions: `shape` with per-operand strides, where
    /// size-1 dimensions are dropped and adjacent dimensions that both operands walk contiguously
    /// (or both skip) are merged. `[N, C] + [C]` becomes one row-broadcast loop, `[N, C] + [N, C]`
    /// a flat one.
    struct BroadcastLoops {
        var shape: [Int] = []
        var aStrides: [Int] = []
        var bStrides: [Int] = []

        init(shape full: [Int], aStrides: [Int], bStrides: [Int]) {
            shape.reserveCapacity(full.count)
            self.aStrides.reserveCapacity(full.count)
            self.bStrides.reserveCapacity(full.count)
            for d in full.indices where full[d] != 1 {
                if let last = shape.last,
                   self.aStrides[self.aStrides.count - 1] == aStrides[d] * full[d],
                   self.bStrides[self.bStrides.count - 1] == bStrides[d] * full[d] {
                    shape[shape.count - 1] = last * full[d]
                    self.aStrides[self.aStrides.count - 1] = aStrides[d]
                    self.bStrides[self.bStrides.count - 1] = bStrides[d]
                } else {
                    shape.append(full[d])
                    self.aStrides.append(aStrides[d])
                    self.bStrides.append(bStrides[d])
                }
            }
        }
    }

    /// `out = F(a, b)` where `a` and `b` broadcast to `shape`. `aStrides`/`bStrides` are the
    /// broadcast strides (0 on broadcast dimensions) of each operand in `shape`'s coordinates;
    /// they may also describe permuted reads (see `Tensor.permuted`). The output is contiguous.
    public static func broadcastBinary<F: BinaryFunctor>(_: F.Type,
                                                         _ a: UnsafePointer<Float>, aStrides: [Int],
                                                         _ b: UnsafePointer<Float>, bStrides: [Int],
                                                         _ out: UnsafeMutablePointer<Float>, shape: [Int]) {
        let count = Shape.count(shape)
        if count == 0 { return }
        let loops = BroadcastLoops(shape: shape, aStrides: aStrides, bStrides: bStrides)
        let rank = loops.shape.count
        if rank == 0 {
            out[0] = F.apply(a[0], b[0])
            return
        }
        let inner = loops.shape[rank - 1]
        let sa = loops.aStrides[rank - 1], sb = loops.bStrides[rank - 1]
        if rank == 1 {
            Parallel.forChunks(count) { r in
                row(F.self, a + r.lowerBound * sa, sa, b + r.lowerBound * sb, sb, out + r.lowerBound, r.count)
            }
            return
        }
        let rows = count / inner
        let threshold = max(2, Parallel.elementwiseThreshold / inner)
        if rank == 2 {
            let ra = loops.aStrides[0], rb = loops.bStrides[0]
            Parallel.forChunks(rows, threshold: threshold) { range in
                for i in range { row(F.self, a + i * ra, sa, b + i * rb, sb, out + i * inner, inner) }
            }
            return
        }
        let outerRank = rank - 1
        loops.shape.withUnsafeBufferPointer { dims in
        loops.aStrides.withUnsafeBufferPointer { stridesA in
        loops.bStrides.withUnsafeBufferPointer { stridesB in
            Parallel.forChunks(rows, threshold: threshold) { range in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: outerRank) { index in
                    // Coordinates of the first row of the chunk.
                    var rem = range.lowerBound
                    var offA = 0, offB = 0
                    for d in stride(from: outerRank - 1, through: 0, by: -1) {
                        index[d] = rem % dims[d]
                        rem /= dims[d]
                        offA += index[d] * stridesA[d]
                        offB += index[d] * stridesB[d]
                    }
                    for r in range {
                        row(F.self, a + offA, sa, b + offB, sb, out + r * inner, inner)
                        // Advance the row coordinates (odometer), updating the offsets incrementally.
                        var d = outerRank - 1
                        while d >= 0 {
                            index[d] += 1
                            offA += stridesA[d]
                            offB += stridesB[d]
                            if index[d] < dims[d] { break }
                            offA -= index[d] * stridesA[d]
                            offB -= index[d] * stridesB[d]
                            index[d] = 0
                            d -= 1
                        }
                    }
                }
            }
        }
        }
        }
    }

    /// One innermost loop of ``broadcastBinary(_:_:aStrides:_:bStrides:_:shape:)``, specialized
    /// for the stride patterns that vectorize (both contiguous, one of them broadcast).
    @inline(__always)
    static func row<F: BinaryFunctor>(_: F.Type, _ a: UnsafePointer<Float>, _ sa: Int, _ b: UnsafePointer<Float>, _ sb: Int,
                                      _ o: UnsafeMutablePointer<Float>, _ n: Int) {
        if sa == 1 && sb == 1 {
            for j in 0..<n { o[j] = F.apply(a[j], b[j]) }
        } else if sa == 1 && sb == 0 {
            let s = b[0]
            for j in 0..<n { o[j] = F.apply(a[j], s) }
        } else if sa == 0 && sb == 1 {
            let s = a[0]
            for j in 0..<n { o[j] = F.apply(s, b[j]) }
        } else {
            for j in 0..<n { o[j] = F.apply(a[j * sa], b[j * sb]) }
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
