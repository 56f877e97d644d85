import ConvergeCore
import Foundation

/// A stream of integer tokens with the vocabulary that produced them: the corpus of a language
/// model.
///
/// ```swift
/// let corpus = try TokenSequence(textFile: url, tokenization: .characters)
/// let (train, validation) = corpus.split(validationFraction: 0.1)   // by position: the last 10%
/// let data = TokenWindowDataset(train, context: 64)
/// ```
public struct TokenSequence: Equatable, Sendable {
    /// How text becomes tokens.
    public enum Tokenization: String, Equatable, Sendable {
        /// One token per UTF-8 byte; the vocabulary is all 256 byte values.
        case bytes
        /// One token per Unicode scalar; the vocabulary is the scalars that occur, in code-point order.
        case characters
        /// Integer ids read from a file; the vocabulary is `0...max id`.
        case ids
    }

    /// The tokens in order.
    public var tokens: [Int32]
    /// The number of distinct token ids the model must cover.
    public var vocabularySize: Int
    /// How the tokens were made.
    public var tokenization: Tokenization
    /// For ``Tokenization/characters``: the scalar of each id.
    public var characters: [Unicode.Scalar]

    /// Wraps existing ids.
    public init(tokens: [Int32], vocabularySize: Int, tokenization: Tokenization = .ids, characters: [Unicode.Scalar] = []) {
        precondition(tokens.allSatisfy { $0 >= 0 && Int($0) < vocabularySize },
                     "TokenSequence: every token must lie in 0..<\(vocabularySize)")
        self.tokens = tokens
        self.vocabularySize = vocabularySize
        self.tokenization = tokenization
        self.characters = characters
    }

    /// Tokenizes `text`; ``Tokenization/ids`` is not a text tokenization.
    public init(text: String, tokenization: Tokenization) {
        switch tokenization {
        case .bytes, .ids:
            self.init(tokens: text.utf8.map { Int32($0) }, vocabularySize: 256, tokenization: .bytes)
        case .characters:
            let scalars = Array(text.unicodeScalars)
            let vocabulary = Array(Set(scalars)).sorted { $0.value < $1.value }
            let index = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, Int32($0)) })
            self.init(tokens: scalars.map { index[$0]! }, vocabularySize: max(1, vocabulary.count),
                      tokenization: .characters, characters: vocabulary)
        }
    }

    /// Reads a UTF-8 text file (``Tokenization/bytes`` also takes any binary file).
    /// - Throws: ``DataFileError`` when the file cannot be read, is empty, or is not UTF-8 text
    ///   with ``Tokenization/characters``.
    public init(textFile url: URL, tokenization: Tokenization) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw DataFileError(file: url.path, reason: .unreadable("no such file or not readable"))
        }
        guard data.count >= 2 else { throw DataFileError(file: url.path, reason: .malformed("the text has fewer than 2 tokens")) }
        if tokenization == .characters {
            guard let text = String(data: data, encoding: .utf8) else {
                throw DataFileError(file: url.path, reason: .malformed("not UTF-8 text (use tokenization: bytes)"))
            }
            self.init(text: text, tokenization: .characters)
        } else {
            self.init(tokens: data.map { Int32($0) }, vocabularySize: 256, tokenization: .bytes)
        }
    }

    /// Reads token ids from a `.npy` array (any shape, read in row-major order) or a CSV/text file
    /// of integers separated by commas, spaces or newlines. `vocabularySize` defaults to the
    /// largest id + 1.
    /// - Throws: ``DataFileError`` naming the file and line of the first value that is not a
    ///   non-negative integer, or an id outside a given vocabulary.
    public init(idFile url: URL, vocabularySize: Int? = nil) throws {
        var ids: [Int32] = []
        if url.pathExtension.lowercased() == "npy" {
            let values = try NPY.read(contentsOf: url).scalars
            for (i, v) in values.enumerated() {
                guard v >= 0, v == v.rounded(), v < 16_777_216 else {
                    throw DataFileError(file: url.path, column: "element \(i)", reason: .labelNotIntegral("\(v)"))
                }
                ids.append(Int32(v))
            }
        } else {
            guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
                throw DataFileError(file: url.path, reason: .unreadable("no such file, not readable, or not UTF-8"))
            }
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                for cell in line.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" || $0 == "\r" }) {
                    guard let v = Int32(cell), v >= 0 else {
                        throw DataFileError(file: url.path, line: n + 1, reason: .labelNotIntegral(String(cell)))
                    }
                    ids.append(v)
                }
            }
        }
        guard ids.count >= 2 else { throw DataFileError(file: url.path, reason: .malformed("fewer than 2 token ids")) }
        let size = vocabularySize ?? Int(ids.max()!) + 1
        if let bad = ids.firstIndex(where: { Int($0) >= size }) {
            throw DataFileError(file: url.path, column: "token \(bad)", reason: .labelOutOfRange("\(ids[bad])", numClasses: size))
        }
        self.init(tokens: ids, vocabularySize: size, tokenization: .ids)
    }

    /// Splits by position: the first `1 − validationFraction` of the tokens train, the rest
    /// validate (no shuffling, so no text leaks across the boundary).
    public func split(validationFraction: Double) -> (train: TokenSequence, validation: TokenSequence) {
        precondition(validationFraction > 0 && validationFraction < 1, "TokenSequence.split: fraction must be in (0, 1), got \(validationFraction)")
        let cut = Int((Double(tokens.count) * (1 - validationFraction)).rounded())
        var train = self, validation = self
        train.tokens = Array(tokens[..<cut])
        validation.tokens = Array(tokens[cut...])
        return (train, validation)
    }

    /// Token ids for `text` in this vocabulary; `nil` when a character is not in it.
    public func encode(_ text: String) -> [Int]? {
        switch tokenization {
        case .bytes, .ids: return text.utf8.map { Int($0) }
        case .characters:
            let index = Dictionary(uniqueKeysWithValues: characters.enumerated().map { ($1, $0) })
            var out: [Int] = []
            for s in text.unicodeScalars {
                guard let i = index[s] else { return nil }
                out.append(i)
            }
            return out
        }
    }

    /// The text of `ids` (bytes decoded as UTF-8 with replacement; ids shown as numbers).
    public func decode(_ ids: [Int]) -> String {
        switch tokenization {
        case .bytes: return String(decoding: ids.map { UInt8(clamping: $0) }, as: UTF8.self)
        case .characters:
            var s = String.UnicodeScalarView()
            for i in ids where i >= 0 && i < characters.count { s.append(characters[i]) }
            return String(s)
        case .ids: return ids.map(String.init).joined(separator: " ")
        }
    }
}
