import XCTest
@testable import ConvergeExamples
import Converge

final class DataSplitsTests: XCTestCase {
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
