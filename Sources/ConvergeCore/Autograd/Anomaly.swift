/// Anomaly detection: when enabled, every op checks its forward output and every backward rule
/// checks the gradients it produces for NaN or Inf, and the first offence is recorded with the op,
/// the module path and the phase.
public enum Anomaly {
    /// Whether ops check their results.
    public internal(set) static var isEnabled = false
    /// The dotted path of the module currently running its forward pass (maintained by modules).
    public static var currentModulePath: String? { modulePathStack.last }
    static var modulePathStack: [String] = []
    /// The first anomaly seen since detection started.
    public internal(set) static var firstAnomaly: AnomalyError?
    /// Nesting depth of running backward passes. Ops that backward rules run internally are not
    /// checked as forward ops; the rule's results are checked as the backward phase of its op.
    static var backwardDepth = 0

    /// Where in a step an anomaly happened.
    public enum Phase: String, Sendable { case forward, backward }

    /// Pushes a module path for the duration of `body` (used by `Module` to label ops).
    public static func withModulePath<R>(_ path: String, _ body: () throws -> R) rethrows -> R {
        modulePathStack.append(path)
        defer { modulePathStack.removeLast() }
        return try body()
    }

    /// Runs `body` with anomaly detection on and throws an ``AnomalyError`` naming the first op
    /// whose output (forward) or input gradient (backward) contained NaN or Inf.
    public static func detect<R>(_ body: () throws -> R) throws -> R {
        let previous = isEnabled
        isEnabled = true
        firstAnomaly = nil
        defer { isEnabled = previous }
        let result = try body()
        if let anomaly = firstAnomaly {
            firstAnomaly = nil
            throw anomaly
        }
        return result
    }

    static func check(_ tensor: Tensor, op: String, phase: Phase, modulePath: String?) {
        guard firstAnomaly == nil else { return }
        var nan = 0, inf = 0
        for v in tensor.storage.buffer where !v.isFinite { if v.isNaN { nan += 1 } else { inf += 1 } }
        if nan + inf > 0 {
            firstAnomaly = AnomalyError(op: op, modulePath: modulePath, phase: phase,
                                        nanCount: nan, infCount: inf, shape: tensor.shape)
        }
    }
}

/// The first NaN/Inf found in anomaly mode.
public struct AnomalyError: Error, CustomStringConvertible, Equatable {
    /// The op whose output (forward) or input gradient (backward) was not finite.
    public let op: String
    /// The dotted path of the module that ran the op, if any.
    public let modulePath: String?
    /// Forward or backward.
    public let phase: Anomaly.Phase
    /// How many NaN values.
    public let nanCount: Int
    /// How many infinite values.
    public let infCount: Int
    /// Shape of the offending tensor.
    public let shape: [Int]

    /// E.g. `anomaly: NaN in the forward output of log in module layers.3 (shape [4, 8]: 3 NaN, 0 Inf)`.
    public var description: String {
        let kind = nanCount > 0 ? "NaN" : "Inf"
        let place = modulePath.map { " in module \($0)" } ?? ""
        let what = phase == .forward ? "forward output" : "backward gradient"
        return "anomaly: \(kind) in the \(what) of \(op)\(place) (shape \(shape): \(nanCount) NaN, \(infCount) Inf)"
    }
}
