import ConvergeCore

/// How a loss combines its per-element values (PyTorch's `reduction` argument).
public enum Reduction: String, Sendable, CaseIterable {
    /// No reduction: one loss value per element (per sample position for classification losses).
    case none
    /// The average: the sum divided by the number of elements, or by the total weight of the
    /// counted targets for class-weighted classification losses.
    case mean
    /// The sum of the per-element values.
    case sum
}

/// Shared machinery of the fused losses: turning per-element values into the reduced output and
/// an upstream gradient back into one scale factor per element.
enum LossReduction {
    /// Builds the output of a loss from its per-element values (`perElement`, already of the
    /// unreduced output shape). `denominator` divides the sum for `.mean`.
    static func reduce(_ perElement: Tensor, _ reduction: Reduction, denominator: Double) -> Tensor {
        switch reduction {
        case .none:
            return perElement
        case .sum, .mean:
            var total = 0.0
            let p = perElement.storage.pointer
            for i in 0..<perElement.count { total += Double(p[i]) }
            if reduction == .mean { total /= denominator }
            return Tensor(Float(total))
        }
    }

    /// The factor by which element `i`'s local derivative is multiplied: the upstream gradient
    /// of that element (`.none`), or the scalar upstream gradient (divided by `denominator` for
    /// `.mean`).
    static func upstream(_ g: Tensor, _ reduction: Reduction, denominator: Double) -> (Int) -> Float {
        switch reduction {
        case .none:
            let p = g.storage.pointer
            return { p[$0] }
        case .sum:
            let s = g.scalar
            return { _ in s }
        case .mean:
            let s = Float(Double(g.scalar) / denominator)
            return { _ in s }
        }
    }
}
