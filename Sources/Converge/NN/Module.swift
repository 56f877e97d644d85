import ConvergeCore

/// The base class of every layer and model.
///
/// Subclasses declare parameters with ``Parameter`` (or ``OptionalParameter``), buffers with
/// ``Buffer`` (or ``OptionalBuffer``), and submodules as stored properties of a `Module` type, an
/// optional one, an array of them (named `label.0`, `label.1`, …) or a string-keyed dictionary of
/// them (named `label.key`, keys sorted); all are discovered by reflection in declaration order
/// (superclass properties first) and named by dotted paths (`encoder.layers.0.weight`), as
/// PyTorch names them. Absent optional parameters and buffers are skipped. Override
/// ``forward(_:)`` and call the module as a function; ``train()`` / ``eval()`` reach every
/// submodule, and ``stateDict(keyStyle:)`` / ``loadStateDict(_:strict:keyStyle:)`` save and restore
/// parameters and buffers by name.
open class Module {
    /// Whether the module is in training mode (see ``train()`` / ``eval()``).
    public private(set) var isTraining = true
    /// The dotted path of this module inside the last model that enumerated it (`layers.3`).
    public internal(set) var path: String?
    private var forwardHooks: [(id: Int, hook: ForwardHook)] = []
    private var nextHookID = 0

    /// A function called after every forward pass with the module, its input and output.
    public typealias ForwardHook = (Module, Tensor, Tensor) -> Void

    /// Creates a module in training mode.
    public init() {}

    /// The computation. Subclasses override this; users call the module directly.
    open func forward(_ input: Tensor) -> Tensor {
        fatalError("\(type(of: self)) does not override forward(_:)")
    }

