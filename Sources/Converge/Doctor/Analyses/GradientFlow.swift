import ConvergeCore
import Foundation

/// How the gradient norm changes from the output layers back to the input layers, and what
/// that says (seed §7.8.3): norms falling by orders of magnitude toward the input are
/// *vanishing* gradients, norms growing toward the input (or overflowing) are *exploding*
/// gradients, and a layer whose whole gradient is exactly zero receives no signal at all
/// (dead ReLUs in front of it, or a detached graph).
///
/// ```swift
/// loss.backward()
/// let flow = GradientFlow(model: model)
/// if flow.verdict == .vanishing { print(flow.finding.message) }
/// ```
public struct GradientFlow: Equatable, Sendable {
    /// One layer's weight-gradient norm.
    public struct Layer: Equatable, Sendable {
        /// The weight's dotted name (`layers.3.weight`).
        public var name: String
        /// L2 norm of the weight's gradient (NaN or Inf when the gradient is not finite).
        public var norm: Double
        /// Fraction of the gradient's elements that are exactly 0.
        public var zeroFraction: Double

        /// Creates a layer entry.
        public init(name: String, norm: Double, zeroFraction: Double = 0) {
            self.name = name
            self.norm = norm
            self.zeroFraction = zeroFraction
        }
    }

    /// What the norms show.
    public enum Verdict: String, Sendable {
        /// Norms within ``vanishingRatio``…``explodingRatio`` of each other from input to output.
        case healthy
        /// The input-side norm is below ``vanishingRatio`` times the output-side norm.
        case vanishing
        /// The input-side norm is above ``explodingRatio`` times the output-side norm, or a norm
        /// is NaN or infinite.
        case exploding
        /// Some layer's gradient is exactly zero everywhere.
        case noGradient
        /// Fewer than two layers with gradients: nothing to compare.
        case notApplicable
    }

    /// Layers from the input side to the output side.
    public var layers: [Layer]
    /// Input-side norm divided by output-side norm (NaN when not applicable).
    public var ratio: Double
    /// The verdict.
    public var verdict: Verdict
    /// Ratio below which gradients count as vanishing (default 1e-3: three orders of magnitude).
    public var vanishingRatio: Double
    /// Ratio above which gradients count as exploding (default 1e3).
    public var explodingRatio: Double

    /// Judges the given per-layer norms (input side first).
    public init(layers: [Layer], vanishingRatio: Double = 1e-3, explodingRatio: Double = 1e3) {
        precondition(vanishingRatio > 0 && explodingRatio > vanishingRatio,
                     "GradientFlow: need 0 < vanishingRatio < explodingRatio, got \(vanishingRatio), \(explodingRatio)")
        self.layers = layers
        self.vanishingRatio = vanishingRatio
        self.explodingRatio = explodingRatio
        guard layers.count >= 2, let first = layers.first, let last = layers.last else {
            ratio = .nan
            verdict = layers.contains { !$0.norm.isFinite } ? .exploding : .notApplicable
            return
        }
        ratio = first.norm / last.norm
        if layers.contains(where: { !$0.norm.isFinite }) {
            verdict = .exploding
        } else if layers.contains(where: { $0.zeroFraction == 1 }) {
            verdict = .noGradient
        } else if ratio < vanishingRatio {
            verdict = .vanishing
        } else if ratio > explodingRatio {
            verdict = .exploding
        } else {
            verdict = .healthy
        }
    }

    /// Judges the gradients currently stored in `model`'s parameters (see
    /// ``GradientStatistics/layerNorms(of:)``).
    public init(model: Module, vanishingRatio: Double = 1e-3, explodingRatio: Double = 1e3) {
        self.init(layers: GradientStatistics.layerNorms(of: model), vanishingRatio: vanishingRatio, explodingRatio: explodingRatio)
    }

    /// The verdict as a doctor finding (check `gradient-flow`) with the evidence and the seed's fixes.
    public var finding: DoctorFinding {
        let check = "gradient-flow"
        func norms() -> String {
            layers.map { "\($0.name) \(DoctorFormat.number($0.norm))" }.joined(separator: ", ")
        }
        switch verdict {
        case .notApplicable:
            return DoctorFinding(check: check, status: .ok, message: "fewer than two weight layers with gradients; nothing to compare")
        case .healthy:
            return DoctorFinding(check: check, status: .ok,
                                 message: "weight-gradient norms from input to output stay within \(DoctorFormat.number(1 / vanishingRatio))× of each other (input/output ratio \(DoctorFormat.number(ratio))): \(norms())")
        case .vanishing:
            return DoctorFinding(check: check, status: .fail,
                                 message: "vanishing gradients: the norm falls \(DoctorFormat.number(1 / ratio))× from \(layers.last!.name) (output side, \(DoctorFormat.number(layers.last!.norm))) to \(layers.first!.name) (input side, \(DoctorFormat.number(layers.first!.norm))); lower layers barely learn",
                                 suggestion: "or residual connections; prefer ReLU/GELU over sigmoid in deep stacks",
                                 remedies: [.batchNorm, .matchedInitializer])
        case .exploding:
            if let bad = layers.first(where: { !$0.norm.isFinite }) {
                return DoctorFinding(check: check, status: .fail,
                                     message: "exploding gradients: the gradient of \(bad.name) is \(DoctorFormat.number(bad.norm))",
                                     suggestion: "check for NaN/Inf with anomaly mode",
                                     remedies: [.lowerLearningRate, .clipGradients(maxNorm: 1)])
            }
            return DoctorFinding(check: check, status: .fail,
                                 message: "exploding gradients: the norm grows \(DoctorFormat.number(ratio))× from \(layers.last!.name) (output side, \(DoctorFormat.number(layers.last!.norm))) to \(layers.first!.name) (input side, \(DoctorFormat.number(layers.first!.norm)))",
                                 suggestion: "check the initialization scale",
                                 remedies: [.clipGradients(maxNorm: 1), .lowerLearningRate, .batchNorm])
        case .noGradient:
            let dead = layers.filter { $0.zeroFraction == 1 }.map(\.name)
            return DoctorFinding(check: check, status: .fail,
                                 message: "no gradient reaches \(dead.joined(separator: ", ")) (every element exactly 0)",
                                 suggestion: "look for dead ReLUs in front of the layer (less weight decay), a frozen or detached part of the graph, or a loss that ignores the output",
                                 remedies: [.leakyReLU, .lowerLearningRate])
        }
    }
}
