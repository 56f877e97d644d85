import ConvergeTestSupport
import Foundation
import XCTest
@testable import Converge

final class RecipeLintTests: XCTestCase {
    /// Writes `train.csv` (x1, x2, label: two separated blobs, shuffled rows) and the recipe text, and lints it.
    func lint(_ yaml: String, csv: String? = nil) throws -> LintReport {
        let dir = try makeIOTestDirectory()
        let data = csv ?? RecipeLintTests.blobsCSV()
        try data.write(to: dir.appendingPathComponent("train.csv"), atomically: true, encoding: .utf8)
        let url = dir.appendingPathComponent("recipe.yaml")
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        return RecipeLint().lint(try Recipe.load(from: url))
    }

    static func blobsCSV(count: Int = 200, sorted: Bool = false, extra: ((Int, Double) -> String)? = nil, header: String = "x1,x2,label") -> String {
        let g = RandomGenerator(seed: 3)
        var rows: [(String, Int)] = []
        for i in 0..<count {
            let label = sorted ? (i < count / 2 ? 0 : 1) : i % 2
            let c = label == 1 ? 1.5 : -1.5
            let x1 = c + g.nextUniformDouble() - 0.5, x2 = c + g.nextUniformDouble() - 0.5
            let e = extra.map { "," + $0(label, x1) } ?? ""
            rows.append((String(format: "%.4f,%.4f", x1, x2) + e + ",\(label)", label))
        }
        return ([header] + rows.map(\.0)).joined(separator: "\n") + "\n"
    }

    let healthy = """
    seed: 1
    data: { train: train.csv, validation: 0.2, label: label }
    model: { mlp: { hidden: [16], activation: relu, init: he } }
    optimizer: { name: adamw, lr: 3.0e-3 }
    training: { epochs: 5, batch_size: 32 }
    """

    func testHealthyRecipeHasNoWarnings() throws {
        let report = try lint(healthy)
        XCTAssertFalse(report.hasErrors)
        XCTAssertTrue(report.findings.filter { $0.severity >= .warning }.isEmpty, report.text())
    }

    func testSigmoidOutputIntoLogitsLossIsAnErrorOnItsLine() throws {
        let report = try lint("""
        data: { train: train.csv, label: label }
        model:
          layers:
            - linear: { out: 8 }
            - relu: {}
            - linear: { out: 1 }
            - sigmoid: {}
        training: { epochs: 2, batch_size: 16 }
        """)
        let finding = try XCTUnwrap(report.findings(of: "output-activation").first, report.text())
        XCTAssertEqual(finding.severity, .error)
        XCTAssertEqual(finding.line, 7)
        XCTAssertEqual(finding.field, "model.layers[3]")
        XCTAssertTrue(finding.fix.contains("remove the final sigmoid"), finding.fix)
        XCTAssertTrue(report.hasErrors)
        XCTAssertTrue(report.text().contains("recipe.yaml:7: error: [output-activation]"), report.text())
    }

    func testOutputSizeAgainstClassesAndDropoutAtTheOutput() throws {
        let report = try lint("""
        data: { train: train.csv, label: label }
        model: { layers: [ {linear: {out: 8}}, {relu: {}}, {linear: {out: 3}} ] }
        """)
        XCTAssertEqual(report.findings(of: "output-size").first?.severity, .error, report.text())
        let dropout = try lint("""
        data: { train: train.csv, label: label }
        model: { layers: [ {linear: {out: 8}}, {relu: {}}, {dropout: {p: 0.6}}, {linear: {out: 1}}, {dropout: {p: 0.1}} ] }
        """)
        XCTAssertEqual(dropout.findings(of: "dropout-output").map(\.severity), [.error, .warning], dropout.text())
    }

    func testRegressionTargetsWithAClassificationLossAndTheReverse() throws {
        let g = RandomGenerator(seed: 1)
        let continuous = "x1,label\n" + (0..<50).map { _ in String(format: "%.3f,%.3f", g.nextUniformDouble(), g.nextUniformDouble() * 10) }.joined(separator: "\n") + "\n"
        let report = try lint("data: { train: train.csv, label: label, task: classification }\nmodel: { mlp: { hidden: [4] } }\n", csv: continuous)
        let finding = try XCTUnwrap(report.findings(of: "target-kind").first, report.text())
        XCTAssertEqual(finding.severity, .error)
        XCTAssertEqual(finding.line, 1)
        XCTAssertTrue(finding.fix.contains("task: regression"))
        let binary = try lint("data: { train: train.csv, label: label, task: regression }\nmodel: { mlp: { hidden: [4] } }\n")
        XCTAssertEqual(binary.findings(of: "target-kind").first?.severity, .warning, binary.text())
    }

    func testUnnormalizedConstantAndIntegerCodedFeatures() throws {
        let g = RandomGenerator(seed: 2)
        let csv = RecipeLintTests.blobsCSV(extra: { _, _ in "\(Int(g.nextUniformDouble() * 5)),7,\(String(format: "%.1f", 5000 + g.nextUniformDouble() * 2000))" },
                                           header: "x1,x2,color,version,income,label")
        let report = try lint("data: { train: train.csv, label: label, standardize: false }\nmodel: { mlp: { hidden: [4] } }\n", csv: csv)
        XCTAssertEqual(report.findings(of: "constant-feature").first?.message.contains("version"), true, report.text())
        XCTAssertEqual(report.findings(of: "integer-coded-feature").first?.message.contains("color"), true, report.text())
        let scale = try XCTUnwrap(report.findings(of: "feature-scale").first, report.text())
        XCTAssertTrue(scale.message.contains("income"))
        XCTAssertEqual(scale.line, 1)
        XCTAssertTrue(scale.fix.contains("standardize: true"))
    }

