/// The shape rules of the ops, as throwing functions.
///
/// Each op calls its check through `checked { … }`, which stops with the message (a shape mismatch
/// inside an op is a programmer error). Because the checks throw, tests can assert on the exact
/// messages, and code that handles user input (a recipe, a loaded checkpoint) can call them first
/// and report a typed error instead of stopping. Every message names the op and the shapes.
public enum ShapeCheck {
    /// Resolves a reshape target (one dimension may be `-1`) for a tensor of `shape`.
    public static func reshape(_ shape: [Int], to newShape: [Int], op: String = "reshape") throws -> [Int] {
        let count = Shape.count(shape)
        var target = newShape
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        guard inferred.count <= 1, newShape.allSatisfy({ $0 >= -1 }) else {
            throw ShapeError("\(op): invalid target shape \(newShape) for tensor of shape \(shape) (at most one -1, no other negative sizes)")
        }
        if let i = inferred.first {
            var known = 1
            for (j, d) in newShape.enumerated() where j != i { known *= d }
            guard known > 0 && count % known == 0 else {
                throw ShapeError("\(op): cannot reshape tensor of shape \(shape) (\(count) elements) into \(newShape)")
            }
            target[i] = count / known
        }
        guard Shape.count(target) == count else {
            throw ShapeError("\(op): cannot reshape tensor of shape \(shape) (\(count) elements) into \(newShape)")
        }
        return target
    }

    /// Checks that `shape` can be broadcast to exactly `target` (PyTorch's `expand`).
    public static func expand(_ shape: [Int], to target: [Int]) throws {
        guard target.count >= shape.count else {
            throw ShapeError("expand: cannot expand shape \(shape) to \(target) (target has fewer dimensions)")
        }
        let offset = target.count - shape.count
        for i in 0..<shape.count where shape[i] != 1 && shape[i] != target[i + offset] {
            throw ShapeError("expand: cannot expand shape \(shape) to \(target) (dimension \(i): \(shape[i]) vs \(target[i + offset]))")
        }
    }

    /// Normalizes a permutation of the dimensions of `shape`.
    public static func permutation(_ axes: [Int], of shape: [Int]) throws -> [Int] {
        let rank = shape.count
        guard axes.count == rank else {
            throw ShapeError("permute: \(axes) is not a permutation of the \(rank) dimensions of shape \(shape)")
        }
        let normalized = try axes.map { try Shape.normalize(axis: $0, rank: rank, op: "permute") }
        guard Set(normalized).count == rank else {
            throw ShapeError("permute: \(axes) is not a permutation of the \(rank) dimensions of shape \(shape)")
        }
        return normalized
    }

    /// Normalizes and sorts reduction axes of a tensor of `shape` (empty means all axes).
    public static func reductionAxes(_ axes: [Int], of shape: [Int], op: String) throws -> [Int] {
        if axes.isEmpty { return Array(0..<shape.count) }
        let normalized = try axes.map { try Shape.normalize(axis: $0, rank: shape.count, op: op) }
        let sorted = Set(normalized).sorted()
        guard sorted.count == normalized.count else {
            throw ShapeError("\(op): repeated axis in \(axes) for shape \(shape)")
        }
        return sorted
    }

    /// Checks a slice `range` along `axis` and returns the normalized axis.
    public static func slice(_ shape: [Int], axis: Int, range: Range<Int>) throws -> Int {
        let a = try Shape.normalize(axis: axis, rank: shape.count, op: "slice")
        guard range.lowerBound >= 0 && range.upperBound <= shape[a] else {
            throw ShapeError("slice: range \(range) is out of bounds for axis \(axis) of size \(shape[a]) (shape \(shape))")
        }
        return a
    }

    /// Checks the shapes joined by `concatenate` and returns the result shape.
    public static func concatenate(_ shapes: [[Int]], axis: Int) throws -> [Int] {
        guard let first = shapes.first else { throw ShapeError("concatenate: no tensors") }
        let a = try Shape.normalize(axis: axis, rank: first.count, op: "concatenate")
        var result = first
        result[a] = 0
        for s in shapes {
            let fits = s.count == first.count && s.indices.allSatisfy { $0 == a || s[$0] == first[$0] }
            guard fits else {
                throw ShapeError("concatenate: shapes \(first) and \(s) differ outside axis \(axis)")
            }
            result[a] += s[a]
        }
        return result
    }

    /// Checks the shapes joined by `stack` and returns the normalized new axis.
    public static func stack(_ shapes: [[Int]], axis: Int) throws -> Int {
        guard let first = shapes.first else { throw ShapeError("stack: no tensors") }
        for s in shapes where s != first { throw ShapeError("stack: shapes \(first) and \(s) differ") }
        return try Shape.normalize(axis: axis, rank: first.count + 1, op: "stack")
    }

    /// Checks `indexSelect` indices along `axis` and returns the normalized axis.
    public static func indexSelect(_ shape: [Int], axis: Int, indices: [Int]) throws -> Int {
        let a = try Shape.normalize(axis: axis, rank: shape.count, op: "indexSelect")
        guard shape.count > 0 else { throw ShapeError("indexSelect: cannot index a scalar") }
        for i in indices where i < 0 || i >= shape[a] {
            throw ShapeError("indexSelect: index \(i) is out of range for axis \(axis) of size \(shape[a]) (shape \(shape))")
        }
        return a
    }

    /// Checks the index shape of `gather` along `axis` and returns the normalized axis.
    public static func gather(_ shape: [Int], axis: Int, index: [Int]) throws -> Int {
        let a = try Shape.normalize(axis: axis, rank: shape.count, op: "gather")
        guard index.count == shape.count else {
            throw ShapeError("gather: index of shape \(index) must have the rank of input shape \(shape)")
        }
        for d in 0..<shape.count where d != a && index[d] != shape[d] {
            throw ShapeError("gather: index shape \(index) does not fit input shape \(shape) outside axis \(axis)")
        }
        return a
    }

    /// Checks `linear`'s operands (`weight` [out, in], `bias` [out]) and returns the result shape.
    public static func linear(input: [Int], weight: [Int], bias: [Int]?) throws -> [Int] {
        guard weight.count == 2 else { throw ShapeError("linear: weight must be 2-D, got shape \(weight)") }
        guard let last = input.last, last == weight[1] else {
            throw ShapeError("linear: input of shape \(input) does not fit weight of shape \(weight) (last dimension must be \(weight[1]))")
        }
        if let bias, bias != [weight[0]] {
            throw ShapeError("linear: bias of shape \(bias) does not fit weight of shape \(weight) (expected [\(weight[0])])")
        }
        var result = input
        result[result.count - 1] = weight[0]
        return result
    }
}
