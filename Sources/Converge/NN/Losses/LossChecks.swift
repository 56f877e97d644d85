import ConvergeCore

/// A loss was given inputs that do not fit: mismatched shapes, a class id out of range, a
/// probability outside [0, 1]. The message names the loss and the shapes.
///
/// Inside the loss functions these are programmer errors and stop the program with the message
/// (as a shape mismatch in any op does); the throwing checks in ``LossChecks`` let code that
/// handles user data validate first.
public struct LossInputError: Error, CustomStringConvertible, Equatable {
    /// The full message, e.g. `crossEntropy: target class 7 at position 3 is out of range for 5 classes …`.
    public let message: String
    /// Creates an error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

/// The input checks the losses run, as throwing functions.
public enum LossChecks {
    /// Checks that two inputs of an elementwise loss have the same shape.
    public static func sameShape(_ loss: String, _ firstName: String, _ first: [Int],
                                 _ secondName: String, _ second: [Int]) throws {
        guard first == second else {
            throw LossInputError("\(loss): \(firstName) of shape \(first) and \(secondName) of shape \(second) differ (reshape one so they match; broadcasting here is usually a bug)")
        }
    }

    /// Reads class-index targets (integer class ids stored as floats, one per position of
    /// `scoresShape` minus its class axis): returns the class per position, −1 where the
    /// target equals `ignoreIndex`.
    public static func classIndices(_ loss: String, targets: Tensor, scoresShape: [Int], ignoreIndex: Int) throws -> [Int] {
        let layout = try ClassLayout(loss, scoresShape: scoresShape, scoresName: "scores")
        guard targets.shape == layout.positionShape else {
            throw LossInputError("\(loss): class-index targets of shape \(targets.shape) do not fit scores of shape \(scoresShape) (expected targets of shape \(layout.positionShape))")
        }
        let p = targets.storage.pointer
        var result = [Int](repeating: 0, count: targets.count)
        for i in 0..<targets.count {
            let v = p[i]
            guard v.isFinite && v == v.rounded() && Swift.abs(v) < 1e9 else {
                throw LossInputError("\(loss): target \(v) at position \(i) is not an integer class id (targets shape \(targets.shape), scores shape \(scoresShape))")
            }
            let c = Int(v)
            if c == ignoreIndex { result[i] = -1; continue }
            guard c >= 0 && c < layout.classes else {
                throw LossInputError("\(loss): target class \(c) at position \(i) is out of range for \(layout.classes) classes (targets shape \(targets.shape), scores shape \(scoresShape))")
            }
            result[i] = c
        }
        return result
    }

    /// Reads optional class weights, checking there is one per class (all 1 when `nil`).
    public static func classWeights(_ loss: String, _ weights: Tensor?, classes: Int) throws -> [Float] {
        guard let weights else { return [Float](repeating: 1, count: classes) }
        guard weights.shape == [classes] else {
            throw LossInputError("\(loss): class weights of shape \(weights.shape) do not fit \(classes) classes (expected shape [\(classes)])")
        }
        return weights.scalars
    }

    /// Checks that optional per-element weights broadcast to `shape`.
    public static func broadcastable(_ loss: String, _ label: String, _ weights: Tensor?, to shape: [Int]) throws {
        guard let weights else { return }
        let full = try? Shape.broadcast(weights.shape, shape, op: loss)
        guard full == shape else {
            throw LossInputError("\(loss): \(label) of shape \(weights.shape) do not broadcast to shape \(shape)")
        }
    }

    /// Checks that every value is a probability in [0, 1].
    public static func probabilities(_ loss: String, _ values: Tensor) throws {
        let p = values.storage.pointer
        for i in 0..<values.count where !(p[i] >= 0 && p[i] <= 1) {
            throw LossInputError("\(loss): probability \(p[i]) at index \(i) is outside [0, 1] (shape \(values.shape)); for raw scores use binaryCrossEntropy(logits:targets:)")
        }
    }
}

/// Runs a loss input check, stopping with its message on failure (a programmer error).
@inline(__always)
func lossPrecondition<T>(_ body: () throws -> T) -> T {
    do { return try body() } catch { preconditionFailure("\(error)") }
}
