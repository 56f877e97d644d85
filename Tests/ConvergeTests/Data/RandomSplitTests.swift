import XCTest
@testable import Converge

final class RandomSplitTests: XCTestCase {
    func testSizesCoverAndOrder() {
        let (train, validation) = randomSplitIndices(count: 10, validationFraction: 0.25, seed: 1)
        XCTAssertEqual(validation.count, 3)  // ceil(2.5)
        XCTAssertEqual(train.count, 7)
        XCTAssertEqual(Set(train).intersection(validation), [])
        XCTAssertEqual((train + validation).sorted(), Array(0..<10))
        XCTAssertEqual(train, train.sorted())
        XCTAssertEqual(validation, validation.sorted())
    }

    func testSameSeedSameSplitOtherSeedOtherSplit() {
        let a = randomSplitIndices(count: 50, validationFraction: 0.2, seed: 11)
        let b = randomSplitIndices(count: 50, validationFraction: 0.2, seed: 11)
        let c = randomSplitIndices(count: 50, validationFraction: 0.2, seed: 12)
        XCTAssertEqual(a.validation, b.validation)
        XCTAssertNotEqual(a.validation, c.validation)
    }

    func testTensorDatasetSplitCopiesRows() {
        let data = TensorDataset(features: Tensor(shape: [8, 1], scalars: (0..<8).map(Float.init)), labels: Tensor((0..<8).map { Float($0 * 2) }))
        let (train, validation) = randomSplit(data, validationFraction: 0.5, seed: 3)
        let (ti, vi) = randomSplitIndices(count: 8, validationFraction: 0.5, seed: 3)
        XCTAssertEqual(train.features.scalars, ti.map(Float.init))
        XCTAssertEqual(validation.labels.scalars, vi.map { Float($0 * 2) })
    }

    func testGenericSplitIsAView() {
        let data = TensorDataset(features: Tensor(shape: [6, 1], scalars: (0..<6).map(Float.init)), labels: Tensor((0..<6).map(Float.init)))
        let (train, validation) = randomSplit(data as any Dataset, validationFraction: 0.5, seed: 4)
        XCTAssertEqual(train.count + validation.count, 6)
        let batch = validation.batch(indices: [0, 2])
        XCTAssertEqual(batch.inputs.scalars, [Float(validation.indices[0]), Float(validation.indices[2])])
        XCTAssertEqual(batch.indices, [0, 2])
        XCTAssertEqual(train.example(at: 1).features, [Float(train.indices[1])])
    }
}
