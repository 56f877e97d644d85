import ConvergeCore
import Foundation

/// A language model trained by `converge train` from a token-data recipe, loaded for sampling
/// (`converge generate`): the rebuilt model and the vocabulary saved beside it.
public struct TrainedLanguageModel {
    /// The trained run (model in eval mode).
    public let trained: TrainedModel
    /// The vocabulary of the training data.
    public let vocabulary: TokenVocabulary
    /// The longest context the model reads.
    public let contextLength: Int

    /// Loads `directory` (a `converge train` output folder of a language-model recipe).
    /// - Throws: ``RecipeError`` or ``DataFileError`` naming the missing or malformed file.
    public init(directory: URL) throws {
        let vocabularyURL = directory.appendingPathComponent("vocabulary.json")
        guard FileManager.default.fileExists(atPath: vocabularyURL.path) else {
            throw RecipeError(file: vocabularyURL.path, line: nil, field: "",
                              message: "missing; \(directory.path) is not a language model trained on token data (data.format: text or tokens)")
        }
        trained = try TrainedModel(directory: directory)
        vocabulary = try TokenVocabulary(contentsOf: vocabularyURL)
        guard let context = trained.description.inputShape.first, trained.description.inputShape.count == 1 else {
            throw RecipeError(file: directory.appendingPathComponent("model.json").path, line: nil, field: "inputShape",
                              message: "expected [context], got \(trained.description.inputShape)")
        }
        contextLength = context
    }

    /// Continues `prompt` by `length` tokens and returns the new text.
    /// - Throws: ``GenerationError`` when the prompt is empty or holds a symbol outside the
    ///   vocabulary, or an option is out of range.
    public func generate(prompt: String, length: Int, temperature: Float = 1, topK: Int? = nil, seed: UInt64 = 0) throws -> String {
        guard length >= 0 else { throw GenerationError("--length must not be negative, got \(length)") }
        guard temperature >= 0, temperature.isFinite else { throw GenerationError("--temperature must be a number ≥ 0, got \(temperature)") }
        if let topK, topK <= 0 { throw GenerationError("--top-k must be positive, got \(topK)") }
        let sequence = vocabulary.sequence
        guard !prompt.isEmpty else { throw GenerationError("--prompt is empty") }
        guard let ids = sequence.encode(prompt) else {
            let unknown = prompt.unicodeScalars.first { s in sequence.encode(String(s)) == nil }.map { String($0) } ?? "?"
            throw GenerationError("--prompt contains '\(unknown)', which is not in the model's vocabulary of \(vocabulary.size) symbols")
        }
        guard ids.allSatisfy({ $0 < vocabulary.size }) else {
            throw GenerationError("--prompt encodes to ids outside the model's vocabulary of \(vocabulary.size)")
        }
        let produced = LanguageModelSampling.sample(trained.model, prompt: ids, count: length, contextLength: contextLength,
                                                    vocabularySize: vocabulary.size, temperature: temperature, topK: topK,
                                                    generator: RandomGenerator(seed: seed))
        return sequence.decode(produced)
    }
}

/// A generation option or prompt that cannot be used, as one line.
public struct GenerationError: Error, CustomStringConvertible, Equatable {
    /// What is wrong.
    public let message: String
    /// Creates the error.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
