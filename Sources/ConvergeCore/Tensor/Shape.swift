/// Shape arithmetic: element counts, strides, broadcasting and axis normalization.
public enum Shape {
    /// Product of the dimensions (1 for a scalar).
    @inline(__always)
    public static func count(_ shape: [Int]) -> Int {
        var n = 1
        for d in shape { n &*= d }
        return n
    }

    /// Product of `shape[range]` (1 for an empty range), without building a sub-array.
    @inline(__always)
    public static func count(_ shape: [Int], _ range: Range<Int>) -> Int {
        var n = 1
        for i in range { n &*= shape[i] }
        return n
    }

    /// Row-major strides of a contiguous tensor of `shape`.
    public static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// The shape both `a` and `b` broadcast to, following NumPy/PyTorch rules.
    public static func broadcast(_ a: [Int], _ b: [Int], op: String) throws -> [Int] {
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 { result[i] = da } else if da == 1 { result[i] = db } else {
                throw ShapeError("\(op): shapes \(a) and \(b) cannot be broadcast together (dimension \(i): \(da) vs \(db))")
            }
        }
        return result
    }

    /// Strides for reading a contiguous tensor of `shape` as if it had `target` shape
    /// (broadcast dimensions get stride 0).
    public static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        let own = strides(shape)
        let offset = target.count - shape.count
        var result = [Int](repeating: 0, count: target.count)
        for i in 0..<shape.count where shape[i] != 1 || target[i + offset] == 1 {
            result[i + offset] = shape[i] == 1 ? 0 : own[i]
        }
        return result
    }

    /// Turns a possibly negative axis into an index in `0..<rank`.
    public static func normalize(axis: Int, rank: Int, op: String) throws -> Int {
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0 && a < max(rank, 1) else {
            throw ShapeError("\(op): axis \(axis) is out of range for a tensor of rank \(rank)")
        }
        return a
    }
}

/// A shape error raised by an op: names the op and the shapes involved.
public struct ShapeError: Error, CustomStringConvertible, Equatable {
    /// The full message, e.g. `matmul: shapes [2, 3] and [4, 5] do not fit (3 ≠ 4)`.
    public let message: String
    /// Creates an error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

/// Stops with `error`'s message: a shape mismatch inside an op is a programmer error, like an
/// index out of range. The checks themselves are throwing functions (``Shape``, ``ShapeCheck``) so
/// they can be tested and reused where input comes from users.
@inline(never)
func shapeFailure(_ error: Error) -> Never {
    fatalError("\(error)")
}

/// Runs a throwing shape check and stops with its message on failure.
@inline(__always)
func checked<T>(_ body: () throws -> T) -> T {
    do { return try body() } catch { shapeFailure(error) }
}
