import Foundation
import Yams

/// Edits a recipe's text in place, keeping everything else as written (layout, comments, flow or
/// block style), and marks every changed line with a comment: the repair writes `repaired.yaml`
/// with it.
///
/// ```swift
/// var editor = RecipeEditor(source: recipe.source)
/// try editor.set("optimizer.lr", to: "0.003", comment: "doctor: was 0.3 (LR finder)")
/// try editor.set("training.clip_norm", to: "1.0", comment: "doctor: added")   // inserted if absent
/// print(editor.source)
/// ```
public struct RecipeEditor {
    /// The text, with the edits made so far.
    public private(set) var source: String

    /// Why an edit could not be made.
    public struct EditError: Error, CustomStringConvertible {
        /// What went wrong.
        public var description: String
    }

    /// Starts from a recipe's text.
    public init(source: String) {
        self.source = source
    }

    private var lines: [String] {
        get { source.components(separatedBy: "\n") }
        set { source = newValue.joined(separator: "\n") }
    }

    private func root() throws -> Node {
        guard let node = try Yams.compose(yaml: source) else { throw EditError(description: "the recipe is empty") }
        return node
    }

    /// Appends `comment` to line `index` (0-based), extending a doctor comment already there.
    private mutating func annotate(line index: Int, _ comment: String) {
        var all = lines
        guard all.indices.contains(index), !comment.isEmpty else { return }
        if let range = all[index].range(of: "  # doctor: ") {
            all[index] += "; " + comment.replacingOccurrences(of: "doctor: ", with: "")
            _ = range
        } else if all[index].contains(" #") {
            let indent = all[index].prefix { $0 == " " }
            all.insert("\(indent)# \(comment)", at: index)
        } else {
            all[index] += "  # \(comment)"
        }
        lines = all
    }

    /// The length in the text of a scalar as written (quotes included).
    private static func writtenLength(_ scalar: Node.Scalar) -> Int {
        switch scalar.style {
        case .singleQuoted, .doubleQuoted: return scalar.string.count + 2
        default: return scalar.string.count
        }
    }

    /// Replaces the text of the node at `mark` spanning `length` characters by `text`.
    private mutating func replace(at mark: Mark, length: Int, with text: String) {
        var all = lines
        let i = mark.line - 1
        var chars = Array(all[i])
        let start = Swift.min(mark.column - 1, chars.count), end = Swift.min(start + length, chars.count)
        chars.replaceSubrange(start..<end, with: Array(text))
        all[i] = String(chars)
        lines = all
    }

    /// A value in flow style for the rest of a path: `{ a: { b: v } }` for `a.b`.
    private static func flowValue(_ keys: ArraySlice<String>, _ value: String) -> String {
        guard let first = keys.first else { return value }
        let inner = flowValue(keys.dropFirst(), value)
        return "{ \(first): \(inner) }"
    }

    /// Sets the scalar at the dotted `path` (keys only) to `value` (YAML text), inserting the
    /// key (and any missing parents) when the recipe does not have it, and marks the line.
    public mutating func set(_ path: String, to value: String, comment: String) throws {
        let keys = path.split(separator: ".").map(String.init)
        var node = try root()
        var depth = 0
        while depth < keys.count {
            guard case .mapping(let mapping) = node else { throw EditError(description: "\(keys.prefix(depth).joined(separator: ".")) is not a mapping") }
            guard let entry = mapping.first(where: { $0.key.string == keys[depth] }) else {
                try insert(keys[depth...], value: value, into: mapping, comment: comment)
                return
            }
            node = entry.value
            depth += 1
        }
        guard case .scalar(let scalar) = node, let mark = node.mark else {
            throw EditError(description: "\(path) is not a single value")
        }
        replace(at: mark, length: RecipeEditor.writtenLength(scalar), with: value)
        annotate(line: mark.line - 1, comment)
    }

