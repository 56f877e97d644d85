import ConvergeCore
import Foundation

/// Per-parameter optimizer state: the number of updates applied and the optimizer's buffers
/// (Adam's moments, SGD's momentum buffer), each the parameter's shape.
///
/// Buffers live in slots named by ``Optimizer/stateBufferNames``; a slot is `nil` until the
/// optimizer first needs it and is then allocated once and updated in place.
public final class ParameterState {
    /// Updates applied to the parameter so far (PyTorch's `state["step"]`).
    public var step: Int = 0
    /// The buffers, indexed like ``Optimizer/stateBufferNames``.
    public var buffers: [Tensor?]

    /// Creates an empty state with `slots` buffer slots.
    public init(slots: Int) { buffers = Array(repeating: nil, count: slots) }
}

/// The base class of optimizers: parameter groups with their own hyperparameters, per-parameter
/// state, and checkpointable state keyed by parameter name.
///
/// A training step is `zeroGrad()`, forward, `backward()`, `step()`. Updates follow PyTorch's
/// single-tensor CPU implementations operation by operation in float32, so trajectories match
/// `torch.optim` to rounding. Parameters whose ``Tensor/grad`` is `nil` are skipped, as in PyTorch.
///
/// Subclasses declare their buffers in ``stateBufferNames`` and implement ``step()`` over raw
/// buffers, using ``state(for:)`` and ``buffer(_:of:for:group:)``.
open class Optimizer {
    /// The groups of parameters and their hyperparameters. A group appended or replaced here
    /// has its `nil` hyperparameters filled from ``defaults``.
    public var parameterGroups: [ParameterGroup] {
        get { adoptedGroups }
        set { adoptedGroups = adopt(newValue) }
    }
    private var adoptedGroups: [ParameterGroup] = []
    /// The optimizer's default hyperparameters (its `parameters` is empty).
    public let defaults: ParameterGroup
    private var states: [ObjectIdentifier: ParameterState] = [:]

    /// Creates an optimizer over `groups`, filling their unset hyperparameters from `defaults`.
    /// - Precondition: no parameter appears twice.
    public init(_ groups: [ParameterGroup], defaults: ParameterGroup) {
        var d = defaults
        d.parameters = []
        d.initialLearningRate = d.initialLearningRate ?? d.learningRate
        self.defaults = d
        self.parameterGroups = groups
    }

    private func adopt(_ groups: [ParameterGroup]) -> [ParameterGroup] {
        var seen = Set<ObjectIdentifier>()
        var result = groups
        for i in result.indices {
            let group = result[i].filled(from: defaults)
            result[i] = group
            for p in group.parameters {
                precondition(seen.insert(ObjectIdentifier(p)).inserted,
                             "\(type(of: self)): parameter \(p.name ?? "of shape \(p.shape)") appears in more than one parameter group")
                if states[ObjectIdentifier(p)] == nil { states[ObjectIdentifier(p)] = makeState(for: p, group: group) }
            }
        }
        return result
    }

    private func makeState(for parameter: Tensor, group: ParameterGroup) -> ParameterState {
        let state = ParameterState(slots: stateBufferNames.count)
        for (slot, name) in stateBufferNames.enumerated() where requiredBufferNames(for: group).contains(name) {
            state.buffers[slot] = Tensor.full(parameter.shape, value: initialBufferValue(named: name, group: group))
        }
        return state
    }

    // MARK: - Subclass interface

    /// Names of the per-parameter buffers, in slot order (e.g. `["exp_avg", "exp_avg_sq"]`).
    open var stateBufferNames: [String] { [] }

    /// Buffers allocated for every parameter up front (the rest are allocated when first needed);
    /// a loaded state must contain these.
    open func requiredBufferNames(for group: ParameterGroup) -> [String] { [] }

    /// The value a newly allocated buffer starts with (0 unless overridden).
    open func initialBufferValue(named name: String, group: ParameterGroup) -> Float { 0 }

    /// Applies one update to every parameter that has a gradient. Subclasses override this.
    open func step() {
        preconditionFailure("\(type(of: self)) does not override step()")
    }

    /// The state of `parameter`, created on first use.
    public func state(for parameter: Tensor) -> ParameterState {
        if let s = states[ObjectIdentifier(parameter)] { return s }
        let group = parameterGroups.first { $0.parameters.contains { $0 === parameter } } ?? defaults
        let s = makeState(for: parameter, group: group)
        states[ObjectIdentifier(parameter)] = s
        return s
    }

