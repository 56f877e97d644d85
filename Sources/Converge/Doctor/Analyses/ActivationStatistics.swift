import ConvergeCore
import Foundation

/// Statistics of one layer's output for one batch (the seed's `log_activation_stats`, §7.8.4):
/// mean, standard deviation, fraction of exact zeros, fraction saturated (for tanh and sigmoid
/// outputs), and dead units (for ReLU outputs: units that are zero for every example of the batch).
///
/// Healthy activations are neither collapsed (all near zero) nor saturated (all at the ends of
/// a bounded activation).
///
/// ```swift
/// for s in ActivationStatistics.profile(model, input: batch) {
///     print(s.path, s.layer, s.mean, s.std, s.deadUnits ?? 0)
/// }
/// ```
public struct ActivationStatistics: Equatable, Sendable {
    /// What kind of output a layer produces, which decides the extra statistics.
    public enum OutputKind: String, Sendable {
        /// An affine or normalization output (Linear, Conv, norm layers): no saturation, no dead units.
        case affine
        /// A ReLU output: dead units are counted.
        case rectified
        /// A tanh output, saturated where |y| > 0.99.
        case tanh
        /// A sigmoid output, saturated where y < 0.01 or y > 0.99.
        case sigmoid
        /// Another unbounded activation (LeakyReLU, GELU, SiLU).
        case smooth
    }

    /// The module's dotted path (`layers.3`).
    public var path: String
    /// The module's type (`Linear`, `ReLU`, …).
    public var layer: String
    /// The kind of output.
    public var kind: OutputKind
    /// Number of elements.
    public var count: Int
    /// Number of units: features of a Linear output (last axis), channels otherwise (axis 1).
    public var units: Int
    /// Mean of the elements.
    public var mean: Double
    /// Unbiased standard deviation.
    public var std: Double
    /// Fraction of elements exactly 0.
    public var zeroFraction: Double
    /// Fraction of elements at the ends of a bounded activation (`nil` for other outputs).
    public var saturatedFraction: Double?
    /// Units that are exactly 0 for every example and position of the batch (ReLU outputs
    /// only; `nil` otherwise).
    public var deadUnits: Int?

    /// Fraction of ``units`` that are dead (0 when not counted).
    public var deadFraction: Double { units > 0 ? Double(deadUnits ?? 0) / Double(units) : 0 }

    /// Measures `output`, whose units lie along `unitAxis`.
    public init(path: String, layer: String, kind: OutputKind, output: Tensor, unitAxis: Int) {
        self.path = path
        self.layer = layer
        self.kind = kind
        count = output.count
        let shape = output.shape
        let axis = shape.isEmpty ? 0 : (unitAxis < 0 ? shape.count + unitAxis : unitAxis)
        let unitCount = shape.isEmpty ? 1 : shape[Swift.min(Swift.max(axis, 0), shape.count - 1)]
        let inner = shape.isEmpty ? 1 : shape.suffix(from: Swift.min(axis + 1, shape.count)).reduce(1, *)
        units = unitCount
        var sum = 0.0, zeros = 0, saturated = 0
        var alive = [Bool](repeating: false, count: Swift.max(unitCount, 1))
        output.withUnsafeBufferPointer { buffer in
            for (i, v) in buffer.enumerated() {
                sum += Double(v)
                if v == 0 { zeros += 1 } else { alive[(i / inner) % unitCount] = true }
                switch kind {
                case .tanh: if Swift.abs(v) > 0.99 { saturated += 1 }
                case .sigmoid: if v < 0.01 || v > 0.99 { saturated += 1 }
                default: break
                }
            }
        }
        let n = Double(Swift.max(count, 1))
        mean = sum / n
        var squares = 0.0
        let m = mean
        output.withUnsafeBufferPointer { buffer in for v in buffer { let d = Double(v) - m; squares += d * d } }
        std = count > 1 ? (squares / Double(count - 1)).squareRoot() : .nan
        zeroFraction = Double(zeros) / n
        saturatedFraction = kind == .tanh || kind == .sigmoid ? Double(saturated) / n : nil
        deadUnits = kind == .rectified ? alive.prefix(unitCount).filter { !$0 }.count : nil
    }

    /// The output kind and unit axis of the modules the doctor watches — Linear, Conv1d,
    /// Conv2d, the normalization layers and the activation layers — or `nil` for others.
    public static func observation(of module: Module) -> (kind: OutputKind, unitAxis: Int)? {
        switch module {
        case let linear as Linear: return (kind(of: linear.activation), -1)
        case is Conv1d, is Conv2d, is BatchNorm, is LayerNorm, is GroupNorm, is InstanceNorm: return (.affine, 1)
        case is ReLU: return (.rectified, 1)
        case is Tanh: return (.tanh, 1)
        case is Sigmoid: return (.sigmoid, 1)
        case is LeakyReLU, is GELU, is SiLU: return (.smooth, 1)
        default: return nil
        }
    }

