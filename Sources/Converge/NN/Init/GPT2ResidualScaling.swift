import ConvergeCore

/// GPT-2's residual scaling (Radford et al. 2019): the weights of the layers that write into the
/// residual stream are multiplied by `1/√(2N)` for a network of `N` transformer blocks (two
/// residual branches — attention and MLP — per block), so the variance the residual stream
/// accumulates does not grow with depth.
///
/// ```swift
/// // Pick the last weight layer in each Residual branch; 2N = number of branches.
/// GPT2ResidualScaling().apply(to: model)
/// // Or pick projections by name, for N = 12 blocks.
/// GPT2ResidualScaling(layerCount: 12, selection: .named { $0.hasSuffix("proj.weight") }).apply(to: model)
/// ```
public struct GPT2ResidualScaling {
    /// Which parameters are residual projections.
    public enum Selection {
        /// The weight of the last weight layer in each ``Residual`` branch.
        case lastWeightInEachBranch
        /// Every parameter whose dotted name satisfies the predicate.
        case named((String) -> Bool)
    }

    /// `N`, the number of transformer blocks; when `nil`, `2N` is taken to be the number of
    /// ``Residual`` branches in the model.
    public var layerCount: Int?
    /// Which parameters to scale.
    public var selection: Selection

    /// Creates the rule.
    public init(layerCount: Int? = nil, selection: Selection = .lastWeightInEachBranch) {
        if let layerCount { precondition(layerCount > 0, "GPT2ResidualScaling: layerCount must be positive, got \(layerCount)") }
        self.layerCount = layerCount
        self.selection = selection
    }

    /// Scales the selected parameters of `model` in place by `1/√(2N)`; returns their dotted
    /// names and the factor.
    @discardableResult
    public func apply(to model: Module) -> (scaled: [String], factor: Float) {
        let found = ResidualBranches(model)
        let twoN: Int
        if let layerCount {
            twoN = 2 * layerCount
        } else {
            precondition(!found.branches.isEmpty,
                         "GPT2ResidualScaling: the model has no Residual branches; pass layerCount")
            twoN = found.branches.count
        }
        let factor = 1 / Float(twoN).squareRoot()
        var targets: [(String, Tensor)] = []
        switch selection {
        case .lastWeightInEachBranch:
            for branch in found.branches {
                if let last = branch.weightLayers.last {
                    targets.append((dottedName(last.path, "weight"), ResidualBranches.tensors(of: last.module).weight))
                }
            }
        case .named(let predicate):
            targets = model.namedParameters().filter { predicate($0.0) }
        }
        for (_, tensor) in targets {
            let p = tensor.storage.pointer
            for i in 0..<tensor.count { p[i] *= factor }
        }
        return (targets.map { $0.0 }, factor)
    }
}
