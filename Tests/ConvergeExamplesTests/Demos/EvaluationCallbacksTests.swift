import XCTest
@testable import ConvergeExamples
import Converge

final class EvaluationCallbacksTests: XCTestCase {
    func data(count: Int, seed: UInt64) -> TensorDataset {
        let g = RandomGenerator(seed: seed)
        var x: [Float] = [], y: [Float] = []
        for i in 0..<count {
            let label: Float = i % 2 == 0 ? 1 : 0
            x += [label * 2 - 1 + Float(g.nextUniform()) - 0.5, Float(g.nextUniform())]
            y.append(label)
        }
        return TensorDataset(features: Tensor(shape: [count, 2], scalars: x), labels: Tensor(shape: [count, 1], scalars: y))
    }

    func testEvalModeTrainingLossMatchesEvaluationOfFinalWeights() throws {
        Random.seed(3)
        let model = Sequential { Linear(2, 8); BatchNorm(8); ReLU(); Dropout(0.5); Linear(8, 1) }
        let subset = DataLoader(data(count: 32, seed: 2), batchSize: 16)
        var lines: [String] = []
        let trainer = Trainer(model: model, optimizer: AdamW(model.parameters, learningRate: 0.01),
                              loss: .binaryCrossEntropyWithLogits,
                              callbacks: [EvalModeTrainingLoss(data: subset), EpochLog(prefix: "run", every: 2) { lines.append($0) }],
                              metrics: [.rocAUC], outputKind: .binaryLogits)
        let history = try trainer.fit(train: DataLoader(data(count: 64, seed: 1), batchSize: 16, shuffle: true, seed: 4),
                                      validation: subset, epochs: 3)
        let last = try XCTUnwrap(history.records.last)
        let evalLoss = try XCTUnwrap(last["train_eval_loss"])
        XCTAssertNotNil(last["train_eval_auc"])
        // The subset is also the validation set here, so the eval-mode training loss must equal
        // the validation loss of the same (end-of-epoch) weights, and differ from the running loss.
        XCTAssertEqual(evalLoss, try XCTUnwrap(last["val_loss"]), accuracy: 1e-6)
        XCTAssertNotEqual(evalLoss, try XCTUnwrap(last["train_loss"]))
        XCTAssertTrue(model.isTraining)
        XCTAssertEqual(lines.count, 3, "epoch 1, epoch 2 (every 2) and the last epoch")
        XCTAssertTrue(lines[0].hasPrefix("run epoch 1/3 | train "), lines[0])
        XCTAssertTrue(lines[0].contains("val AUC"))
    }
}
