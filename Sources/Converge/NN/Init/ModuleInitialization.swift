import ConvergeCore

extension Module {
    /// Fills every parameter for which `predicate(name, tensor)` holds with `initializer`, in
    /// model order, and returns the dotted names of the parameters it filled.
    ///
    /// ```swift
    /// model.initializeParameters(.kaimingNormal(nonlinearity: .relu)) { name, t in
    ///     name.hasSuffix("weight") && t.rank >= 2
    /// }
    /// model.initializeParameters(.zeros) { name, _ in name.hasSuffix("bias") }
    /// ```
    @discardableResult
    public func initializeParameters(_ initializer: Initializer, generator: RandomGenerator = Random.generator,
                                     where predicate: (String, Tensor) -> Bool) -> [String] {
        var filled: [String] = []
        for (name, tensor) in namedParameters() where predicate(name, tensor) {
            initializer.apply(to: tensor, generator: generator)
            filled.append(name)
        }
        return filled
    }
}

/// The residual branches of a model and the weight layers inside each, found generically from
/// ``Residual`` modules (used by ``Fixup`` and ``GPT2ResidualScaling``).
struct ResidualBranches {
    /// One branch: its dotted path and its weight layers in forward (declaration) order.
    struct Branch {
        let path: String
        let weightLayers: [(path: String, module: Module)]
    }
    let branches: [Branch]
    /// Weight layers outside every branch, in model order.
    let outsideLayers: [(path: String, module: Module)]

    /// Whether `module` is a weight layer: it owns a parameter named `weight` with at least 2
    /// dimensions (linear and convolution layers, not normalization scales).
    static func isWeightLayer(_ module: Module) -> Bool {
        module.namedLocalParameters().contains { $0.0 == "weight" && $0.1.rank >= 2 }
    }

    /// The `weight` (and `bias`) tensors a weight layer owns.
    static func tensors(of module: Module) -> (weight: Tensor, bias: Tensor?) {
        let local = module.namedLocalParameters()
        let weight = local.first { $0.0 == "weight" }!.1
        return (weight, local.first { $0.0 == "bias" }?.1)
    }

    /// Scans `model`. A branch is the `block` of every ``Residual``; a layer inside a nested
    /// residual branch belongs to the innermost branch only.
    init(_ model: Module) {
        let modules = model.namedModules()
        var branchPaths: [String] = []
        for (path, module) in modules where module is Residual {
            branchPaths.append(path.isEmpty ? "block" : path + ".block")
        }
        func contains(_ branch: String, _ path: String) -> Bool { path == branch || path.hasPrefix(branch + ".") }
        var layers: [String: [(String, Module)]] = [:]
        var outside: [(String, Module)] = []
        for (path, module) in modules where Self.isWeightLayer(module) {
            // The innermost (longest) branch path containing this module.
            if let owner = branchPaths.filter({ contains($0, path) }).max(by: { $0.count < $1.count }) {
                layers[owner, default: []].append((path, module))
            } else {
                outside.append((path, module))
            }
        }
        branches = branchPaths.map { Branch(path: $0, weightLayers: (layers[$0] ?? []).map { (path: $0.0, module: $0.1) }) }
        outsideLayers = outside.map { (path: $0.0, module: $0.1) }
    }
}

/// Joins a module path and a local parameter name into a dotted name.
func dottedName(_ path: String, _ name: String) -> String { path.isEmpty ? name : path + "." + name }
