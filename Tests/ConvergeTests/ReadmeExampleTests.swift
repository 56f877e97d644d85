import XCTest
@testable import Converge

/// The code shown in README.md, kept compiling and running.
final class ReadmeExampleTests: XCTestCase {
    func testManualLoopAndTrainerSnippets() throws {
        Random.seed(42)
        let model = Sequential {
            Linear(128, 256); BatchNorm(256); ReLU(); Dropout(0.3)
            Linear(256, 1)
        }
        let optimizer = AdamW(model.parameters, learningRate: 1e-3, weightDecay: 1e-2)
        let schedule = OneCycleLR(maxLearningRate: 1e-3, totalSteps: 100)
        let x = Tensor.randomNormal([64, 128])
        let y = Tensor.randomBernoulli([64, 1], probability: 0.3)
        var losses: [Float] = []
        for step in 0..<100 {
            schedule.apply(to: optimizer, step: step)
            optimizer.zeroGrad()
            let loss = binaryCrossEntropy(logits: model(x), targets: y)
            loss.backward()
            clipGradNorm(model.parameters, maxNorm: 1.0)
            optimizer.step()
            losses.append(loss.item())
        }
        XCTAssertLessThan(losses.last!, losses.first!)

        let data = TensorDataset(features: x, labels: y)
        let trainer = Trainer(model: model, optimizer: optimizer, loss: .binaryCrossEntropyWithLogits,
                              callbacks: [GradientClipping(maxNorm: 1), EarlyStopping(patience: 5)],
                              metrics: [.accuracy, .rocAUC], outputKind: .binaryLogits)
        let history = try trainer.fit(train: DataLoader(data, batchSize: 16, shuffle: true, seed: 1),
                                      validation: DataLoader(data, batchSize: 64), epochs: 10)
        let svg = FileManager.default.temporaryDirectory.appendingPathComponent("readme-\(UUID().uuidString).svg")
        defer { try? FileManager.default.removeItem(at: svg) }
        try history.plot(to: svg.path)
        XCTAssertFalse(history.records.isEmpty)
        XCTAssertTrue(FileManager.default.fileExists(atPath: svg.path))
    }
}
