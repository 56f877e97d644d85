import XCTest
import ConvergeTestSupport
@testable import ConvergeExamples
import Converge

final class StreamRecDemoTests: XCTestCase {
    static func tinyConfiguration() -> StreamRecDemo.Configuration {
        var c = StreamRecDemo.Configuration()
        c.trainSamples = 512
        c.validationSamples = 256
        c.testSamples = 256
        c.trainEvaluationSamples = 128
        c.batchSize = 64
        c.hiddenSizes = [32, 16]
        c.baselineEpochs = 4
        c.recipeEpochs = 3
        c.oracleSamples = 0
        return c
    }

    func testConvergenceIsFirstEpochWithinToleranceOfBest() {
        var history = History()
        for (epoch, loss) in [0.70, 0.60, 0.505, 0.52, 0.50, 0.51].enumerated() {
            var record = HistoryRecord(epoch: epoch + 1)
            record["val_loss"] = loss
            history.append(record)
        }
        let result = StreamRecDemo.convergence(of: history, tolerance: 0.01)
        XCTAssertEqual(result.bestEpoch, 5)
        XCTAssertEqual(result.epochsToConvergence, 3, "0.505 ≤ 0.50 · 1.01")
        XCTAssertEqual(StreamRecDemo.convergence(of: history, tolerance: 0.001).epochsToConvergence, 5)
        XCTAssertEqual(StreamRecDemo.convergence(of: History(), tolerance: 0.01).bestEpoch, 0)
    }

    func testModelsFollowTheChapters() {
        Random.seed(0)
        let baseline = StreamRecDemo.makeBaselineModel()
        XCTAssertEqual(baseline.layers.filter { $0 is Linear }.count, 4)
        XCTAssertFalse(baseline.layers.contains { $0 is BatchNorm || $0 is Dropout })
        // PyTorch's default: U(−1/√fan_in, 1/√fan_in).
        let first = (baseline[0] as! Linear).weight.scalars
        XCTAssertLessThanOrEqual(first.map(abs).max()!, 1 / Float(128).squareRoot())

        let recipe = StreamRecDemo.makeRecipeModel()
        XCTAssertEqual(recipe.layers.filter { $0 is BatchNorm }.count, 3)
        XCTAssertEqual(recipe.layers.compactMap { ($0 as? Dropout)?.probability }, [0.3, 0.3, 0.3])
        let hidden = (recipe[4] as! Linear)
        XCTAssertEqual(hidden.weight.shape, [128, 256])
        let w = hidden.weight.scalars.map(Double.init)
        let std = (w.reduce(0) { $0 + $1 * $1 } / Double(w.count)).squareRoot()
        XCTAssertEqual(std, (2.0 / 256).squareRoot(), accuracy: 0.05 * (2.0 / 256).squareRoot(), "He: √(2 / fan_in)")
        XCTAssertTrue(hidden.bias!.scalars.allSatisfy { $0 == 0 })
        XCTAssertEqual(recipe(Tensor.zeros([2, 128])).shape, [2, 1])
    }

    func testBaselineOptimizerParsing() throws {
        XCTAssertEqual(try StreamRecDemo.BaselineOptimizer(parsing: "sgd:0.01"), .sgd(learningRate: 0.01))
        XCTAssertEqual(try StreamRecDemo.BaselineOptimizer(parsing: "SGD:0.01:0.9"), .sgd(learningRate: 0.01, momentum: 0.9))
        XCTAssertEqual(try StreamRecDemo.BaselineOptimizer(parsing: "adam:0.001"), .adam(learningRate: 0.001))
        for bad in ["sgd", "rmsprop:0.1", "adam:x", "sgd:-1", "adam:0.1:0.9"] {
            XCTAssertThrowsError(try StreamRecDemo.BaselineOptimizer(parsing: bad), bad) { error in
                XCTAssertTrue("\(error)".contains("--baseline-optimizer"), "\(error)")
            }
        }
        XCTAssertEqual(StreamRecDemo.BaselineOptimizer.sgd(learningRate: 0.01).description, "SGD(lr 0.01)")
    }

    func testTinyRunProducesTableHistoriesAndFiles() throws {
        let directory = try makeIOTestDirectory()
        var lines: [String] = []
        let report = try StreamRecDemo.run(Self.tinyConfiguration(), output: directory) { lines.append($0) }
        XCTAssertEqual(report.baseline.epochsRun, 4)
        XCTAssertLessThanOrEqual(report.recipe.epochsRun, 3)
        XCTAssertEqual(report.baseline.keptEpoch, 4, "the baseline keeps its last weights")
        for run in [report.baseline, report.recipe] {
            for key in ["train_loss", "train_eval_loss", "val_loss", "val_auc", "lr", "grad_norm", "time_s"] {
                XCTAssertNotNil(run.history.records.first?[key], "\(run.name) \(key)")
            }
            let kept = run.history.records[run.keptEpoch - 1]
            XCTAssertEqual(run.validationAUC, kept["val_auc"])
            XCTAssertEqual(run.gap, kept["val_loss"]! - kept["train_eval_loss"]!, accuracy: 1e-12)
            XCTAssertTrue((1...run.epochsRun).contains(run.epochsToConvergence))
            XCTAssertTrue(run.testAUC > 0 && run.testAUC < 1)
            XCTAssertGreaterThan(run.trainingSeconds, 0)
        }
        // The recipe's learning rate follows the one-cycle schedule: it ends far below its peak.
        let rates = report.recipe.history.series("lr")
        XCTAssertLessThan(rates.last!, rates.max()! / 100)
        XCTAssertEqual(Set(report.baseline.history.series("lr")), [0.01])

        let table = report.table()
        XCTAssertEqual(table.header, ["Metric", "Ch. 6 baseline", "Ch. 7 recipe"])
        let labels = table.rows.map { $0[0] }
        for label in ["Epochs to convergence", "Final validation AUC", "Train-val gap (loss, eval-mode train)", "Training time"] {
            XCTAssertTrue(labels.contains(label), label)
        }
        XCTAssertEqual(report.definitions.count, 4)
        XCTAssertTrue(lines.contains { $0.hasPrefix("baseline epoch 4/4") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("recipe epoch 1/3") })

        for file in ["baseline.svg", "recipe.svg", "comparison.svg", "summary.json", "baseline/history.csv",
                     "recipe/history.jsonl"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path), file)
        }
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("summary.json"))) as? [String: Any])
        let recipe = try XCTUnwrap(json["recipe"] as? [String: Any])
        XCTAssertEqual(recipe["epochs_run"] as? Int, report.recipe.epochsRun)
        XCTAssertNotNil((recipe["history"] as? [String: Any])?["val_auc"])
        XCTAssertNotNil(json["reproduced"] as? [String: Bool])
        XCTAssertNil(SVGDocument(try String(contentsOf: directory.appendingPathComponent("comparison.svg"), encoding: .utf8)).error)
    }

    func testRejectsTooLittleData() {
        var c = Self.tinyConfiguration()
        c.trainSamples = 10
        XCTAssertThrowsError(try StreamRecDemo.run(c)) { error in
            XCTAssertTrue(error is DemoError)
        }
    }
}
