import XCTest
@testable import ConvergeExamples
import Converge

final class StreamRecDataTests: XCTestCase {
    func testShapesAndBinaryLabels() {
        let data = StreamRecData.generate(samples: 300, seed: 1)
        XCTAssertEqual(data.features.shape, [300, 128])
        XCTAssertEqual(data.labels.shape, [300])
        XCTAssertTrue(data.labels.scalars.allSatisfy { $0 == 0 || $0 == 1 })
        XCTAssertTrue(data.features.scalars.allSatisfy { $0.isFinite })
    }

    func testSameSeedSameDataAndDifferentSeedDifferentData() {
        let a = StreamRecData.generate(samples: 200, seed: 42)
        let b = StreamRecData.generate(samples: 200, seed: 42)
        let c = StreamRecData.generate(samples: 200, seed: 43)
        XCTAssertEqual(a.features.scalars, b.features.scalars)
        XCTAssertEqual(a.labels.scalars, b.labels.scalars)
        XCTAssertNotEqual(a.features.scalars, c.features.scalars)
    }

    func testClickRateAndOracleAUCAreCalibrated() throws {
        let (examples, probabilities) = StreamRecData.generateWithClickProbabilities(samples: 20_000, seed: 7)
        XCTAssertEqual(examples.positiveFraction, 0.28, accuracy: 0.03)
        XCTAssertEqual(probabilities.reduce(0, +) / 20_000, examples.positiveFraction, accuracy: 0.02)
        let auc = try XCTUnwrap(rocAUC(scores: probabilities.map { Float($0) }, labels: examples.labels.scalars))
        XCTAssertEqual(auc, 0.80, accuracy: 0.02, "the best achievable AUC should be near 0.8")
    }

    func testFeaturesHaveVeryDifferentScales() {
        let data = StreamRecData.generate(samples: 2_000, seed: 3)
        let std = Standardizer(fitting: data.features).scale
        XCTAssertGreaterThan(std.max()! / std.min()!, 100)
    }

    func testContextDuplicatesAreCorrelatedAndNoiseFeaturesAreNot() {
        let data = StreamRecData.generate(samples: 4_000, seed: 5)
        let x = Standardizer(fitting: data.features).transform(data.features).scalars
        func correlation(_ i: Int, _ j: Int) -> Float {
            var sum: Float = 0
            for row in 0..<4_000 { sum += x[row * 128 + i] * x[row * 128 + j] }
            return sum / 4_000
        }
        XCTAssertGreaterThan(correlation(96, 104), 0.95)      // sin(hour) and its noisy copy
        XCTAssertLessThan(abs(correlation(112, 113)), 0.06)   // two pure-noise features
    }

    func testSplitsAreIndependentOfEachOthersSizes() {
        let small = StreamRecData.splits(train: 50, validation: 30, test: 20, seed: 9)
        let large = StreamRecData.splits(train: 80, validation: 30, test: 20, seed: 9)
        XCTAssertEqual(small.train.count, 50)
        XCTAssertEqual(small.validation.count, 30)
        XCTAssertEqual(small.test.count, 20)
        XCTAssertEqual(small.test.features.scalars, large.test.features.scalars)
        XCTAssertEqual(large.train.rows(0..<50).features.scalars, small.train.features.scalars)
        XCTAssertNotEqual(small.train.rows(0..<20).features.scalars, small.test.features.scalars)
    }
}
