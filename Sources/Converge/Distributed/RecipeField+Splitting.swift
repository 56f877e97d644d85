import Yams

extension RecipeField {
    /// This mapping without `key`, and `key`'s value if present (so `model.sync_batchnorm` can sit
    /// beside the single `mlp:` / `layers:` entry). Not a mapping: itself and nil.
    func splitting(key: String) throws -> (RecipeField, RecipeField?) {
        guard case .mapping(let mapping) = node else { return (self, nil) }
        var kept: [(Node, Node)] = []
        var found: RecipeField?
        for (k, value) in mapping {
            if k.string == key {
                found = RecipeField(node: value, path: path.isEmpty ? key : "\(path).\(key)", file: file)
            } else {
                kept.append((k, value))
            }
        }
        guard found != nil else { return (self, nil) }
        let rest = Node.mapping(Node.Mapping(kept, mapping.tag, mapping.style, mapping.mark))
        return (RecipeField(node: rest, path: path, file: file), found)
    }
}
