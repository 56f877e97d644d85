import Foundation
import XCTest
@testable import Converge

final class CurveDiagnosisTests: XCTestCase {
    private func patterns(_ train: [Double], _ validation: [Double]? = nil, initial: Double? = nil) -> [LossCurvePattern] {
        CurveDiagnosis.diagnose(train: train, validation: validation, thresholds: .init(initialLoss: initial)).map(\.pattern)
    }

    // MARK: Failures built on purpose in real training runs

    /// A learning rate far too high: SGD at 3 on a regression overshoots until the loss overflows.
    func testFarTooHighLearningRateDiverges() throws {
        let trainer = DoctorProblems.regressionTrainer(learningRate: 3)
        let history = try trainer.fit(train: DataLoader(DoctorProblems.regression(count: 128, seed: 1), batchSize: 16), epochs: 6)
        let diagnoses = CurveDiagnosis.diagnose(history)
        XCTAssertEqual(diagnoses.map(\.pattern), [.diverging], "\(history.series("train_loss"))")
        let finding = diagnoses[0].finding
        XCTAssertEqual(finding.status, .fail)
        XCTAssertEqual(finding.check, "loss-curve")
        XCTAssertTrue(finding.message.contains("epoch 1"), finding.message)
        XCTAssertTrue(finding.message.contains("learning rate is too high"), finding.message)
        XCTAssertTrue(finding.suggestion.contains("reduce the learning rate"), finding.suggestion)
    }

    /// A learning rate far too low: SGD at 1e-6 barely moves the loss.
    func testFarTooLowLearningRateIsFlat() throws {
        let trainer = DoctorProblems.regressionTrainer(learningRate: 1e-6)
        let history = try trainer.fit(train: DataLoader(DoctorProblems.regression(count: 128, seed: 1), batchSize: 16),
                                      validation: DataLoader(DoctorProblems.regression(count: 64, seed: 2), batchSize: 64), epochs: 5)
        let diagnoses = CurveDiagnosis.diagnose(history)
        XCTAssertEqual(diagnoses.map(\.pattern), [.flat])
        XCTAssertEqual(diagnoses[0].epochs, [1, 2, 3, 4, 5])
        XCTAssertTrue(diagnoses[0].finding.suggestion.contains("increase the learning rate by 10×"))
        XCTAssertTrue(diagnoses[0].finding.message.contains("over 5 epochs"), diagnoses[0].finding.message)
    }

    /// A big network memorizes a small training set with noisy labels: the training loss keeps
    /// falling while the validation loss climbs from its minimum.
    func testMemorizingASmallNoisyTrainingSetIsOverfitting() throws {
        Random.seed(8)
        let model = Sequential { Linear(2, 128); ReLU(); Linear(128, 128); ReLU(); Linear(128, 1) }
        let trainer = Trainer(model: model, optimizer: Adam(model.parameters, learningRate: 0.01),
                              loss: .binaryCrossEntropyWithLogits, outputKind: .binaryLogits)
        let train = DoctorProblems.blobs(count: 24, seed: 1, separation: 0.4, flipFraction: 0.3)
        let validation = DoctorProblems.blobs(count: 200, seed: 2, separation: 0.4, flipFraction: 0.3)
        let history = try trainer.fit(train: DataLoader(train, batchSize: 24), validation: DataLoader(validation, batchSize: 200),
                                      epochs: 120)
        let diagnoses = CurveDiagnosis.diagnose(history)
        XCTAssertEqual(diagnoses.first?.pattern, .overfitting, "\(diagnoses)")
        let d = diagnoses[0]
        XCTAssertEqual(d.epochs.count, 2)
        XCTAssertLessThan(d.epochs[0], 120, "validation bottomed out before the end")
        XCTAssertTrue(d.evidence.contains("validation loss bottomed at"), d.evidence)
        XCTAssertTrue(d.finding.suggestion.contains("weight decay"))
        XCTAssertEqual(d.finding.status, .warn)
    }

