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
    /// The bytes the process may use: physical memory, or less under an address-space limit.
    public static var availableBytes: Int {
        var limit = rlimit()
        var bytes = Int(clamping: ProcessInfo.processInfo.physicalMemory)
        if getrlimit(Int32(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max {
            bytes = min(bytes, Int(clamping: limit.rlim_cur))
        }
        return bytes
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
}
