import ConvergeCore

/// Why a state dictionary could not be loaded.
public enum StateDictError: Error, CustomStringConvertible, Equatable {
    /// Keys the model expects but the dictionary lacks.
    case missingKeys([String])
    /// Keys in the dictionary that the model does not have.
    case unexpectedKeys([String])
    /// A key whose tensor has the wrong shape.
    case shapeMismatch(key: String, expected: [Int], found: [Int])

    /// One line naming the keys or the shapes.
    public var description: String {
        switch self {
        case .missingKeys(let keys): return "state dict: missing keys: \(keys.joined(separator: ", "))"
        case .unexpectedKeys(let keys): return "state dict: unexpected keys: \(keys.joined(separator: ", "))"
        case .shapeMismatch(let key, let expected, let found):
            return "state dict: \(key) has shape \(found), the model expects \(expected)"
        }
    }
}

/// How state-dictionary keys are spelled.
///
/// Converge names parameters and buffers after their Swift properties (`runningMean`,
/// `numBatchesTracked`); PyTorch uses snake case (`running_mean`, `num_batches_tracked`). With
/// `.pytorch`, every dotted component is converted from camel case to snake case, so a
/// Converge `BatchNorm`'s keys match `nn.BatchNorm1d`'s and a state dictionary exported from
/// PyTorch loads directly.
public enum StateDictKeyStyle: Sendable {
    /// Swift property names (`0.runningMean`).
    case swift
    /// PyTorch names (`0.running_mean`).
    case pytorch

    /// `key` (a Swift-style dotted name) spelled in this style.
    public func spell(_ key: String) -> String {
        switch self {
        case .swift: return key
        case .pytorch: return key.split(separator: ".", omittingEmptySubsequences: false)
            .map { StateDictKeyStyle.snakeCase(String($0)) }.joined(separator: ".")
        }
    }

    /// `runningMean` → `running_mean`; recurrent `weightIH0` → `weight_ih_l0` (PyTorch's RNN
    /// names); names without capitals are unchanged.
    static func snakeCase(_ name: String) -> String {
        for prefix in ["weightIH", "weightHH", "biasIH", "biasHH"] where name.hasPrefix(prefix) {
            let layer = name.dropFirst(prefix.count)
            if !layer.isEmpty && layer.allSatisfy({ $0.isNumber }) {
                return snakeCase(prefix) + "_l" + layer
            }
        }
        var result = ""
        var previous: Character?
        for ch in name {
            if ch.isUppercase {
                if let p = previous, p.isLowercase || p.isNumber { result.append("_") }
                result.append(contentsOf: ch.lowercased())
            } else {
                result.append(ch)
            }
            previous = ch
        }
        return result
    }
}

extension Module {
    /// Parameters and buffers by dotted name, module by module (each module's parameters, then its
    /// buffers, then its children's), in PyTorch's order. Frozen parameters are included.
    public func namedState() -> [(String, Tensor)] {
        var seen = Set<ObjectIdentifier>()
        var result: [(String, Tensor)] = []
        for (prefix, module) in namedModules() {
            func full(_ name: String) -> String { prefix.isEmpty ? name : prefix + "." + name }
            for (name, tensor) in module.namedLocalParameters() where seen.insert(ObjectIdentifier(tensor)).inserted {
                tensor.name = full(name)
                result.append((full(name), tensor))
            }
            for (name, tensor) in module.namedLocalBuffers() { result.append((full(name), tensor)) }
        }
        return result
    }

    /// Parameters and buffers by dotted name (copies of the values), in ``namedState()`` order.
    public func stateDict(keyStyle: StateDictKeyStyle = .swift) -> [(String, Tensor)] {
        namedState().map { (keyStyle.spell($0.0), $0.1.copy()) }
    }

    /// Copies values from `state` into this model's parameters and buffers, in place (tensors
    /// keep their identity, so optimizers holding them see the new values).
    ///
    /// - Parameters:
    ///   - state: the values by dotted name, as ``stateDict(keyStyle:)`` returns them.
    ///   - strict: when true (default), a missing or unexpected key is an error; when false,
    ///     matching keys are loaded and the rest ignored. A shape mismatch is always an error.
    ///   - keyStyle: how the keys in `state` are spelled (see ``StateDictKeyStyle``).
    /// - Returns: the keys that were not loaded (missing) and those not used (unexpected).
    /// - Throws: ``StateDictError`` naming the keys or the key and both shapes; nothing is
    ///   modified when it throws.
    @discardableResult
    public func loadStateDict(_ state: [(String, Tensor)], strict: Bool = true,
                              keyStyle: StateDictKeyStyle = .swift) throws -> (missing: [String], unexpected: [String]) {
        let own = namedState().map { (keyStyle.spell($0.0), $0.1) }
        var given: [String: Tensor] = [:]
        for (k, v) in state { given[k] = v }
        let ownNames = Set(own.map { $0.0 })
        let missing = own.map { $0.0 }.filter { given[$0] == nil }
        let unexpected = state.map { $0.0 }.filter { !ownNames.contains($0) }
        if strict && !missing.isEmpty { throw StateDictError.missingKeys(missing) }
        if strict && !unexpected.isEmpty { throw StateDictError.unexpectedKeys(unexpected) }
        for (name, tensor) in own {
            if let value = given[name], value.shape != tensor.shape {
                throw StateDictError.shapeMismatch(key: name, expected: tensor.shape, found: value.shape)
            }
        }
        for (name, tensor) in own { if let value = given[name] { tensor.assign(value) } }
        return (missing, unexpected)
    }

    /// ``loadStateDict(_:strict:keyStyle:)`` for a dictionary (order does not matter when loading).
    @discardableResult
    public func loadStateDict(_ state: [String: Tensor], strict: Bool = true,
                              keyStyle: StateDictKeyStyle = .swift) throws -> (missing: [String], unexpected: [String]) {
        try loadStateDict(state.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, strict: strict, keyStyle: keyStyle)
    }
}
