import Converge
import ConvergeCore
/// Training, validation and test examples drawn from the same distribution.
public struct DataSplits {
    /// Examples to fit the model on.
    public let train: LabeledExamples
    /// Examples to tune on (early stopping, learning-rate choice).
    public let validation: LabeledExamples
    /// Examples to report the final score on.
    public let test: LabeledExamples

    /// Groups three sets with the same number of features.
    public init(train: LabeledExamples, validation: LabeledExamples, test: LabeledExamples) {
        precondition(train.featureCount == validation.featureCount && train.featureCount == test.featureCount,
                     "DataSplits: feature counts differ (\(train.featureCount), \(validation.featureCount), \(test.featureCount))")
        self.train = train
        self.validation = validation
        self.test = test
    }

    /// All three sets standardized with the mean and standard deviation of the *training*
    /// features (so no information leaks from validation or test), and the standardizer used.
    public func standardized() -> (splits: DataSplits, standardizer: Standardizer) {
        let standardizer = Standardizer(fitting: train.features)
        let splits = DataSplits(train: train.mappingFeatures(standardizer.transform),
                                validation: validation.mappingFeatures(standardizer.transform),
                                test: test.mappingFeatures(standardizer.transform))
        return (splits, standardizer)
    }
}
