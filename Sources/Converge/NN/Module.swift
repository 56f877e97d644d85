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
/// submodule, and ``stateDict(keyStyle:)`` / `loadStateDict(_:strict:keyStyle:)` save and restore
/// parameters and buffers by name.
///
/// **Reflection is done once.** A module reflects over its stored properties the first time it
/// is enumerated and keeps what it found: the parameter and buffer wrappers (so assigning a new
/// tensor to `weight` is seen at once) and its submodules. A model keeps its tree of modules
/// and their names until some module's structure changes: ``Sequential/append(_:)`` says so
/// itself; code that assigns a different submodule to a stored property (or changes a stored
/// array of them) after the model was first enumerated calls ``invalidateStructure()``.
/// State-dictionary names do not depend on the cache.
open class Module {
    /// Whether the module is in training mode (see ``train()`` / ``eval()``).
    public private(set) var isTraining = true
    /// The dotted path of this module inside the last model that enumerated it (`layers.3`).
    public internal(set) var path: String?
    private var forwardHooks: [(id: Int, hook: ForwardHook)] = []
    private var nextHookID = 0
    /// What reflection found in this module's own stored properties (nil: not reflected yet).
    private var reflected: ReflectedProperties?
    /// The tree below this module as last enumerated (without the module itself: a reference to
    /// itself would keep every enumerated model alive for ever), and the structure generation it
    /// was built at.
    private var cachedTree: (generation: Int, modules: [(String, Module)])?

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

    /// Direct submodules with their names. The default reads the stored properties (reflected
    /// once, see ``invalidateStructure()``); containers override it.
    open func namedChildren() -> [(String, Module)] {
        reflectedProperties().children
    }

    /// This module's own parameters (not its children's) with their local names.
    open func namedLocalParameters() -> [(String, Tensor)] {
        reflectedProperties().parameters.compactMap { label, read in read().map { (label, $0) } }
    }

    /// This module's own buffers with their local names.
    open func namedLocalBuffers() -> [(String, Tensor)] {
        reflectedProperties().buffers.compactMap { label, read in read().map { (label, $0) } }
    }

    /// Forgets what reflection found in this module and every model's cached tree of modules.
    /// Call it after assigning a different submodule to a stored property (or changing a stored
    /// array or dictionary of submodules) of a module that was already enumerated; assigning a
    /// tensor to a parameter or buffer needs no call.
    public func invalidateStructure() {
        reflected = nil
        Module.structureGeneration &+= 1
    }

    /// Bumped by every ``invalidateStructure()``; a cached tree built at an older value is rebuilt.
    nonisolated(unsafe) private static var structureGeneration = 0

    /// The stored properties' parameters, buffers (read through their wrappers, so always
    /// current) and submodules, reflected on first use.
    private struct ReflectedProperties {
        var parameters: [(String, () -> Tensor?)] = []
        var buffers: [(String, () -> Tensor?)] = []
        var children: [(String, Module)] = []
    }

    private func reflectedProperties() -> ReflectedProperties {
        if let reflected { return reflected }
        var result = ReflectedProperties()
        forEachProperty { label, value in
            switch value {
            case let p as Parameter: result.parameters.append((label, { p.wrappedValue }))
            case let p as OptionalParameter: result.parameters.append((label, { p.wrappedValue }))
            case let b as Buffer: result.buffers.append((label, { b.wrappedValue }))
            case let b as OptionalBuffer: result.buffers.append((label, { b.wrappedValue }))
            case let module as Module: result.children.append((label, module))
            case let modules as [Module]:
                for (i, m) in modules.enumerated() { result.children.append(("\(label).\(i)", m)) }
            case let modules as [String: Module]:
                for key in modules.keys.sorted() { result.children.append(("\(label).\(key)", modules[key]!)) }
            case let optional as Module?:
                if let m = optional { result.children.append((label, m)) }
            default: break
            }
        }
        reflected = result
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
                if label == "forwardHooks" || label == "path" || label == "reflected" || label == "cachedTree" { continue }
                body(label, child.value)
            }
        }
    }

    /// Every module in the tree (this one first, path ""), depth first; assigns ``path``.
    ///
    /// The tree is cached (see ``invalidateStructure()``); only the paths are assigned again.
    public func namedModules() -> [(String, Module)] {
        let result: [(String, Module)]
        if let cachedTree, cachedTree.generation == Module.structureGeneration {
            result = [("", self)] + cachedTree.modules
        } else {
            var tree: [(String, Module)] = []
            func visit(_ module: Module, _ prefix: String) {
                tree.append((prefix, module))
                for (name, child) in module.namedChildren() {
                    visit(child, prefix.isEmpty ? name : prefix + "." + name)
                }
            }
            visit(self, "")
            cachedTree = (Module.structureGeneration, Array(tree.dropFirst()))
            result = tree
        }
        for (prefix, module) in result where module.path == nil || prefix != "" { module.path = prefix }
        path = ""
        return result
    }

    /// Every parameter with its dotted path. Each tensor's `Tensor.name` is set to that path.
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

    /// Whether any forward hook is registered (fused layer runs skip modules that have one).
    public var hasForwardHooks: Bool { !forwardHooks.isEmpty }

    /// Removes a hook added with ``addForwardHook(_:)``.
    public func removeForwardHook(_ id: Int) { forwardHooks.removeAll { $0.id == id } }
}
