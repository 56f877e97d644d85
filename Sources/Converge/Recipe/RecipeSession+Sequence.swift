import ConvergeCore
import Foundation

/// The token data of a language-model recipe, loaded and cut into windows.
struct SequenceRecipeData {
    /// The whole training stream (its vocabulary is the model's).
    let corpus: TokenSequence
    let train: TensorDataset
    let validation: TensorDataset?
    let test: TensorDataset?
}

extension RecipeSession {
    /// The loss of a language-model recipe: cross-entropy per token of logits `[N·T, V]` (the
    /// model's flattened output) against next-token targets `[N, T]`.
    public static let tokenCrossEntropyLoss = Loss(name: "cross_entropy") { logits, targets, reduction in
        crossEntropy(logits: logits, targets: IndexTensor(exactly: targets).reshaped([targets.count]), reduction: reduction)
    }

    /// Loads a `format: text | tokens` data section: the training stream, a validation stream
    /// (a file, or the last fraction of the training stream), an optional test stream, each cut
    /// into windows.
    static func loadSequenceData(_ recipe: Recipe, _ spec: Recipe.SequenceDataSpec) throws -> SequenceRecipeData {
        let file = recipe.file.path
        func read(_ path: String, field: String, vocabulary: TokenSequence?) throws -> TokenSequence {
            let url = recipe.resolve(path)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw RecipeError(file: file, line: nil, field: field, message: "file not found: \(url.path)")
            }
            if spec.format == "tokens" {
                return try TokenSequence(idFile: url, vocabularySize: vocabulary?.vocabularySize ?? spec.vocabularySize)
            }
            let sequence = try TokenSequence(textFile: url, tokenization: spec.tokenization)
            guard let vocabulary, spec.tokenization == .characters else { return sequence }
            // Encode later files with the training file's characters.
            let text = sequence.decode(sequence.tokens.map { Int($0) })
            guard let ids = vocabulary.encode(text) else {
                let unknown = text.unicodeScalars.first { !vocabulary.characters.contains($0) }.map { String($0) } ?? "?"
                throw RecipeError(file: file, line: nil, field: field,
                                  message: "\(url.lastPathComponent) contains the character '\(unknown)', which the training text does not (use tokenization: bytes)")
            }
            var encoded = vocabulary
            encoded.tokens = ids.map { Int32($0) }
            return encoded
        }
        func windows(_ s: TokenSequence, field: String) throws -> TensorDataset {
            guard s.tokens.count > spec.context else {
                throw RecipeError(file: file, line: nil, field: field,
                                  message: "\(s.tokens.count) tokens are too few for data.context \(spec.context)")
            }
            let d = TokenWindowDataset(s, context: spec.context, stride: spec.stride)
            let (x, y) = d.indexBatch(Array(0..<d.count))
            return TensorDataset(features: x.floatTensor(), labels: y.floatTensor())
        }
        let corpus = try read(recipe.data.train, field: "data.train", vocabulary: nil)
        var trainStream = corpus
        var validation: TensorDataset?
        switch recipe.data.validation {
        case .none: break
        case .fraction(let fraction):
            let split = corpus.split(validationFraction: fraction)
            trainStream = split.train
            validation = try windows(split.validation, field: "data.validation")
        case .file(let path):
            validation = try windows(try read(path, field: "data.validation", vocabulary: corpus), field: "data.validation")
        }
        let test = try recipe.data.test.map { try windows(try read($0, field: "data.test", vocabulary: corpus), field: "data.test") }
        return SequenceRecipeData(corpus: corpus, train: try windows(trainStream, field: "data.train"),
                                  validation: validation, test: test)
    }

    /// Checks that a model starting with an embedding (or a GPT) gets integer ids inside its
    /// vocabulary in every split, so a bad data row is a recipe error rather than a trap.
    func checkTokenInputs(for model: Sequential) throws {
        let vocabulary: Int
        switch model.layers.first {
        case let e as Embedding: vocabulary = e.numEmbeddings
        case let g as GPT: vocabulary = g.configuration.vocabularySize
        default: return
        }
        for (set, field) in [(train, "data.train"), (validation, "data.validation"), (test, "data.test")] {
            guard let set else { continue }
            let values = set.features.scalars, width = Swift.max(1, set.features.count / Swift.max(1, set.count))
            if let bad = values.firstIndex(where: { !($0 >= 0 && $0 == $0.rounded() && $0 < Float(vocabulary)) }) {
                throw RecipeError(file: recipe.file.path, line: nil, field: field,
                                  message: "row \(bad / width + 1), feature \(bad % width + 1): \(values[bad]) is not a token id in 0..<\(vocabulary) (the model's embedding)")
            }
        }
    }

    /// Writes `vocabulary.json` (tokenization and, for characters, the symbol of every id) for
    /// `converge generate`; does nothing for recipes without token data.
    func writeVocabulary(to output: URL) throws {
        guard let tokens = tokenSequence else { return }
        try TokenVocabulary(tokens).write(to: output.appendingPathComponent("vocabulary.json"))
    }
}
