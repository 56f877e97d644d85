import ConvergeCore
import Foundation

/// Fixup initialization (Zhang, Dauphin & Ma, 2019) for residual networks without
/// normalization: every residual branch starts as the zero function, so each ``Residual`` block
/// starts as the identity and the output variance does not grow with depth.
///
/// Applied to a model whose layers already carry a standard initialization (e.g. He), it
/// 1. zeroes the last weight layer (weight and, with ``zeroBias``, bias) of each residual branch;
/// 2. with ``rescaleBranches``, multiplies the weight of every other weight layer in a branch of
///    `m ≥ 2` weight layers by `L^(−1/(2m−2))`, where `L` is the number of residual branches;
/// 3. with ``zeroClassifier``, also zeroes the last weight layer outside every branch (the
///    classification layer).
///
/// A residual branch is the `block` of every ``Residual`` module in the model; a weight layer is
/// a module owning a parameter named `weight` with at least 2 dimensions (linear and
/// convolution layers). Fixup's scalar multipliers and biases are architecture changes, not
/// initialization, and are left to the model.
public struct Fixup: Sendable {
    /// Whether to rescale the non-final weight layers of each branch by `L^(−1/(2m−2))`.
    public var rescaleBranches: Bool
    /// Whether to zero the bias of the zeroed layers too (so the branch outputs exactly 0).
    public var zeroBias: Bool
    /// Whether to zero the last weight layer outside all branches (the classifier).
    public var zeroClassifier: Bool

    /// Creates the rule; the defaults zero the last layer of every branch (with its bias) and
    /// rescale the other branch layers, leaving the classifier alone.
    public init(rescaleBranches: Bool = true, zeroBias: Bool = true, zeroClassifier: Bool = false) {
        self.rescaleBranches = rescaleBranches
        self.zeroBias = zeroBias
        self.zeroClassifier = zeroClassifier
    }

    /// What ``apply(to:)`` changed.
    public struct Report: Sendable {
        /// Number of residual branches `L` found.
        public let branchCount: Int
        /// Dotted names of the parameters set to zero.
        public let zeroed: [String]
        /// Dotted names of the weights rescaled, with the factor each was multiplied by.
        public let rescaled: [(name: String, factor: Float)]
    }

    /// Applies the rule to `model` in place and reports which parameters it changed.
    @discardableResult
    public func apply(to model: Module) -> Report {
        let found = ResidualBranches(model)
        let branchCount = found.branches.count
        var zeroed: [String] = []
        var rescaled: [(name: String, factor: Float)] = []
        func zero(_ path: String, _ module: Module) {
            let (weight, bias) = ResidualBranches.tensors(of: module)
            weight.fill(0)
            zeroed.append(dottedName(path, "weight"))
            if zeroBias, let bias {
                bias.fill(0)
                zeroed.append(dottedName(path, "bias"))
            }
        }
        for branch in found.branches {
            guard let last = branch.weightLayers.last else { continue }
            zero(last.path, last.module)
            let m = branch.weightLayers.count
            guard rescaleBranches && m >= 2 else { continue }
            let factor = Float(Foundation.pow(Double(branchCount), -1 / Double(2 * m - 2)))
            for layer in branch.weightLayers.dropLast() {
                let weight = ResidualBranches.tensors(of: layer.module).weight
                let p = weight.storage.pointer
                for i in 0..<weight.count { p[i] *= factor }
                rescaled.append((dottedName(layer.path, "weight"), factor))
            }
        }
        if zeroClassifier, let last = found.outsideLayers.last { zero(last.path, last.module) }
        return Report(branchCount: branchCount, zeroed: zeroed, rescaled: rescaled)
    }
}
