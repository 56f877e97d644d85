import XCTest
@testable import ConvergeExamples
import Converge

final class LabeledExamplesTests: XCTestCase {
    private let examples = LabeledExamples(features: Tensor([[1, 2], [3, 4], [5, 6]]), labels: Tensor([0, 1, 1]))

    func testCountsAndLabelColumn() {
        XCTAssertEqual(examples.count, 3)
        XCTAssertEqual(examples.featureCount, 2)
        XCTAssertEqual(examples.labelColumn.shape, [3, 1])
        XCTAssertEqual(examples.positiveFraction, 2.0 / 3.0, accuracy: 1e-12)
    }

    func testSubsetCopiesRowsInOrder() {
        let picked = examples.subset([2, 0, 2])
        XCTAssertEqual(picked.features.scalars, [5, 6, 1, 2, 5, 6])
        XCTAssertEqual(picked.labels.scalars, [1, 0, 1])
        picked.features.fill(0)
        XCTAssertEqual(examples.features.scalars, [1, 2, 3, 4, 5, 6], "subset must copy")
        XCTAssertEqual(examples.rows(1..<3).labels.scalars, [1, 1])
    }

    func testMappingFeaturesKeepsLabels() {
        let doubled = examples.mappingFeatures { Tensor(shape: $0.shape, scalars: $0.scalars.map { $0 * 2 }) }
        XCTAssertEqual(doubled.features.scalars, [2, 4, 6, 8, 10, 12])
        XCTAssertEqual(doubled.labels.scalars, [0, 1, 1])
    }
}
