import Foundation
import Yams

/// One `--set key.path=value` override of a recipe field, as Lightning CLI's `--key=value`.
///
/// The path is the dotted field path of the recipe (`optimizer.lr`, `training.early_stopping.patience`,
/// `model.layers[2].conv1d.out`); the value is YAML, typed as the recipe would type it
/// (`3e-3` is a number, `true` a boolean, `[64, 32]` a list, `adamw` a string). Missing
/// mappings on the way are created, so `--set schedule.name=cosine` adds a schedule.
///
/// ```swift
/// let recipe = try Recipe.load(from: url, overrides: [try RecipeOverride("optimizer.lr=3e-3")])
/// ```
///
/// A value the recipe rejects is reported as an error naming the flag and the field:
/// `--set optimizer.lr=fast: optimizer.lr: expected a number, got 'fast'`.
public struct RecipeOverride: Equatable, CustomStringConvertible {
    /// One step of a field path: a mapping key or a list index.
    public enum PathComponent: Equatable, Sendable {
        /// A key of a mapping.
        case key(String)
        /// A position in a list (0-based).
        case index(Int)
    }

    /// The field path as written, e.g. `optimizer.lr`.
    public let field: String
    /// The field path, parsed.
    public let path: [PathComponent]
    /// The value as written after `=`.
    public let value: String

    /// Parses `key.path=value`.
    ///
    /// - Throws: ``RecipeOverrideError`` when there is no `=`, the path is empty or malformed.
    public init(_ argument: String) throws {
        guard let equals = argument.firstIndex(of: "=") else {
            throw RecipeOverrideError(argument: argument, field: "", message: "expected key.path=value")
        }
        field = argument[..<equals].trimmingCharacters(in: .whitespaces)
        value = String(argument[argument.index(after: equals)...])
        guard !field.isEmpty else { throw RecipeOverrideError(argument: argument, field: "", message: "the field path before '=' is empty") }
        var components: [PathComponent] = []
        for part in field.split(separator: ".", omittingEmptySubsequences: false) {
            var rest = Substring(part)
            let key = rest.prefix { $0 != "[" }
            guard !key.isEmpty else {
                throw RecipeOverrideError(argument: argument, field: field, message: "empty key in the field path")
            }
            components.append(.key(String(key)))
            rest = rest.dropFirst(key.count)
            while !rest.isEmpty {
                guard rest.first == "[", let close = rest.firstIndex(of: "]"),
                      let index = Int(rest[rest.index(after: rest.startIndex)..<close]), index >= 0 else {
                    throw RecipeOverrideError(argument: argument, field: field,
                                              message: "malformed list index in the field path (write e.g. model.layers[2].linear.out)")
                }
                components.append(.index(index))
                rest = rest[rest.index(after: close)...]
            }
        }
        path = components
    }

    /// `--set field=value`.
    public var description: String { "--set \(field)=\(value)" }

    /// The value as a YAML node (a scalar, or a flow list or mapping such as `[64, 32]`).
    func valueNode() throws -> Node {
        let parsed: Node?
        do { parsed = try Yams.compose(yaml: value) } catch {
            throw RecipeOverrideError(argument: "\(field)=\(value)", field: field, message: "the value is not valid YAML")
        }
        return parsed ?? Node("", Tag(.str))
    }

    /// `node` with this override applied.
    func apply(to node: Node) throws -> Node {
        try set(valueNode(), at: path[...], in: node, walked: "")
    }

    private func set(_ value: Node, at path: ArraySlice<PathComponent>, in node: Node?, walked: String) throws -> Node {
        guard let head = path.first else { return value }
        switch head {
        case .key(let key):
            var mapping: Node.Mapping
            switch node {
            case .mapping(let m)?: mapping = m
            case nil: mapping = Node.Mapping([])
            case .scalar(let s)? where s.string.isEmpty || s.string == "~" || s.string == "null": mapping = Node.Mapping([])
            default:
                throw RecipeOverrideError(argument: "\(field)=\(self.value)", field: walked,
                                          message: "cannot set key '\(key)': \(walked.isEmpty ? "the recipe" : walked) is not a mapping")
            }
            let here = walked.isEmpty ? key : "\(walked).\(key)"
            mapping[key] = try set(value, at: path.dropFirst(), in: mapping[key], walked: here)
            return .mapping(mapping)
        case .index(let index):
            guard case .sequence(var sequence)? = node else {
                throw RecipeOverrideError(argument: "\(field)=\(self.value)", field: walked,
                                          message: "cannot index [\(index)]: \(walked) is not a list")
            }
            guard index < sequence.count else {
                throw RecipeOverrideError(argument: "\(field)=\(self.value)", field: walked,
                                          message: "index \(index) is out of range: \(walked) has \(sequence.count) items")
            }
            let position = sequence.index(sequence.startIndex, offsetBy: index)
            sequence[position] = try set(value, at: path.dropFirst(), in: sequence[position], walked: "\(walked)[\(index)]")
            return .sequence(sequence)
        }
    }

    /// Whether a problem at the recipe field `errorField` concerns this override: the field
    /// itself, a field inside it, or a mapping on its path.
    func concerns(_ errorField: String) -> Bool {
        guard !errorField.isEmpty else { return false }
        return errorField == field || errorField.hasPrefix(field + ".") || errorField.hasPrefix(field + "[")
            || field.hasPrefix(errorField + ".") || field.hasPrefix(errorField + "[")
    }

    /// Parses `text` with `overrides` applied (what ``Recipe/parse(_:file:overrides:)`` does
    /// when it has overrides). The recipe's ``Recipe/source`` becomes the resolved YAML, with a
    /// comment naming the overrides, so a run folder rebuilds the model that was trained.
    static func parse(_ text: String, node: Node, file: URL, overrides: [RecipeOverride]) throws -> Recipe {
        var resolved = node
        for override in overrides { resolved = try override.apply(to: resolved) }
        let yaml: String
        do { yaml = try Yams.serialize(node: resolved) } catch {
            throw RecipeError(file: file.path, line: nil, field: "", message: "cannot write the recipe with its overrides: \(error)")
        }
        let header = "# \(file.lastPathComponent) with " + overrides.map(\.description).joined(separator: " ") + "\n"
        do {
            return try Recipe.parse(header + yaml, file: file)
        } catch let error as RecipeError {
            if let culprit = overrides.last(where: { $0.concerns(error.field) }) {
                throw RecipeOverrideError(argument: "\(culprit.field)=\(culprit.value)", field: error.field, message: error.message)
            }
            // Not an override's fault: report it against the file as written, whose lines are right.
            _ = try Recipe.parse(text, file: file)
            throw RecipeError(file: error.file, line: nil, field: error.field, message: error.message)
        }
    }
}

/// A `--set` override that cannot be applied or that the recipe rejects. The description is one
/// line naming the flag and the field: `--set optimizer.lr=fast: optimizer.lr: expected a number, got 'fast'`.
public struct RecipeOverrideError: Error, CustomStringConvertible, Equatable {
    /// The flag's argument, `key.path=value`.
    public let argument: String
    /// The recipe field concerned (may be empty).
    public let field: String
    /// What is wrong.
    public let message: String

    /// Creates an error.
    public init(argument: String, field: String, message: String) {
        self.argument = argument
        self.field = field
        self.message = message
    }

    /// One line.
    public var description: String {
        field.isEmpty ? "--set \(argument): \(message)" : "--set \(argument): \(field): \(message)"
    }
}
