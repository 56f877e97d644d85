import ConvergeCore

/// Per-feature standardization `(x − mean) / std`, with the statistics of the data it was
/// fitted on (scikit-learn's `StandardScaler`: population standard deviation; a constant
/// feature gets std 1 so that it maps to 0 instead of dividing by zero).
public struct FeatureStandardizer {
    /// Mean of each feature in the fitted data.
    public let mean: [Float]
    /// Population standard deviation of each feature in the fitted data (1 for constant ones).
    public let standardDeviation: [Float]

    /// Fits the statistics of `features` [N, F] (accumulated in double precision).
    public init(fitting features: Tensor) {
        precondition(features.rank == 2 && features.shape[0] > 0,
                     "FeatureStandardizer: features must have shape [N, F] with N > 0, got \(features.shape)")
        let (n, width) = (features.shape[0], features.shape[1])
        var sum = [Double](repeating: 0, count: width)
        var sumOfSquares = [Double](repeating: 0, count: width)
        features.withUnsafeBufferPointer { x in
            for i in 0..<n {
                for j in 0..<width { sum[j] += Double(x[i * width + j]) }
            }
            for j in 0..<width { sum[j] /= Double(n) }
            for i in 0..<n {
                for j in 0..<width {
                    let d = Double(x[i * width + j]) - sum[j]
                    sumOfSquares[j] += d * d
                }
            }
        }
        mean = sum.map { Float($0) }
        standardDeviation = sumOfSquares.map { total in
            let std = (total / Double(n)).squareRoot()
            return std > 1e-12 ? Float(std) : 1
        }
    }

    /// Creates a standardizer from known statistics.
    public init(mean: [Float], standardDeviation: [Float]) {
        precondition(mean.count == standardDeviation.count,
                     "FeatureStandardizer: \(mean.count) means but \(standardDeviation.count) standard deviations")
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// `features` [N, F] standardized column by column (a new tensor).
    public func transform(_ features: Tensor) -> Tensor {
        precondition(features.rank == 2 && features.shape[1] == mean.count,
                     "FeatureStandardizer.transform: expected shape [N, \(mean.count)], got \(features.shape)")
        let width = mean.count
        let output = Tensor(uninitializedShape: features.shape)
        features.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                for i in 0..<features.shape[0] {
                    for j in 0..<width { y[i * width + j] = (x[i * width + j] - mean[j]) / standardDeviation[j] }
                }
            }
        }
        return output
    }
}
