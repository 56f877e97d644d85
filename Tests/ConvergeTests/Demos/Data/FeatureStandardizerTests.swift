import XCTest
@testable import Converge

final class FeatureStandardizerTests: XCTestCase {
    func testPopulationStatisticsAndConstantColumns() {
        let features = Tensor([[1, 10, 5], [2, 20, 5], [3, 60, 5], [6, 30, 5]])
        let standardizer = FeatureStandardizer(fitting: features)
        XCTAssertEqual(standardizer.mean, [3, 30, 5])
        // numpy: x.std(axis=0) (ddof=0) = [1.8708287, 18.708287, 0]; constant column → 1.
        XCTAssertEqual(standardizer.standardDeviation[0], 1.8708287, accuracy: 1e-6)
        XCTAssertEqual(standardizer.standardDeviation[1], 18.708287, accuracy: 1e-5)
        XCTAssertEqual(standardizer.standardDeviation[2], 1)
        let z = standardizer.transform(features).scalars
        XCTAssertEqual(z[0], -1.0690450, accuracy: 1e-6)
        XCTAssertEqual(z[2], 0)
        XCTAssertEqual(z[9], 1.6035675, accuracy: 1e-6)
    }

    func testSplitsAreStandardizedWithTrainingStatistics() {
        let train = LabeledExamples(features: Tensor([[0], [2]]), labels: Tensor([0, 1]))
        let other = LabeledExamples(features: Tensor([[4]]), labels: Tensor([1]))
        let (splits, standardizer) = DataSplits(train: train, validation: other, test: other).standardized()
        XCTAssertEqual(standardizer.mean, [1])
        XCTAssertEqual(splits.train.features.scalars, [-1, 1])
        XCTAssertEqual(splits.validation.features.scalars, [3])
        XCTAssertEqual(splits.test.labels.scalars, [1])
    }
}