    /// A sensible learning rate on the same problem is not flagged.
    func testHealthyRunIsNotFlagged() throws {
        let trainer = DoctorProblems.regressionTrainer(learningRate: 0.02)
        let history = try trainer.fit(train: DataLoader(DoctorProblems.regression(count: 128, seed: 1), batchSize: 16, shuffle: true, seed: 3),
                                      validation: DataLoader(DoctorProblems.regression(count: 64, seed: 2), batchSize: 64), epochs: 8)
        let diagnoses = CurveDiagnosis.diagnose(history)
        XCTAssertEqual(diagnoses.map(\.pattern), [.healthy], "\(diagnoses.map(\.evidence)) \(history.series("train_loss")) \(history.series("val_loss"))")
        XCTAssertEqual(diagnoses[0].finding.status, .ok)
    }

    // MARK: Synthetic curves for every pattern

    func testSyntheticPatterns() {
        XCTAssertEqual(patterns([1.0, 0.6, 0.4, .nan]), [.diverging])
        XCTAssertEqual(patterns([.infinity, .nan, .nan]), [.diverging])
        XCTAssertEqual(patterns([1.0, 0.5, 0.3, 20]), [.diverging])
        XCTAssertEqual(patterns([50, 40, 30], initial: 0.7), [.diverging], "exploded within the first epoch")
        XCTAssertEqual(patterns([3.8, 3.5, 3.6, 3.2, 3.3], initial: 0.7), [.diverging], "worse than the start throughout")
        XCTAssertEqual(patterns([0.7, 0.5, 0.4, 0.3, 0.3], [0.1, 0.1, 0.15, 0.2, 0.25]), [.healthy], "validation below training is not overfitting")
        XCTAssertEqual(patterns([0.693, 0.692, 0.693, 0.692, 0.692]), [.flat])
        XCTAssertEqual(patterns([0.7, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1],
                                [0.7, 0.5, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7]), [.overfitting])
        XCTAssertEqual(patterns([0.7, 0.3, 0.1, 0.04, 0.02, 0.01], [0.7, 0.4, 0.3, 0.29, 0.29, 0.29]), [.memorizing])
        XCTAssertEqual(patterns([0.69, 0.62, 0.6, 0.59, 0.59, 0.59, 0.588, 0.588, 0.587],
                                [0.7, 0.63, 0.61, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]), [.underfitting])
        XCTAssertEqual(patterns([1.0, 0.8, 0.7, 0.75, 0.6, 0.72, 0.58, 0.7, 0.57, 0.69, 0.56, 0.7]), [.oscillating])
        XCTAssertEqual(patterns([1.0, 0.6, 0.45, 0.38, 0.34, 0.32, 0.31], [1.0, 0.65, 0.5, 0.44, 0.41, 0.4, 0.4]), [.healthy])
        XCTAssertEqual(patterns([1.0, 0.6]), [.inconclusive])
        XCTAssertEqual(patterns([]), [.inconclusive])
    }

    func testEvidenceNamesEpochsAndValues() {
        let d = CurveDiagnosis.diagnose(train: [0.7, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1],
                                        validation: [0.7, 0.5, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7])[0]
        XCTAssertEqual(d.epochs, [3, 8])
        XCTAssertEqual(d.evidence, "the validation loss bottomed at 0.45 at epoch 3 and rose to 0.7 by epoch 8 (+55.6%) while the training loss fell from 0.4 to 0.1")
    }

    func testEveryPatternHasCausesAndFixesExceptHealthy() {
        for pattern in LossCurvePattern.allCases {
            if pattern == .healthy || pattern == .inconclusive {
                XCTAssertTrue(pattern.fixes.isEmpty)
                XCTAssertEqual(pattern.status, .ok)
            } else {
                XCTAssertFalse(pattern.causes.isEmpty, "\(pattern)")
                XCTAssertFalse(pattern.fixes.isEmpty, "\(pattern)")
            }
        }
    }
}