    /// The buffer in `slot` of `state`, allocated (filled with ``initialBufferValue(named:group:)``)
    /// the first time it is asked for.
    public func buffer(_ slot: Int, of state: ParameterState, for parameter: Tensor, group: ParameterGroup) -> Tensor {
        if let b = state.buffers[slot] { return b }
        let b = Tensor.full(parameter.shape, value: initialBufferValue(named: stateBufferNames[slot], group: group))
        state.buffers[slot] = b
        return b
    }

    // MARK: - Common operations

    /// Sets every parameter's gradient to `nil` (PyTorch's `zero_grad(set_to_none=True)`).
    public func zeroGrad() {
        for group in parameterGroups { for p in group.parameters { p.grad = nil } }
    }

    /// Every parameter, group by group.
    public var parameters: [Tensor] { parameterGroups.flatMap { $0.parameters } }

    /// The first group's learning rate; setting it sets every group's.
    public var learningRate: Double {
        get { parameterGroups.first?.learningRate ?? defaults.learningRate ?? 0 }
        set { updateEveryGroup { $0.learningRate = newValue } }
    }

    /// Sets the first group's learning rate to `rate` and every other group's in proportion to
    /// their ``ParameterGroup/initialLearningRate`` (so groups that started at a tenth of the
    /// first group's rate stay at a tenth). With equal initial rates this is ``learningRate``'s setter.
    public func setLearningRateKeepingGroupRatios(_ rate: Double) {
        guard let reference = parameterGroups.first?.initialLearningRate, reference != 0 else {
            learningRate = rate
            return
        }
        var isFirst = true
        updateEveryGroup { group in
            let initial = group.initialLearningRate ?? reference
            group.learningRate = isFirst ? rate : rate * (initial / reference)
            isFirst = false
        }
    }

    /// The momentum a schedule may cycle: SGD's and RMSprop's momentum, Adam's and AdamW's β₁;
    /// `nil` for optimizers without one (setting it then does nothing). Reads the first group;
    /// setting it sets every group's.
    open var momentum: Double? {
        get { nil }
        set {}
    }

    /// Applies `change` to every parameter group (for hyperparameter setters such as
    /// ``momentum``).
    public func updateEveryGroup(_ change: (inout ParameterGroup) -> Void) {
        var groups = parameterGroups
        for i in groups.indices { change(&groups[i]) }
        parameterGroups = groups
    }

    // MARK: - State dictionary

    private static let groupFields: [(String, (ParameterGroup) -> Double?, (inout ParameterGroup, Double) -> Void)] = [
        ("lr", { $0.learningRate }, { $0.learningRate = $1 }),
        ("initial_lr", { $0.initialLearningRate }, { $0.initialLearningRate = $1 }),
        ("weight_decay", { $0.weightDecay }, { $0.weightDecay = $1 }),
        ("momentum", { $0.momentum }, { $0.momentum = $1 }),
        ("dampening", { $0.dampening }, { $0.dampening = $1 }),
        ("nesterov", { $0.nesterov.map { $0 ? 1 : 0 } }, { $0.nesterov = $1 != 0 }),
        ("beta1", { $0.betas?.0 }, { $0.betas = ($1, $0.betas?.1 ?? 0.999) }),
        ("beta2", { $0.betas?.1 }, { $0.betas = ($0.betas?.0 ?? 0.9, $1) }),
        ("eps", { $0.eps }, { $0.eps = $1 }),
        ("amsgrad", { $0.amsgrad.map { $0 ? 1 : 0 } }, { $0.amsgrad = $1 != 0 }),
        ("alpha", { $0.alpha }, { $0.alpha = $1 }),
        ("centered", { $0.centered.map { $0 ? 1 : 0 } }, { $0.centered = $1 != 0 }),
        ("lr_decay", { $0.learningRateDecay }, { $0.learningRateDecay = $1 }),
        ("initial_accumulator_value", { $0.initialAccumulatorValue }, { $0.initialAccumulatorValue = $1 }),
    ]

    /// Each parameter with the key its state is saved under: its ``Tensor/name``, or
    /// `group<g>.param<i>` when it has none or the name is already taken.
    public func parameterKeys() -> [(key: String, parameter: Tensor, group: Int)] {
        var used = Set<String>()
        var result: [(key: String, parameter: Tensor, group: Int)] = []
        for (g, group) in parameterGroups.enumerated() {
            for (i, p) in group.parameters.enumerated() {
                var key = p.name ?? "group\(g).param\(i)"
                if used.contains(key) { key = "group\(g).param\(i)" }
                var n = 2
                let base = key
                while used.contains(key) { key = "\(base)#\(n)"; n += 1 }
                used.insert(key)
                result.append((key, p, g))
            }
        }
        return result
    }

