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

extension Module {
    /// Parameters and buffers by dotted name, in model order (copies of the values).
    public func stateDict() -> [(String, Tensor)] {
        (namedParameters() + namedBuffers()).map { ($0.0, $0.1.copy()) }
    }

    /// Copies values from `state` into this model's parameters and buffers, in place.
    ///
    /// - Parameter strict: when true (default), a missing or unexpected key is an error; when
    ///   false, matching keys are loaded and the rest ignored. A shape mismatch is always an error.
    /// - Returns: the keys that were not loaded (missing) and those not used (unexpected).
    /// - Throws: ``StateDictError`` naming the key; nothing is modified when it throws.
    @discardableResult
    public func loadStateDict(_ state: [(String, Tensor)], strict: Bool = true) throws -> (missing: [String], unexpected: [String]) {
        let own = namedParameters() + namedBuffers()
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
}