    private static func kind(of activation: Activation) -> OutputKind {
        switch activation {
        case .identity: return .affine
        case .relu: return .rectified
        case .tanh: return .tanh
        case .sigmoid: return .sigmoid
        case .leakyRelu, .gelu, .silu: return .smooth
        }
    }

    /// Runs `input` through `model` once in evaluation mode without gradients (restoring the
    /// mode afterwards) and returns the statistics of every watched module's output, in the
    /// order the modules ran (see ``observation(of:)``).
    public static func profile(_ model: Module, input: Tensor) -> [ActivationStatistics] {
        let monitor = ActivationMonitor()
        monitor.attach(to: model)
        defer { monitor.detach() }
        let wasTraining = model.isTraining
        model.eval()
        defer { if wasTraining { model.train() } }
        withNoGrad { _ = model(input) }
        return monitor.latest
    }

    /// What a set of statistics (one batch) shows, as doctor findings (check `activations`):
    /// dead ReLU units (fail when a layer has at least `deadLimit` of its units dead, warn when
    /// any layer has more than a tenth), saturated tanh/sigmoid layers (warn at `saturationLimit`
    /// or more), and collapsed outputs (standard deviation below 1e-6); one `ok` finding when
    /// none of these shows.
    public static func findings(_ statistics: [ActivationStatistics], deadLimit: Double = 0.5,
                                saturationLimit: Double = 0.5, context: String = "") -> [DoctorFinding] {
        var result: [DoctorFinding] = []
        let prefix = context.isEmpty ? "" : context + ": "
        let dead = statistics.filter { $0.deadFraction >= deadLimit }
        let someDead = statistics.filter { $0.deadFraction > 0.1 && $0.deadFraction < deadLimit }
        func describe(_ s: ActivationStatistics) -> String {
            "\(s.path) (\(s.layer)) has \(s.deadUnits ?? 0) of \(s.units) units dead"
        }
        if !dead.isEmpty {
            result.append(DoctorFinding(check: "dead-relu", status: .fail,
                                        message: prefix + dead.map(describe).joined(separator: "; ") + " (zero for the whole batch)",
                                        suggestion: "dead ReLUs never recover; reduce weight decay",
                                        remedies: [.leakyReLU, .lowerLearningRate, .clipGradients(maxNorm: 1)]))
        } else if !someDead.isEmpty {
            result.append(DoctorFinding(check: "dead-relu", status: .warn,
                                        message: prefix + someDead.map(describe).joined(separator: "; ") + " (zero for the whole batch)",
                                        suggestion: "watch these units; if the fraction grows, lower the learning rate or use LeakyReLU/GELU"))
        }
        let saturated = statistics.filter { ($0.saturatedFraction ?? 0) >= saturationLimit }
        if !saturated.isEmpty {
            result.append(DoctorFinding(check: "saturation", status: .warn,
                                        message: prefix + saturated.map { "\($0.path) (\($0.layer)) is \(DoctorFormat.percent($0.saturatedFraction ?? 0)) saturated" }.joined(separator: "; "),
                                        suggestion: "saturated units pass almost no gradient",
                                        remedies: [.matchedInitializer, .standardizeInputs, .batchNorm]))
        }
        let collapsed = statistics.filter { $0.count > 1 && $0.std.isFinite && $0.std < 1e-6 }
        if !collapsed.isEmpty {
            result.append(DoctorFinding(check: "activations", status: .fail,
                                        message: prefix + collapsed.map { "\($0.path) (\($0.layer)) output has std \(DoctorFormat.number($0.std))" }.joined(separator: "; ") + ": activations collapsed",
                                        suggestion: "the initialization is too small or a layer saturates",
                                        remedies: [.matchedInitializer, .batchNorm]))
        }
        if result.isEmpty && !statistics.isEmpty {
            let rectified = statistics.compactMap { $0.deadUnits }.reduce(0, +)
            result.append(DoctorFinding(check: "activations", status: .ok,
                                        message: prefix + "\(statistics.count) layer outputs neither collapsed nor saturated; \(rectified) dead ReLU units; std from \(DoctorFormat.number(statistics.map(\.std).min()!)) to \(DoctorFormat.number(statistics.map(\.std).max()!))"))
        }
        return result
    }
}
