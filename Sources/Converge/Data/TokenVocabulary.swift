import Foundation

/// The vocabulary of a ``TokenSequence`` without its tokens, saved beside a trained language
/// model (`vocabulary.json`) so that prompts can be encoded and samples decoded later.
public struct TokenVocabulary: Codable, Equatable {
    /// `bytes`, `characters` or `ids`.
    public var tokenization: String
    /// Number of ids.
    public var size: Int
    /// For characters: the symbol of each id (one Unicode scalar each).
    public var characters: [String]

    /// The vocabulary of `sequence`.
    public init(_ sequence: TokenSequence) {
        tokenization = sequence.tokenization.rawValue
        size = sequence.vocabularySize
        characters = sequence.characters.map { String($0) }
    }

    /// Reads a file written by ``write(to:)``.
    /// - Throws: ``DataFileError`` when it is missing or malformed.
    public init(contentsOf url: URL) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw DataFileError(file: url.path, reason: .unreadable("missing (the run was not trained on token data)"))
        }
        do { self = try JSONDecoder().decode(TokenVocabulary.self, from: data) } catch {
            throw DataFileError(file: url.path, reason: .malformed("not a vocabulary file: \(error)"))
        }
        guard TokenSequence.Tokenization(rawValue: tokenization) != nil, size > 0,
              tokenization != "characters" || characters.count == size,
              characters.allSatisfy({ $0.unicodeScalars.count == 1 }) else {
            throw DataFileError(file: url.path, reason: .malformed("inconsistent tokenization, size or characters"))
        }
    }

    /// Writes the vocabulary as JSON.
    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: url, options: .atomic)
    }

    /// An empty token sequence with this vocabulary (for ``TokenSequence/encode(_:)`` and
    /// ``TokenSequence/decode(_:)``).
    public var sequence: TokenSequence {
        TokenSequence(tokens: [], vocabularySize: size, tokenization: TokenSequence.Tokenization(rawValue: tokenization)!,
                      characters: characters.map { $0.unicodeScalars.first! })
    }
}
