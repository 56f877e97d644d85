import ConvergeCore

/// The layout of classification scores `[N, C, d₁, …]` (or `[C]` for one unbatched sample):
/// `positions = N · d₁ · …` sample positions, each with `classes` scores along axis 1 (axis 0 for
/// rank 1), the convention PyTorch's classification losses share.
struct ClassLayout {
    let classes: Int
    let outer: Int
    let inner: Int
    /// The shape of one value per position: the scores' shape without the class axis.
    let positionShape: [Int]

    init(_ loss: String, scoresShape shape: [Int], scoresName: String) throws {
        guard !shape.isEmpty else { throw LossInputError("\(loss): \(scoresName) must have a class dimension, got a scalar") }
        if shape.count == 1 {
            classes = shape[0]; outer = 1; inner = 1; positionShape = []
        } else {
            classes = shape[1]; outer = shape[0]; inner = Shape.count(Array(shape.dropFirst(2)))
            positionShape = [shape[0]] + Array(shape.dropFirst(2))
        }
    }

    var positions: Int { outer * inner }

    /// The flat index of class `c`'s score at position `p`.
    @inline(__always)
    func offset(_ p: Int, _ c: Int) -> Int { ((p / inner) * classes + c) * inner + p % inner }
}
