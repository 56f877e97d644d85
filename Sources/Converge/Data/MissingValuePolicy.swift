/// What to do with an empty cell in a feature column.
///
/// The default, ``error``, stops with a ``DataFileError`` naming the file, line and column.
/// The imputing policies fill empty cells with a value fitted on the training data
/// (scikit-learn's `SimpleImputer`): the column's ``mean``, ``median`` or ``mostFrequent``
/// value, or a ``constant(_:)``. A categorical column imputes its most frequent category under every
/// imputing policy. Labels are never imputed.
public enum MissingValuePolicy: Equatable, Codable, Sendable {
    /// An empty cell is an error naming the file, line and column.
    case error
    /// The mean of the column's training values.
    case mean
    /// The median of the column's training values (the mean of the middle two for an even count).
    case median
    /// The most frequent training value (the smallest among ties).
    case mostFrequent
    /// A fixed value.
    case constant(Double)

    /// The names recipes use: `error`, `mean`, `median`, `most_frequent` (and `constant: x`).
    public static let names = ["error", "mean", "median", "most_frequent"]

    /// Reads `error`, `mean`, `median` or `most_frequent`.
    public init?(name: String) {
        switch name {
        case "error": self = .error
        case "mean": self = .mean
        case "median": self = .median
        case "most_frequent": self = .mostFrequent
        default: return nil
        }
    }

    /// The policy fitted to a column's training values: the fill value, or nil for ``error``
    /// (or when the column has no values to fit from).
    func fill(for values: [Float]) -> Float? {
        switch self {
        case .error: return nil
        case .constant(let c): return Float(c)
        case .mean:
            guard !values.isEmpty else { return nil }
            return Float(values.reduce(0.0) { $0 + Double($1) } / Double(values.count))
        case .median:
            guard !values.isEmpty else { return nil }
            let sorted = values.sorted()
            let mid = sorted.count / 2
            return sorted.count % 2 == 1 ? sorted[mid] : Float((Double(sorted[mid - 1]) + Double(sorted[mid])) / 2)
        case .mostFrequent:
            guard !values.isEmpty else { return nil }
            var counts: [Float: Int] = [:]
            for v in values { counts[v, default: 0] += 1 }
            return counts.max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }!.key
        }
    }
}
