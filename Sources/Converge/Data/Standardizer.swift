import ConvergeCore
import Foundation

/// Per-feature standardization `(x − mean) / scale`, fitted on training data and saved beside a
/// model so inference sees the same transform.
///
/// `init(fitting:featureNames:)` computes each feature's mean and population standard
/// deviation (divisor `N`, as scikit-learn's `StandardScaler`) in double precision. A feature
/// whose standard deviation is zero, or below rounding noise for its magnitude
/// (`10 · ε_float32 · |mean|`), gets scale 1 so it maps to 0 rather than to NaN.
/// Fit on the training split only; the validation split is transformed with the training
/// statistics.
public struct Standardizer: Equatable, Codable {
    /// Per-feature means.
    public var mean: [Float]
    /// Per-feature divisors (standard deviations, with 1 for constant features).
    public var scale: [Float]
    /// The features' names, when known (e.g. CSV column names).
    public var featureNames: [String]?

    /// Number of features.
    public var featureCount: Int { mean.count }

    /// Creates a standardizer from known statistics.
    public init(mean: [Float], scale: [Float], featureNames: [String]? = nil) {
        precondition(mean.count == scale.count, "Standardizer: \(mean.count) means but \(scale.count) scales")
        precondition(featureNames == nil || featureNames!.count == mean.count,
                     "Standardizer: \(featureNames?.count ?? 0) feature names for \(mean.count) features")
        self.mean = mean
        self.scale = scale
        self.featureNames = featureNames
    }

    /// Fits the statistics of `features`, shape `[N] + featureShape` (each element of
    /// `featureShape` is one feature), with `N ≥ 1`.
    public init(fitting features: Tensor, featureNames: [String]? = nil) {
        precondition(features.rank >= 1 && features.shape[0] >= 1,
                     "Standardizer(fitting:): need at least one example, got shape \(features.shape)")
        let n = features.shape[0], f = Shape.count(Array(features.shape.dropFirst()))
        let p = features.storage.pointer
        var sums = [Double](repeating: 0, count: f)
        for i in 0..<n { for j in 0..<f { sums[j] += Double(p[i * f + j]) } }
        let means = sums.map { $0 / Double(n) }
        var squares = [Double](repeating: 0, count: f)
        for i in 0..<n {
            for j in 0..<f {
                let d = Double(p[i * f + j]) - means[j]
                squares[j] += d * d
            }
        }
        let scales = (0..<f).map { j -> Float in
            let std = (squares[j] / Double(n)).squareRoot()
            let noise = 10 * Double(Float.ulpOfOne) * abs(means[j])
            return std > noise && std > 0 ? Float(std) : 1
        }
        self.init(mean: means.map { Float($0) }, scale: scales, featureNames: featureNames)
    }

    /// Fits on a dataset's features (`dataset.features`).
    public init(fitting dataset: TensorDataset, featureNames: [String]? = nil) {
        self.init(fitting: dataset.features, featureNames: featureNames)
    }

    /// `(x − mean) / scale` for `x` of shape `[n] + featureShape` or a single example; a new
    /// tensor outside any graph.
    public func transform(_ x: Tensor) -> Tensor { apply(x, inverse: false) }

    /// `x · scale + mean`, undoing `transform(_:)`.
    public func inverseTransform(_ x: Tensor) -> Tensor { apply(x, inverse: true) }

    /// The dataset with standardized features and the same labels.
    public func transform(_ dataset: TensorDataset) -> TensorDataset {
        TensorDataset(features: transform(dataset.features), labels: dataset.labels)
    }

    private func apply(_ x: Tensor, inverse: Bool) -> Tensor {
        let f = featureCount
        precondition(f > 0 && x.count % f == 0 && (x.count == f || Shape.count(Array(x.shape.dropFirst())) == f),
                     "Standardizer: input of shape \(x.shape) does not have \(f) features per example")
        let out = Tensor(uninitializedShape: x.shape)
        let src = x.storage.pointer, dst = out.storage.pointer
        for row in 0..<(x.count / f) {
            for j in 0..<f {
                let v = src[row * f + j]
                dst[row * f + j] = inverse ? v * scale[j] + mean[j] : (v - mean[j]) / scale[j]
            }
        }
        return out
    }

    // MARK: - Saving

    private struct Stored: Codable {
        var format: String
        var mean: [Float]
        var scale: [Float]
        var featureNames: [String]?
    }

    /// The format tag written into saved files.
    static let formatTag = "converge.standardizer.v1"

    /// Writes the statistics as JSON (atomically: a crash leaves the old file or the new one).
    public func save(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(Stored(format: Self.formatTag, mean: mean, scale: scale, featureNames: featureNames))
        try AtomicFile.write(data, to: url)
    }

    /// Reads statistics saved by ``save(to:)``.
    ///
    /// - Throws: ``DataFileError`` naming the file when it cannot be read, is not such a file,
    ///   or holds inconsistent statistics (different lengths, a non-finite mean, a scale ≤ 0).
    public static func load(from url: URL) throws -> Standardizer {
        let file = url.path
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DataFileError(file: file, reason: .unreadable(FileProblem.reason(error)))
        }
        let stored: Stored
        do { stored = try JSONDecoder().decode(Stored.self, from: data) } catch {
            throw DataFileError(file: file, reason: .malformed("not a saved standardizer (expected JSON with \"mean\" and \"scale\" arrays)"))
        }
        guard stored.format == formatTag else {
            throw DataFileError(file: file, reason: .malformed("unknown standardizer format \"\(stored.format)\" (expected \"\(formatTag)\")"))
        }
        guard stored.mean.count == stored.scale.count else {
            throw DataFileError(file: file, reason: .malformed("\(stored.mean.count) means but \(stored.scale.count) scales"))
        }
        if let names = stored.featureNames, names.count != stored.mean.count {
            throw DataFileError(file: file, reason: .malformed("\(names.count) feature names for \(stored.mean.count) features"))
        }
        if let j = stored.mean.firstIndex(where: { !$0.isFinite }) {
            throw DataFileError(file: file, reason: .malformed("mean of feature \(j) is not finite"))
        }
        if let j = stored.scale.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
            throw DataFileError(file: file, reason: .malformed("scale of feature \(j) is \(stored.scale[j]); scales must be positive and finite"))
        }
        return Standardizer(mean: stored.mean, scale: stored.scale, featureNames: stored.featureNames)
    }
}
