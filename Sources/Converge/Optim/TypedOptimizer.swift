import ConvergeCore
import Foundation

/// An optimizer with typed hyperparameters per group and typed state per parameter, in the
/// manner of MLX-Swift's `OptimizerBase<State>`: ``SGD``, ``Adam``, ``AdamW``, ``RMSprop`` and
/// ``Adagrad`` derive from it and implement only ``Optimizer/step()`` over
/// ``parameterGroups`` and ``state(for:)``.
///
/// Checkpoints see PyTorch's vocabulary: each group's ``OptimizerHyperparameters/fields`` as
/// `group.<g>.<name>` (and `group.<g>.initial_lr`), each parameter's step and buffers under its
/// key (``Optimizer/parameterKeys()``): `0.weight.step`, `0.weight.exp_avg`.
open class TypedOptimizer<Hyperparameters: OptimizerHyperparameters, State: OptimizerParameterState>: Optimizer
where State.Hyperparameters == Hyperparameters {
    /// The groups with their hyperparameters. Groups appended or replaced here get a state for
    /// each new parameter.
    /// - Precondition: no parameter appears twice, and every value is valid.
    public var parameterGroups: [OptimizerGroup<Hyperparameters>] {
        get { groups }
        set {
            groups = newValue
            adoptGroups()
        }
    }
    private var groups: [OptimizerGroup<Hyperparameters>] = []
    /// The hyperparameters of groups that set none of their own.
    public let defaults: Hyperparameters
    private var states: [ObjectIdentifier: State] = [:]

    /// Creates an optimizer over `groups`; their learning rates and weight decays override `defaults`.
    public init(_ groups: [ParameterGroup], defaults: Hyperparameters) {
        self.defaults = defaults
        super.init()
        self.parameterGroups = groups.map { OptimizerGroup($0.parameters, hyperparameters: $0.hyperparameters(over: defaults)) }
    }

    private func adoptGroups() {
        var seen = Set<ObjectIdentifier>()
        for group in groups {
            if let problem = group.hyperparameters.invalidValue() { preconditionFailure("\(type(of: self)): \(problem)") }
            for p in group.parameters {
                precondition(seen.insert(ObjectIdentifier(p)).inserted,
                             "\(type(of: self)): parameter \(p.name ?? "of shape \(p.shape)") appears in more than one parameter group")
                if states[ObjectIdentifier(p)] == nil {
                    states[ObjectIdentifier(p)] = State(parameter: p, hyperparameters: group.hyperparameters)
                }
            }
        }
    }

    /// The state of `parameter`, created on first use.
    public func state(for parameter: Tensor) -> State {
        if let s = states[ObjectIdentifier(parameter)] { return s }
        let group = groups.first { $0.parameters.contains { $0 === parameter } }
        let s = State(parameter: parameter, hyperparameters: group?.hyperparameters ?? defaults)
        states[ObjectIdentifier(parameter)] = s
        return s
    }

    // MARK: - Optimizer

    public override var groupParameters: [[Tensor]] { groups.map(\.parameters) }

    public override var learningRates: [Double] {
        get { groups.map { $0.hyperparameters.learningRate } }   // a closure: no key path built per call
        set {
            precondition(newValue.count == groups.count, "\(type(of: self)): \(newValue.count) learning rates for \(groups.count) parameter groups")
            for i in groups.indices { groups[i].hyperparameters.learningRate = newValue[i] }
        }
    }

    public override var initialLearningRates: [Double] { groups.map { $0.initialLearningRate } }

    public override var momentum: Double? {
        get { (groups.first?.hyperparameters ?? defaults).cycledMomentum }
        set {
            guard let newValue else { return }
            for i in groups.indices { groups[i].hyperparameters.cycledMomentum = newValue }
        }
    }

    public override func addParameterGroup(_ group: ParameterGroup) {
        parameterGroups.append(OptimizerGroup(group.parameters, hyperparameters: group.hyperparameters(over: defaults)))
    }

    // MARK: - State dictionary

    public override func stateDict() -> OptimizerState {
        var state = OptimizerState()
        for (g, group) in groups.enumerated() {
            state.scalars["group.\(g).initial_lr"] = group.initialLearningRate
            for field in Hyperparameters.fields { state.scalars["group.\(g).\(field.name)"] = field.get(group.hyperparameters) }
        }
        for (key, p, _) in parameterKeys() {
            let s = self.state(for: p)
            state.scalars["\(key).step"] = Double(s.step)
            for name in State.bufferNames {
                if let b = s.buffer(named: name) { state.tensors.append(("\(key).\(name)", b.copy())) }
            }
        }
        return state
    }

    public override func loadStateDict(_ state: OptimizerState) throws {
        let keys = parameterKeys()
        var byKey: [String: Tensor] = [:]
        for (k, p, _) in keys { byKey[k] = p }
        let fieldNames = ["initial_lr"] + Hyperparameters.fields.map(\.name)

        // Validate scalars.
        var newGroups = groups
        var steps: [String: Int] = [:]
        for (key, value) in state.scalars.sorted(by: { $0.key < $1.key }) {
            if let (g, name) = Self.parseGroupKey(key), fieldNames.contains(name) {
                guard g < newGroups.count else { throw OptimizerStateError.unknownEntry(key) }
                if name == "initial_lr" {
                    newGroups[g].initialLearningRate = value
                } else if let field = Hyperparameters.fields.first(where: { $0.name == name }) {
                    field.set(&newGroups[g].hyperparameters, value)
                }
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
        for g in groups.indices {
            for name in fieldNames where state.scalars["group.\(g).\(name)"] == nil {
                throw OptimizerStateError.missingEntry("group.\(g).\(name)")
            }
        }
        // Validate tensors.
        var buffers: [String: [String: Tensor]] = [:]
        for (key, tensor) in state.tensors {
            guard let (paramKey, name) = Self.splitBufferKey(key, known: byKey) else { throw OptimizerStateError.unknownEntry(key) }
            let p = byKey[paramKey]!
            guard tensor.shape == p.shape else {
                throw OptimizerStateError.shapeMismatch(key: key, expected: p.shape, found: tensor.shape)
            }
            buffers[paramKey, default: [:]][name] = tensor
        }
        for (key, _, g) in keys {
            guard steps[key] != nil else { throw OptimizerStateError.missingEntry("\(key).step") }
            for name in State.requiredBufferNames(for: newGroups[g].hyperparameters) where buffers[key]?[name] == nil {
                throw OptimizerStateError.missingEntry("\(key).\(name)")
            }
        }
        // Apply.
        groups = newGroups
        for (key, p, _) in keys {
            let s = self.state(for: p)
            s.step = steps[key]!
            for name in State.bufferNames {
                if let source = buffers[key]?[name] {
                    if let existing = s.buffer(named: name) { existing.assign(source) } else { s.setBuffer(named: name, to: source.copy()) }
                } else {
                    s.setBuffer(named: name, to: nil)
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

    private static func splitBufferKey(_ key: String, known: [String: Tensor]) -> (String, String)? {
        for name in State.bufferNames where key.hasSuffix("." + name) {
            let paramKey = String(key.dropLast(name.count + 1))
            if known[paramKey] != nil { return (paramKey, name) }
        }
        return nil
    }
}