    private mutating func insert(_ keys: ArraySlice<String>, value: String, into mapping: Node.Mapping, comment: String) throws {
        let key = keys.first!
        let text = RecipeEditor.flowValue(keys.dropFirst(), value)
        var all = lines
        let isFlow: Bool = {
            guard let mark = mapping.mark, all.indices.contains(mark.line - 1) else { return false }
            let chars = Array(all[mark.line - 1])
            return chars.indices.contains(mark.column - 1) && chars[mark.column - 1] == "{"
        }()
        if isFlow, let mark = mapping.mark {
            // `{ a: 1 }` → `{ key: value, a: 1 }` (or `{ key: value }` when empty).
            let i = mark.line - 1
            var chars = Array(all[i])
            let brace = Swift.min(mark.column - 1, chars.count - 1)
            guard chars.indices.contains(brace), chars[brace] == "{" else { throw EditError(description: "cannot find the mapping's brace") }
            let empty = mapping.isEmpty
            chars.insert(contentsOf: Array(" \(key): \(text)\(empty ? " " : ",")"), at: brace + 1)
            all[i] = String(chars)
            lines = all
            annotate(line: i, comment)
            return
        }
        if let first = mapping.first?.key.mark, first.column > 1 {
            // Block style: a new line before the first key, at its indentation.
            let indent = String(repeating: " ", count: first.column - 1)
            all.insert("\(indent)\(key): \(text)", at: first.line - 1)
            lines = all
            annotate(line: first.line - 1, comment)
            return
        }
        // The top level (or an empty document): append.
        if all.last == "" { all.removeLast() }
        all.append("\(key): \(text)")
        lines = all + [""]
        annotate(line: all.count - 1, comment)
    }

    /// Renames the key at `path` (e.g. a layer kind `model.layers[2].relu` → `leaky_relu`) and marks the line.
    public mutating func renameKey(_ path: String, to name: String, comment: String) throws {
        let map = RecipeSourceMap(source: source)
        guard let key = map.keyNode(at: path), case .scalar(let scalar) = key, let mark = key.mark else {
            throw EditError(description: "no key at \(path)")
        }
        replace(at: mark, length: RecipeEditor.writtenLength(scalar), with: name)
        annotate(line: mark.line - 1, comment)
    }

    /// Inserts `item` (YAML flow text, e.g. `{batchnorm: {}}`) into a list just before the item
    /// at `path` (e.g. `model.layers[3]`), in the list's own style — `[a, item, b]` for a flow
    /// list, a new `- item` line for a block list — and marks the line (when `comment` is not empty).
    public mutating func insertItem(_ item: String, before path: String, comment: String) throws {
        let map = RecipeSourceMap(source: source)
        guard let node = map.node(at: path), let mark = node.mark else { throw EditError(description: "no list item at \(path)") }
        var all = lines
        let i = mark.line - 1
        guard all.indices.contains(i) else { throw EditError(description: "no line \(mark.line)") }
        var chars = Array(all[i])
        let column = Swift.min(mark.column - 1, chars.count)
        let before = String(chars[..<column])
        if before.trimmingCharacters(in: .whitespaces) == "-" {
            // Block list: `  - relu: {}` → a new `  - item` line above it.
            all.insert(before + item, at: i)
            lines = all
            annotate(line: i, comment)
            return
        }
        chars.insert(contentsOf: Array("\(item), "), at: column)
        all[i] = String(chars)
        lines = all
        annotate(line: i, comment)
    }

    /// A unified diff-like listing of the lines that differ between `original` and `source`
    /// (`-` old, `+` new, with line numbers), for the repair's recipe diff.
    public static func diff(from original: String, to edited: String, name: String = "recipe.yaml") -> String {
        let a = original.components(separatedBy: "\n"), b = edited.components(separatedBy: "\n")
        // Longest common subsequence of lines (recipes are short).
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : Swift.max(table[i + 1][j], table[i][j + 1])
            }
        }
        var out = ["--- \(name)", "+++ repaired.yaml"]
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count && j < b.count && a[i] == b[j] { i += 1; j += 1 }
            else if j < b.count && (i == a.count || table[i][j + 1] >= table[i + 1][j]) { out.append("+\(j + 1): \(b[j])"); j += 1 }
            else { out.append("-\(i + 1): \(a[i])"); i += 1 }
        }
        return out.joined(separator: "\n") + "\n"
    }
}