    /// Runs ``forward(_:)`` labelled with this module's path (for anomaly reports), then hooks.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        let output = Anomaly.withModulePath(path ?? String(describing: type(of: self))) { forward(input) }
        for entry in forwardHooks { entry.hook(self, input, output) }
        return output
    }

    // MARK: - Discovery

    /// Direct submodules with their names. The default reflects over stored properties;
    /// containers override it.
    open func namedChildren() -> [(String, Module)] {
        var result: [(String, Module)] = []
        forEachProperty { label, value in
            switch value {
            case let module as Module: result.append((label, module))
            case let modules as [Module]:
                for (i, m) in modules.enumerated() { result.append(("\(label).\(i)", m)) }
            case let modules as [String: Module]:
                for key in modules.keys.sorted() { result.append(("\(label).\(key)", modules[key]!)) }
            case let optional as Module?:
                if let m = optional { result.append((label, m)) }
            default: break
            }
        }
        return result
    }

    /// This module's own parameters (not its children's) with their local names.
    open func namedLocalParameters() -> [(String, Tensor)] {
        var result: [(String, Tensor)] = []
        forEachProperty { label, value in
            if let p = value as? Parameter { result.append((label, p.wrappedValue)) }
            if let p = value as? OptionalParameter, let t = p.wrappedValue { result.append((label, t)) }
        }
        return result
    }

    /// This module's own buffers with their local names.
    open func namedLocalBuffers() -> [(String, Tensor)] {
        var result: [(String, Tensor)] = []
        forEachProperty { label, value in
            if let b = value as? Buffer { result.append((label, b.wrappedValue)) }
            if let b = value as? OptionalBuffer, let t = b.wrappedValue { result.append((label, t)) }
        }
        return result
    }

    private func forEachProperty(_ body: (String, Any) -> Void) {
        var mirror: Mirror? = Mirror(reflecting: self)
        var mirrors: [Mirror] = []
        while let m = mirror { mirrors.append(m); mirror = m.superclassMirror }
        for m in mirrors.reversed() {
            for child in m.children {
                guard var label = child.label else { continue }
                if label.hasPrefix("_") { label.removeFirst() }
                if label == "forwardHooks" || label == "path" { continue }
                body(label, child.value)
            }
        }
    }

    /// Every module in the tree (this one first, path ""), depth first; assigns ``path``.
    public func namedModules() -> [(String, Module)] {
        var result: [(String, Module)] = []
        func visit(_ module: Module, _ prefix: String) {
            if module.path == nil || prefix != "" { module.path = prefix }
            result.append((prefix, module))
            for (name, child) in module.namedChildren() {
                visit(child, prefix.isEmpty ? name : prefix + "." + name)
            }
        }
        visit(self, "")
        path = ""
        return result
    }

    /// Every parameter with its dotted path. Each tensor's ``Tensor/name`` is set to that path.
    public func namedParameters() -> [(String, Tensor)] {
        var seen = Set<ObjectIdentifier>()
        var result: [(String, Tensor)] = []
        for (prefix, module) in namedModules() {
            for (name, tensor) in module.namedLocalParameters() where seen.insert(ObjectIdentifier(tensor)).inserted {
                let full = prefix.isEmpty ? name : prefix + "." + name
                tensor.name = full
                result.append((full, tensor))
            }
        }
        return result
    }

    /// Every module in the tree, this one first, depth first.
    public var modules: [Module] { namedModules().map { $0.1 } }

    /// Calls `body` on every module in the tree, children before their parent (PyTorch's
    /// `apply`, used for custom initialization).
    public func apply(_ body: (Module) -> Void) {
        for (_, child) in namedChildren() { child.apply(body) }
        body(self)
    }

    /// The parameter or buffer named `path` (a dotted name from ``namedParameters()`` or
    /// ``namedBuffers()``), or `nil`.
    public func tensor(named path: String) -> Tensor? {
        (namedParameters() + namedBuffers()).first { $0.0 == path }?.1
    }

    /// Every parameter (named, see ``namedParameters()``), including frozen ones.
    public var parameters: [Tensor] { namedParameters().map { $0.1 } }

    /// Parameters that currently require gradients (what an optimizer should update).
    public var trainableParameters: [Tensor] { parameters.filter { $0.requiresGrad } }

    /// Every buffer with its dotted path.
    public func namedBuffers() -> [(String, Tensor)] {
        var result: [(String, Tensor)] = []
        for (prefix, module) in namedModules() {
            for (name, tensor) in module.namedLocalBuffers() {
                result.append((prefix.isEmpty ? name : prefix + "." + name, tensor))
            }
        }
        return result
    }

    /// Total number of parameter elements.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    // MARK: - Modes

    /// Switches this module and every submodule to training mode (dropout active, BatchNorm
    /// using batch statistics).
    public func train() { setTraining(true) }

    /// Switches this module and every submodule to evaluation mode.
    public func eval() { setTraining(false) }

    /// Switches this module and every submodule to training mode when `mode` is true, else to
    /// evaluation mode (PyTorch's `train(mode)`).
    public func train(_ mode: Bool) { setTraining(mode) }

    private func setTraining(_ training: Bool) {
        for (_, module) in namedModules() { module.isTraining = training }
    }

    /// Stops gradients for every parameter (they stay in ``parameters`` and the state dictionary).
    public func freeze() { for p in parameters { p.requiresGrad = false } }

    /// Lets gradients flow to every parameter again.
    public func unfreeze() { for p in parameters { p.requiresGrad = true } }

    /// Sets every parameter's gradient to `nil`.
    public func zeroGrad() { for p in parameters { p.grad = nil } }

    // MARK: - Hooks

    /// Registers `hook` to run after each forward pass of this module; returns an id for
    /// ``removeForwardHook(_:)``.
    @discardableResult
    public func addForwardHook(_ hook: @escaping ForwardHook) -> Int {
        nextHookID += 1
        forwardHooks.append((nextHookID, hook))
        return nextHookID
    }

    /// Removes a hook added with ``addForwardHook(_:)``.
    public func removeForwardHook(_ id: Int) { forwardHooks.removeAll { $0.id == id } }
}
