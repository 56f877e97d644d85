import Foundation
import Yams

/// Where each field of a recipe sits in its text: the line (and column) of a dotted field path
/// such as `optimizer.lr`, `training.batch_size` or `model.layers[3]`, read from the YAML the
/// recipe was parsed from. Lint findings and the repair's edits use it to point at, and change,
/// the exact place in the file.
///
/// ```swift
/// let map = RecipeSourceMap(source: recipe.source)
/// map.line(of: "optimizer.lr")        // 6
/// map.scalar(at: "schedule.max_lr")   // "1.0e-2"
/// ```
public struct RecipeSourceMap {
    /// The parsed document (nil when the text is not valid YAML).
    let root: Node?

    /// Parses `source` (the recipe's text).
    public init(source: String) {
        root = (try? Yams.compose(yaml: source)) ?? nil
    }

    /// The components of a dotted path: keys, and list indices written `[i]`.
    enum Component: Equatable {
        case key(String)
        case index(Int)
    }

    static func components(_ path: String) -> [Component] {
        var result: [Component] = []
        for part in path.split(separator: ".") {
            var text = Substring(part)
            if let bracket = text.firstIndex(of: "[") {
                let key = text[..<bracket]
                if !key.isEmpty { result.append(.key(String(key))) }
                text = text[bracket...]
                while let open = text.firstIndex(of: "["), let close = text.firstIndex(of: "]"), open < close {
                    if let i = Int(text[text.index(after: open)..<close]) { result.append(.index(i)) }
                    text = text[text.index(after: close)...]
                }
            } else {
                result.append(.key(String(text)))
            }
        }
        return result
    }

    /// The node at `path`, or nil when the recipe does not spell it out.
    public func node(at path: String) -> Node? {
        guard var node = root else { return nil }
        for component in RecipeSourceMap.components(path) {
            switch (component, node) {
            case (.key(let key), .mapping(let mapping)):
                guard let next = mapping.first(where: { $0.key.string == key })?.value else { return nil }
                node = next
            case (.index(let i), .sequence(let sequence)):
                guard i >= 0 && i < sequence.count else { return nil }
                node = sequence[i]
            default:
                return nil
            }
        }
        return node
    }

    /// The key node of the last component of `path` (nil for list items and absent keys).
    func keyNode(at path: String) -> Node? {
        let parts = RecipeSourceMap.components(path)
        guard case .key(let key)? = parts.last else { return nil }
        let parentPath = RecipeSourceMap.path(parts.dropLast())
        let parent = parentPath.isEmpty ? root : node(at: parentPath)
        guard case .mapping(let mapping)? = parent else { return nil }
        return mapping.first(where: { $0.key.string == key })?.key
    }

    static func path(_ parts: ArraySlice<Component>) -> String {
        var text = ""
        for part in parts {
            switch part {
            case .key(let key): text += text.isEmpty ? key : ".\(key)"
            case .index(let i): text += "[\(i)]"
            }
        }
        return text
    }

    /// The line of `path`'s value; when the recipe does not spell the field out, the line of its
    /// nearest enclosing field that it does (nil only for an empty document).
    public func line(of path: String) -> Int? {
        var parts = RecipeSourceMap.components(path)[...]
        while !parts.isEmpty {
            let p = RecipeSourceMap.path(parts)
            if let key = keyNode(at: p), let line = key.mark?.line { return line }
            if let node = node(at: p), let line = node.mark?.line { return line }
            parts = parts.dropLast()
        }
        return nil
    }

    /// Whether the recipe spells `path` out.
    public func contains(_ path: String) -> Bool { node(at: path) != nil }

    /// The text of the scalar at `path` (nil when absent or not a scalar).
    public func scalar(at path: String) -> String? {
        guard case .scalar(let s)? = node(at: path) else { return nil }
        return s.string
    }
}
