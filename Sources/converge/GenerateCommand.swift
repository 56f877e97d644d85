import ArgumentParser
import Converge
import Foundation

/// `converge generate --model RUN --prompt TEXT`: sample text from a trained language model.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Sample text from a language model trained with `converge train` (data.format: text or tokens).",
        discussion: "Prints the prompt followed by the sampled continuation. The same --seed gives the same text.")

    @Option(help: "A folder written by `converge train` for a language-model recipe.")
    var model: String

    @Option(help: "The text to continue.")
    var prompt: String

    @Option(help: "Tokens to sample.")
    var length = 200

    @Option(help: "Softmax temperature (0: always the most likely token).")
    var temperature: Float = 1

    @Option(name: .customLong("top-k"), help: "Sample only among the k most likely tokens.")
    var topK: Int?

    @Option(help: "Seed of the sampling.")
    var seed: UInt64 = 0

    func run() throws {
        try reportingErrors("generate") {
            let lm = try TrainedLanguageModel(directory: URL(fileURLWithPath: model))
            let text = try lm.generate(prompt: prompt, length: length, temperature: temperature, topK: topK, seed: seed)
            print(prompt + text)
        }
    }
}