    func testLabelRangeLeakageAndASortedFileWithoutShuffling() throws {
        let shifted = RecipeLintTests.blobsCSV().replacingOccurrences(of: ",1\n", with: ",2\n").replacingOccurrences(of: ",0\n", with: ",1\n")
        let range = try lint(healthy, csv: shifted)
        XCTAssertEqual(range.findings(of: "label-range").first?.severity, .warning, range.text())
        let leak = try lint(healthy, csv: RecipeLintTests.blobsCSV(extra: { label, _ in "\(label)" }, header: "x1,x2,outcome_code,label"))
        XCTAssertEqual(leak.findings(of: "label-leakage").first?.severity, .error, leak.text())
        XCTAssertTrue(leak.findings(of: "label-leakage").first!.message.contains("outcome_code"))
        let sorted = try lint(healthy.replacingOccurrences(of: "batch_size: 32", with: "batch_size: 32, shuffle: false"),
                              csv: RecipeLintTests.blobsCSV(sorted: true))
        let finding = try XCTUnwrap(sorted.findings(of: "unshuffled-sorted").first, sorted.text())
        XCTAssertEqual(finding.severity, .error)
        XCTAssertEqual(finding.line, 5)
        XCTAssertEqual(finding.doctorFinding.remedies, [.shuffle])
    }

    func testInitializerAgainstActivationAndBatchNormWithTinyBatches() throws {
        let report = try lint("""
        data: { train: train.csv, label: label }
        model: { mlp: { hidden: [16, 16], activation: tanh, init: he, batchnorm: true } }
        training: { batch_size: 4 }
        """)
        XCTAssertEqual(report.findings(of: "init-activation").first?.fix, "use init: xavier with tanh", report.text())
        XCTAssertEqual(report.findings(of: "batchnorm-batch").first?.severity, .warning)
        XCTAssertEqual(report.findings(of: "batchnorm-batch").first?.line, 3)
    }

    func testLearningRateRangeAndScheduleLength() throws {
        let report = try lint("""
        data: { train: train.csv, validation: 0.2, label: label }
        model: { mlp: { hidden: [8] } }
        optimizer:
          name: adam
          lr: 0.5
        schedule: { name: cosine, t_max: 10 }
        training: { epochs: 10, batch_size: 32 }
        """)
        let rate = try XCTUnwrap(report.findings(of: "learning-rate").first, report.text())
        XCTAssertEqual(rate.severity, .error)
        XCTAssertEqual(rate.line, 5)
        let schedule = try XCTUnwrap(report.findings(of: "schedule-length").first, report.text())
        XCTAssertEqual(schedule.field, "schedule.t_max")
        XCTAssertTrue(schedule.message.contains("50 steps"), schedule.message)   // 160 examples / 32 × 10 epochs
        let slow = try lint(healthy.replacingOccurrences(of: "name: adamw, lr: 3.0e-3", with: "name: sgd, lr: 1.0e-7"))
        XCTAssertEqual(slow.findings(of: "learning-rate").first?.severity, .error, slow.text())
        XCTAssertEqual(slow.findings(of: "learning-rate").first?.doctorFinding.remedies, [.raiseLearningRate])
        let onecycle = try lint(healthy + "\nschedule: { name: one-cycle, max_lr: 1.0e-2, total_steps: 5 }\n")
        XCTAssertEqual(onecycle.findings(of: "schedule-length").first?.severity, .error, onecycle.text())
    }

    func testWeightDecayOnBiasAndNormParameters() throws {
        Random.seed(1)
        let model = Sequential { Linear(4, 8); BatchNorm(8); ReLU(); Linear(8, 1) }
        let all = AdamW(model.parameters, learningRate: 1e-3, weightDecay: 0.1)
        let findings = RecipeLint.weightDecayFindings(all, model: model)
        XCTAssertEqual(findings.first?.check, "weight-decay-norm-bias")
        XCTAssertTrue(findings.first?.message.contains("4 bias/normalization parameters") ?? false, findings.first?.message ?? "")
        let split = AdamW(ParameterGroup.weightDecaySplit(model.parameters, weightDecay: 0.1), learningRate: 1e-3, weightDecay: 0.1)
        XCTAssertTrue(RecipeLint.weightDecayFindings(split, model: model).isEmpty)
    }

    func testMissingFileAndNaNCellsAreErrorsNotCrashes() throws {
        let missing = try lint(healthy.replacingOccurrences(of: "train: train.csv", with: "train: nowhere.csv"))
        XCTAssertTrue(missing.hasErrors)
        XCTAssertEqual(missing.findings.first?.field, "data.train")
        let nan = try lint(healthy, csv: "x1,x2,label\n0.1,0.2,0\nnan,0.3,1\n0.5,0.1,0\n0.2,0.2,1\n")
        let finding = try XCTUnwrap(nan.findings(of: "data-finite").first, nan.text())
        XCTAssertEqual(finding.severity, .error)
        XCTAssertTrue(finding.message.contains("train.csv:3"), finding.message)
    }
}
