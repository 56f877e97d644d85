import XCTest
@testable import Converge

final class TensorDatasetTests: XCTestCase {
    func makeDataset() -> TensorDataset {
        // Example i has features [i, 10i] and label 100i.
        let features = Tensor(shape: [5, 2], scalars: (0..<5).flatMap { [Float($0), Float($0 * 10)] })
        return TensorDataset(features: features, labels: Tensor((0..<5).map { Float($0 * 100) }))
    }

    func testShapesAndExample() {
        let data = makeDataset()
        XCTAssertEqual(data.count, 5)
        XCTAssertEqual(data.featureShape, [2])
        XCTAssertEqual(data.labelShape, [])
        let (features, label) = data.example(at: 3)
        XCTAssertEqual(features, [3, 30])
        XCTAssertEqual(label, [300])
    }

    func testBatchCopiesRowsInOrderWithRepeats() {
        let batch = makeDataset().batch(indices: [4, 0, 4])
        XCTAssertEqual(batch.inputs.shape, [3, 2])
        XCTAssertEqual(batch.inputs.scalars, [4, 40, 0, 0, 4, 40])
        XCTAssertEqual(batch.targets.shape, [3])
        XCTAssertEqual(batch.targets.scalars, [400, 0, 400])
        XCTAssertEqual(batch.indices, [4, 0, 4])
        XCTAssertEqual(batch.count, 3)
    }

    func testBatchIsIndependentOfSource() {
        let data = makeDataset()
        let batch = data.batch(indices: [1])
        data.features.fill(-1)
        XCTAssertEqual(batch.inputs.scalars, [1, 10])
    }

    func testMultiDimensionalFeaturesAndVectorLabels() {
        let features = Tensor(shape: [3, 2, 2], scalars: (0..<12).map(Float.init))
        let labels = Tensor(shape: [3, 2], scalars: [0, 1, 1, 0, 0.5, 0.5])
        let data = TensorDataset(features: features, labels: labels)
        XCTAssertEqual(data.featureShape, [2, 2])
        XCTAssertEqual(data.labelShape, [2])
        let batch = data.batch(indices: [2, 1])
        XCTAssertEqual(batch.inputs.shape, [2, 2, 2])
        XCTAssertEqual(batch.inputs.scalars, [8, 9, 10, 11, 4, 5, 6, 7])
        XCTAssertEqual(batch.targets.scalars, [0.5, 0.5, 1, 0])
    }

    func testDefaultBatchFromExamplesMatchesTensorBatch() {
        struct Wrapped: Dataset {
            let inner: TensorDataset
            var count: Int { inner.count }
            var featureShape: [Int] { inner.featureShape }
            var labelShape: [Int] { inner.labelShape }
            func example(at index: Int) -> (features: [Float], label: [Float]) { inner.example(at: index) }
        }
        let data = makeDataset()
        let fromExamples = Wrapped(inner: data).batch(indices: [3, 1])
        let fromRows = data.batch(indices: [3, 1])
        XCTAssertEqual(fromExamples.inputs.shape, fromRows.inputs.shape)
        XCTAssertEqual(fromExamples.inputs.scalars, fromRows.inputs.scalars)
        XCTAssertEqual(fromExamples.targets.scalars, fromRows.targets.scalars)
    }

    func testSubsetAndReshapedLabels() {
        let data = makeDataset()
        let subset = data.subset([2, 3])
        XCTAssertEqual(subset.count, 2)
        XCTAssertEqual(subset.features.scalars, [2, 20, 3, 30])
        let column = data.reshapingLabels(to: [1])
        XCTAssertEqual(column.labels.shape, [5, 1])
        XCTAssertEqual(column.batch(indices: [1]).targets.shape, [1, 1])
    }
}
