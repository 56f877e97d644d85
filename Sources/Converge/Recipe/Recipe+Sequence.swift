import Foundation

extension Recipe {
    /// The data section of a language model: one token stream cut into windows.
    ///
    /// ```yaml
    /// data: { train: corpus.txt, format: text, tokenization: characters, context: 64, validation: 0.1 }
    /// data: { train: ids.csv, format: tokens, context: 32, vocab_size: 100, validation: valid_ids.npy }
    /// ```
    /// A validation fraction splits the stream by position (the last part validates; no window
    /// crosses the boundary). Examples are windows of `context` tokens every `stride` tokens
    /// (default `context`) whose labels are the next tokens.
    public struct SequenceDataSpec: Equatable {
        /// `text` (a text file read as bytes or characters) or `tokens` (integer ids in a CSV,
        /// text or .npy file).
        public var format: String
        /// `bytes` or `characters` (text only).
        public var tokenization: TokenSequence.Tokenization
        /// Tokens per example.
        public var context: Int
        /// Distance between window starts.
        public var stride: Int?
        /// Vocabulary size of id files (default: largest id + 1).
        public var vocabularySize: Int?
    }

    /// Keys of the data section that describe a token sequence.
    static let sequenceDataKeys = ["format", "tokenization", "context", "stride", "vocab_size"]

    /// Layer kinds for sequence models, with their options.
    static let sequenceLayerOptions: [String: [String]] = [
        "embedding": ["vocab", "dim"],
        "positional_embedding": ["max_length", "sinusoidal"],
        "transformer_block": ["heads", "ffn", "dropout", "norm_first", "causal", "relu"],
        "lstm": ["hidden", "layers", "last"],
        "gru": ["hidden", "layers", "last"],
        "residual": ["layers"],
        "gpt": ["vocab_size", "context", "d_model", "heads", "layers", "ffn", "dropout", "norm_first", "sinusoidal",
                "tied", "residual_scaling", "relu"],
    ]

    /// Layer options read as booleans (stored as 1 or 0).
    static let booleanLayerOptions: Set<String> = ["bias", "sinusoidal", "norm_first", "causal", "relu", "last", "tied",
                                                   "residual_scaling"]

    static func parseSequenceData(_ f: [String: RecipeField], field: RecipeField) throws -> SequenceDataSpec? {
        let present = sequenceDataKeys.filter { f[$0] != nil }
        guard let formatField = f["format"] else {
            if let key = present.first { throw f[key]!.error("needs data.format: text or tokens") }
            return nil
        }
        let format = try formatField.choice(["text", "tokens"])
        guard let contextField = f["context"] else { throw field.error("format \(format) needs 'context' (tokens per example)") }
        var spec = SequenceDataSpec(format: format, tokenization: format == "text" ? .characters : .ids,
                                    context: try contextField.positiveInt())
        if let t = f["tokenization"] {
            guard format == "text" else { throw t.error("tokenization applies to format: text only") }
            spec.tokenization = TokenSequence.Tokenization(rawValue: try t.choice(["bytes", "characters"]))!
        }
        spec.stride = try f["stride"]?.positiveInt()
        if let v = f["vocab_size"] {
            guard format == "tokens" else { throw v.error("vocab_size applies to format: tokens only") }
            spec.vocabularySize = try v.positiveInt()
        }
        for key in ["label", "task", "num_classes"] where f[key] != nil {
            throw f[key]!.error("does not apply to a token sequence (labels are the next tokens)")
        }
        return spec
    }

    /// Reads `residual: { layers: [...] }`: a non-empty layer list whose output has its input's shape.
    static func parseResidualBranch(_ options: RecipeField) throws -> [LayerSpec] {
        guard let list = try options.mapping(allowed: ["layers"])["layers"] else {
            throw options.error("residual needs 'layers' (the branch f in x + f(x))")
        }
        let items = try list.list()
        guard !items.isEmpty else { throw list.error("the residual branch is empty") }
        return try items.map(parseLayer)
    }

    /// Reads `model: { gpt: {...} }` into one `gpt` layer.
    static func parseGPT(_ value: RecipeField) throws -> LayerSpec {
        var spec = LayerSpec(kind: "gpt", path: value.path, line: value.line)
        if value.isNull { return spec }
        let allowed = sequenceLayerOptions["gpt"]! + ["positional", "activation"]
        for (key, v) in try value.mapping(allowed: allowed) {
            switch key {
            case "positional": spec.options["sinusoidal"] = try v.choice(["learned", "sinusoidal"]) == "sinusoidal" ? 1 : 0
            case "activation": spec.options["relu"] = try v.choice(["gelu", "relu"]) == "relu" ? 1 : 0
            default: spec.options[key] = booleanLayerOptions.contains(key) ? (try v.bool() ? 1 : 0) : try v.double()
            }
        }
        return spec
    }
}