    /// A copy of the optimizer's state: every parameter's step count and buffers, and every
    /// group's hyperparameters, keyed by parameter name (see ``OptimizerState``).
    public func stateDict() -> OptimizerState {
        var state = OptimizerState()
        for (g, group) in parameterGroups.enumerated() {
            for (field, get, _) in Self.groupFields where get(defaults) != nil {
                if let v = get(group) { state.scalars["group.\(g).\(field)"] = v }
            }
        }
        for (key, p, _) in parameterKeys() {
            let s = self.state(for: p)
            state.scalars["\(key).step"] = Double(s.step)
            for (slot, name) in stateBufferNames.enumerated() {
                if let b = s.buffers[slot] { state.tensors.append(("\(key).\(name)", b.copy())) }
            }
        }
        return state
    }

    /// Restores a state saved by ``stateDict()`` of an optimizer of the same kind over parameters
    /// with the same names and shapes (values are copied; the optimizer keeps its own buffers).
    ///
    /// - Throws: ``OptimizerStateError`` naming the first missing or unknown key, or a buffer whose
    ///   shape differs from its parameter's. Nothing is modified when it throws.
    public func loadStateDict(_ state: OptimizerState) throws {
        let keys = parameterKeys()
        var byKey: [String: (parameter: Tensor, group: Int)] = [:]
        for (k, p, g) in keys { byKey[k] = (p, g) }
        let usedFields = Self.groupFields.filter { $0.1(defaults) != nil }

        // Validate scalars.
        var newGroups = parameterGroups
        var steps: [String: Int] = [:]
        for (key, value) in state.scalars.sorted(by: { $0.key < $1.key }) {
            if let (g, field) = Self.parseGroupKey(key), let entry = usedFields.first(where: { $0.0 == field }) {
                guard g < newGroups.count else { throw OptimizerStateError.unknownEntry(key) }
                entry.2(&newGroups[g], value)
                continue
            }
            guard key.hasSuffix(".step"), byKey[String(key.dropLast(5))] != nil else {
                throw OptimizerStateError.unknownEntry(key)
            }
            guard value >= 0, value == value.rounded(), value < 1e15 else {
                throw OptimizerStateError.invalidValue(key: key, value: value)
            }
            steps[String(key.dropLast(5))] = Int(value)
        }
        for g in parameterGroups.indices {
            for (field, _, _) in usedFields where state.scalars["group.\(g).\(field)"] == nil {
                throw OptimizerStateError.missingEntry("group.\(g).\(field)")
            }
        }
        // Validate tensors.
        var buffers: [String: [Int: Tensor]] = [:]
        for (key, tensor) in state.tensors {
            guard let (paramKey, slot) = splitBufferKey(key, known: byKey) else { throw OptimizerStateError.unknownEntry(key) }
            let p = byKey[paramKey]!.parameter
            guard tensor.shape == p.shape else {
                throw OptimizerStateError.shapeMismatch(key: key, expected: p.shape, found: tensor.shape)
            }
            buffers[paramKey, default: [:]][slot] = tensor
        }
        for (key, _, g) in keys {
            guard steps[key] != nil else { throw OptimizerStateError.missingEntry("\(key).step") }
            let required = requiredBufferNames(for: newGroups[g])
            for (slot, name) in stateBufferNames.enumerated() where required.contains(name) && buffers[key]?[slot] == nil {
                throw OptimizerStateError.missingEntry("\(key).\(name)")
            }
        }
        // Apply.
        parameterGroups = newGroups
        for (key, p, _) in keys {
            let s = self.state(for: p)
            s.step = steps[key]!
            for slot in stateBufferNames.indices {
                if let source = buffers[key]?[slot] {
                    if let existing = s.buffers[slot] { existing.assign(source) } else { s.buffers[slot] = source.copy() }
                } else {
                    s.buffers[slot] = nil
                }
            }
        }
    }

    private static func parseGroupKey(_ key: String) -> (Int, String)? {
        guard key.hasPrefix("group.") else { return nil }
        let rest = key.dropFirst(6)
        guard let dot = rest.firstIndex(of: "."), let g = Int(rest[..<dot]) else { return nil }
        return (g, String(rest[rest.index(after: dot)...]))
    }

    private func splitBufferKey(_ key: String, known: [String: (parameter: Tensor, group: Int)]) -> (String, Int)? {
        for (slot, name) in stateBufferNames.enumerated() where key.hasSuffix("." + name) {
            let paramKey = String(key.dropLast(name.count + 1))
            if known[paramKey] != nil { return (paramKey, slot) }
        }
        return nil
    }
}
