import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The memory a model from a recipe will need, added up layer by layer before anything is
/// allocated, so that a model that cannot fit is a recipe error naming the layer instead of a
/// crash: "the model needs 149.0 GiB for its parameters, gradients and optimizer state
/// (hidden[1] = 100000); this machine has 24.0 GiB".
///
/// Parameters count four times (weights, gradients and up to two optimizer moments, float32);
/// activations count three times per example of a batch (output, its gradient, saved input).
public struct MemoryEstimate {
    /// The bytes the process may use: physical memory, or less under an address-space limit
    /// or a smaller ``limitVariable`` (a number of bytes, or with a `K`, `M` or `G` suffix).
    public static var availableBytes: Int {
        var limit = rlimit()
        var bytes = Int(clamping: ProcessInfo.processInfo.physicalMemory)
        if getrlimit(Int32(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max {
            bytes = min(bytes, Int(clamping: limit.rlim_cur))
        }
        if let text = ProcessInfo.processInfo.environment[limitVariable], let cap = parseBytes(text) {
            bytes = min(bytes, cap)
        }
        return bytes
    }

    /// The environment variable that caps ``availableBytes`` (for a shared machine, or a process
    /// under a sanitizer, whose address space cannot be limited with `ulimit -v`).
    public static let limitVariable = "CONVERGE_MEMORY_LIMIT"

    /// `text` as a positive byte count: digits, optionally followed by `K`, `M` or `G` (powers of
    /// 1024); nil when it is not one.
    static func parseBytes(_ text: String) -> Int? {
        var digits = Substring(text.trimmingCharacters(in: .whitespaces))
        var scale = 1
        if let last = digits.last?.uppercased(), let shift = ["K": 10, "M": 20, "G": 30][last] {
            scale = 1 << shift
            digits = digits.dropLast()
        }
        guard let value = Int(digits), value > 0 else { return nil }
        return CheckedSize.product(value, scale)
    }

    /// The recipe file (for errors).
    public let file: String
    /// Examples per batch.
    public let batchSize: Int
    /// The limit (``availableBytes`` unless given).
    public let limit: Int
    /// Bytes counted so far.
    public private(set) var bytes = 0

    /// Creates an empty estimate.
    public init(file: String, batchSize: Int, limit: Int = MemoryEstimate.availableBytes) {
        self.file = file
        self.batchSize = max(1, batchSize)
        self.limit = limit
    }

    static func gib(_ bytes: Double) -> String { String(format: "%.1f GiB", bytes / 1_073_741_824) }

    private mutating func add(_ extra: Int?, what: String, line: Int?, field: String, detail: String) throws {
        guard let extra, let total = CheckedSize.sum(bytes, extra), Double(total) <= Double(limit) * 0.9 else {
            let needed = extra.map { Double(bytes) + Double($0) } ?? .infinity
            let amount = needed.isFinite ? Self.gib(needed) : "more memory than can be addressed"
            throw RecipeError(file: file, line: line, field: field,
                              message: "the model needs \(amount) for its \(what) (\(detail)); this machine has \(Self.gib(Double(limit)))")
        }
        bytes = total
    }

    /// Adds a layer's parameters (`count` nil: the count overflowed).
    public mutating func addParameters(_ count: Int?, line: Int?, field: String, detail: String) throws {
        try add(count.flatMap { CheckedSize.product($0, 16) }, what: "parameters, gradients and optimizer state",
                line: line, field: field, detail: detail)
    }

    /// Adds a layer's output of `perExample` values per example (nil: the count overflowed).
    public mutating func addActivations(_ perExample: Int?, line: Int?, field: String, detail: String) throws {
        try add(perExample.flatMap { CheckedSize.product($0, 12) }.flatMap { CheckedSize.product($0, batchSize) },
                what: "activations at batch_size \(batchSize)", line: line, field: field, detail: detail)
    }

    // MARK: Sequence layers (counts of float32 values; nil: the count overflowed)

    /// Parameters of an embedding table of `vocabulary` rows of `dimension` values.
    public static func embeddingParameters(vocabulary: Int, dimension: Int) -> Int? {
        CheckedSize.product(vocabulary, dimension)
    }

    /// Parameters of one transformer encoder block of width `width` and feed-forward width
    /// `feedForward`: the query, key, value and output projections with biases, the two
    /// feed-forward layers with biases, and two LayerNorms.
    public static func transformerBlockParameters(width: Int, feedForward: Int) -> Int? {
        guard let square = CheckedSize.product(width, width), let attention = CheckedSize.product(square, 4),
              let ffn = CheckedSize.product(width, feedForward).flatMap({ CheckedSize.product($0, 2) }) else { return nil }
        var total: Int? = 0
        for part in [attention, ffn, 4 * width, feedForward, width, 4 * width] { total = total.flatMap { CheckedSize.sum($0, part) } }
        return total
    }

    /// Values one example keeps for the backward pass of a transformer block over `tokens`
    /// positions: the attention scores and probabilities (`heads × tokens²` each), the queries,
    /// keys, values, attention output and two normalized inputs (`tokens × width` each) and the
    /// feed-forward hidden layer before and after its activation.
    public static func transformerBlockActivations(tokens: Int, width: Int, heads: Int, feedForward: Int) -> Int? {
        guard let scores = CheckedSize.product(tokens, tokens).flatMap({ CheckedSize.product($0, heads) }).flatMap({ CheckedSize.product($0, 2) }),
              let projections = CheckedSize.product(tokens, width).flatMap({ CheckedSize.product($0, 6) }),
              let hidden = CheckedSize.product(tokens, feedForward).flatMap({ CheckedSize.product($0, 2) }) else { return nil }
        return CheckedSize.sum(scores, projections).flatMap { CheckedSize.sum($0, hidden) }
    }

    /// Parameters of a stack of `layers` recurrent layers of `gates` gates (4 for an LSTM, 3 for a
    /// GRU) over `inputs` features: PyTorch's input and hidden weights and their two biases per layer.
    public static func recurrentParameters(gates: Int, inputs: Int, hidden: Int, layers: Int) -> Int? {
        var total: Int? = 0
        for layer in 0..<max(1, layers) {
            let width = layer == 0 ? inputs : hidden
            let count = CheckedSize.sum(width, hidden).flatMap { CheckedSize.sum($0, 2) }
                .flatMap { CheckedSize.product($0, hidden) }.flatMap { CheckedSize.product($0, gates) }
            total = total.flatMap { t in count.flatMap { CheckedSize.sum(t, $0) } }
            if total == nil { return nil }
        }
        return total
    }

    /// Values one example keeps for the backward pass through time of `layers` recurrent layers
    /// over `steps` time steps: each step's gates and its hidden (and cell) state.
    public static func recurrentActivations(gates: Int, steps: Int, hidden: Int, layers: Int) -> Int? {
        CheckedSize.product(steps, hidden).flatMap { CheckedSize.product($0, gates + 2) }.flatMap { CheckedSize.product($0, max(1, layers)) }
    }
}
