/// A weighted mean built up one value at a time, in double precision: the epoch loss as the
/// mean of batch losses weighted by batch size, so a small last batch counts for what it holds.
public struct RunningMean: Equatable {
    /// The weighted sum of the values.
    public private(set) var sum = 0.0
    /// The sum of the weights.
    public private(set) var weight = 0.0
    /// Number of values added.
    public private(set) var count = 0

    /// An empty mean.
    public init() {}

    /// Adds `value` with `weight` (e.g. a batch's mean loss with its number of examples).
    public mutating func add(_ value: Double, weight: Double = 1) {
        precondition(weight >= 0, "RunningMean.add: weight must not be negative, got \(weight)")
        sum += value * weight
        self.weight += weight
        count += 1
    }

    /// The weighted mean (NaN before anything with positive weight was added).
    public var mean: Double { weight > 0 ? sum / weight : .nan }

    /// Forgets everything added.
    public mutating func reset() { self = RunningMean() }
}
