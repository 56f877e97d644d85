import Yams

/// A value in a recipe with its location, for reading with precise error messages.
struct RecipeField {
    let node: Node
    let path: String
    let file: String

    var line: Int? { node.mark?.line }

    func error(_ message: String) -> RecipeError {
        RecipeError(file: file, line: line, field: path, message: message)
    }

    private func child(_ key: String, _ node: Node) -> RecipeField {
        RecipeField(node: node, path: path.isEmpty ? key : "\(path).\(key)", file: file)
    }

    private var shown: String {
        switch node {
        case .scalar(let s): return "'\(s.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }

    /// The entries of a mapping, rejecting keys not in `allowed` (listing the valid ones).
    func mapping(allowed: [String]) throws -> [String: RecipeField] {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping, got \(shown)") }
        var result: [String: RecipeField] = [:]
        for (key, value) in mapping {
            guard let name = key.string else { throw error("keys must be strings") }
            guard allowed.contains(name) else {
                throw RecipeError(file: file, line: key.mark?.line ?? line, field: path.isEmpty ? name : "\(path).\(name)",
                                  message: "unknown key '\(name)' (valid: \(allowed.joined(separator: ", ")))")
            }
            guard result[name] == nil else {
                throw RecipeError(file: file, line: key.mark?.line ?? line, field: path.isEmpty ? name : "\(path).\(name)",
                                  message: "duplicate key '\(name)' (it is given more than once)")
            }
            result[name] = child(name, value)
        }
        return result
    }

    /// A mapping with exactly one key (e.g. `{conv1d: {...}}`); returns the key and its value.
    func singleEntry(allowed: [String]) throws -> (String, RecipeField) {
        let entries = try mapping(allowed: allowed)
        guard entries.count == 1, let (key, value) = entries.first else {
            throw error("expected exactly one of \(allowed.joined(separator: ", "))")
        }
        return (key, value)
    }

    func list() throws -> [RecipeField] {
        guard case .sequence(let sequence) = node else { throw error("expected a list, got \(shown)") }
        return sequence.enumerated().map { RecipeField(node: $0.element, path: "\(path)[\($0.offset)]", file: file) }
    }

    var isNull: Bool {
        if case .scalar(let s) = node { return s.string == "~" || s.string == "null" || s.string.isEmpty }
        return false
    }

    func double() throws -> Double {
        guard case .scalar = node, let v = node.float ?? node.int.map(Double.init) else {
            throw error("expected a number, got \(shown)")
        }
        guard v.isFinite else { throw error("expected a finite number, got \(shown)") }
        return v
    }

    func positiveDouble() throws -> Double {
        let v = try double()
        guard v > 0 else { throw error("must be positive, got \(v)") }
        return v
    }

    func int() throws -> Int {
        guard case .scalar = node, let v = node.int else { throw error("expected an integer, got \(shown)") }
        return v
    }

    func positiveInt() throws -> Int {
        let v = try int()
        guard v > 0 else { throw error("must be a positive integer, got \(v)") }
        return v
    }

    /// An integer in `range` (sizes and counts from a recipe are bounded so that no arithmetic
    /// on them can overflow).
    func int(in range: ClosedRange<Int>) throws -> Int {
        guard case .scalar = node, let v = node.int ?? node.float.flatMap({ d in
            // A whole number written as a float (`3.0`, as printed recipes have) in range.
            d.isFinite && d == d.rounded() && abs(d) <= Double(range.upperBound) ? Int(d) : nil
        }) else {
            if case .scalar = node, let d = node.float, d.isFinite, d == d.rounded() {
                throw error("must be at most \(range.upperBound), got \(shown)")
            }
            throw error("expected an integer, got \(shown)")
        }
        guard range.contains(v) else {
            throw error(v < range.lowerBound
                        ? (range.lowerBound == 1 ? "must be a positive integer, got \(v)" : "must be at least \(range.lowerBound), got \(v)")
                        : "must be at most \(range.upperBound), got \(v)")
        }
        return v
    }

    /// A number in `range`, naming the range in the error.
    func double(in range: ClosedRange<Double>, open: Bool = false) throws -> Double {
        let v = try double()
        guard range.contains(v), !open || v != range.upperBound else {
            throw error("must be in [\(range.lowerBound), \(range.upperBound)\(open ? ")" : "]"), got \(v)")
        }
        return v
    }

    func nonNegativeDouble() throws -> Double {
        let v = try double()
        guard v >= 0 else { throw error("must not be negative, got \(v)") }
        return v
    }

    func nonNegativeInt() throws -> Int {
        let v = try int()
        guard v >= 0 else { throw error("must not be negative, got \(v)") }
        return v
    }

    func bool() throws -> Bool {
        guard case .scalar = node, let v = node.bool else { throw error("expected true or false, got \(shown)") }
        return v
    }

    func string() throws -> String {
        guard case .scalar(let s) = node else { throw error("expected a string, got \(shown)") }
        return s.string
    }

    func choice(_ options: [String]) throws -> String {
        let v = try string()
        guard options.contains(v) else { throw error("unknown value '\(v)' (valid: \(options.joined(separator: ", ")))") }
        return v
    }

    func intList() throws -> [Int] { try list().map { try $0.int() } }
    func intList(in range: ClosedRange<Int>) throws -> [Int] { try list().map { try $0.int(in: range) } }
    func doubleList() throws -> [Double] { try list().map { try $0.double() } }
}
