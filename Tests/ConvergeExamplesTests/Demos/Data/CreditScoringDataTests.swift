import XCTest
@testable import ConvergeExamples
import Converge

final class CreditScoringDataTests: XCTestCase {
    /// Pearson correlation of two columns.
    private func correlation(_ data: LabeledExamples, _ i: Int, _ j: Int) -> Double {
        let z = Standardizer(fitting: data.features).transform(data.features).scalars
        let width = data.featureCount
        var sum = 0.0
        for row in 0..<data.count { sum += Double(z[row * width + i] * z[row * width + j]) }
        return sum / Double(data.count)
    }

    func testNamedFeaturesAndShapes() {
        let data = CreditScoringData.generate(samples: 100, seed: 1)
        XCTAssertEqual(CreditScoringData.featureNames.count, 20)
        XCTAssertEqual(Set(CreditScoringData.featureNames).count, 20, "names must be unique")
        XCTAssertEqual(data.features.shape, [100, CreditScoringData.featureCount])
        XCTAssertEqual(CreditScoringData.featureNames[0], "debt_to_income")
        XCTAssertEqual(CreditScoringData.featureNames[4], "credit_utilization")
        XCTAssertEqual(CreditScoringData.featureNames[8], "outstanding_balance_k")
        XCTAssertTrue(data.labels.scalars.allSatisfy { $0 == 0 || $0 == 1 })
    }

    func testValuesAreInNaturalRanges() {
        let data = CreditScoringData.generate(samples: 2_000, seed: 2)
        let x = data.features.scalars
        for row in 0..<data.count {
            let r = x[(row * 20)..<(row * 20 + 20)].map { $0 }
            XCTAssertTrue((0...2).contains(r[0]), "debt-to-income \(r[0])")
            XCTAssertTrue((0...1).contains(r[4]), "utilization \(r[4])")
            XCTAssertGreaterThan(r[8], 0)
            XCTAssertTrue((18...85).contains(r[12]), "age \(r[12])")
            XCTAssertTrue((0..<24).contains(r[17]))
        }
    }

    func testNearCopiesAreHighlyCorrelatedUntilThePopulationShifts() {
        let development = CreditScoringData.generate(samples: 5_000, seed: 3)
        let shifted = CreditScoringData.generate(samples: 5_000, seed: 3, population: .shifted)
        for group in CreditScoringData.correlatedGroups {
            for (a, b) in zip(group, group.dropFirst()) {
                XCTAssertGreaterThan(correlation(development, a, b), 0.94, "\(CreditScoringData.featureNames[a]) vs \(b)")
                XCTAssertLessThan(correlation(shifted, a, b), 0.8)
            }
        }
        let across = correlation(development, 0, 4)
        XCTAssertTrue((0.3...0.75).contains(across), "debt-to-income vs utilization r = \(across)")
        XCTAssertGreaterThan(shifted.positiveFraction, development.positiveFraction + 0.04)
    }

    func testDefaultRateOracleAndIrrelevantFeatures() throws {
        let (data, probabilities) = CreditScoringData.generateWithDefaultProbabilities(samples: 10_000, seed: 4)
        XCTAssertEqual(data.positiveFraction, 0.16, accuracy: 0.02)
        let auc = try XCTUnwrap(rocAUC(scores: probabilities.map { Float($0) }, labels: data.labels.scalars))
        XCTAssertEqual(auc, 0.88, accuracy: 0.02)
        let labelled = LabeledExamples(features: data.features, labels: data.labels)
        let withLabel = labelled.mappingFeatures { features in
            // Append the label as a column to correlate features with it.
            let columns = features.scalars
            var joined: [Float] = []
            for row in 0..<data.count { joined += columns[(row * 20)..<(row * 20 + 20)] + [data.labels.scalars[row]] }
            return Tensor(shape: [data.count, 21], scalars: joined)
        }
        for feature in CreditScoringData.irrelevantFeatures {
            XCTAssertLessThan(abs(correlation(withLabel, feature, 20)), 0.04)
        }
        XCTAssertGreaterThan(correlation(withLabel, 0, 20), 0.2, "debt-to-income must predict default")
    }

    func testSeededAndSplits() {
        XCTAssertEqual(CreditScoringData.generate(samples: 50, seed: 8).features.scalars,
                       CreditScoringData.generate(samples: 50, seed: 8).features.scalars)
        let splits = CreditScoringData.splits(train: 40, validation: 20, test: 10)
        XCTAssertEqual([splits.train.count, splits.validation.count, splits.test.count], [40, 20, 10])
        XCTAssertNotEqual(splits.train.rows(0..<10).features.scalars, splits.test.features.scalars)
    }
}
