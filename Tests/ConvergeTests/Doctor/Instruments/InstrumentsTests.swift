import ConvergeCore
import XCTest
@testable import Converge

/// A sequence classifier: LSTM over [B, T, 3], the last step's hidden state into a Linear head.
private final class RecurrentClassifier: Module {
    let lstm = LSTM(inputSize: 3, hiddenSize: 6, batchFirst: true)
    let head = Linear(6, 1)
    override func forward(_ input: Tensor) -> Tensor {
        let out = lstm(input)
        let steps = input.shape[1]
        return head(out.sliced(alongAxis: 1, (steps - 1)..<steps).reshaped([input.shape[0], 6]))
    }
}

/// Self-attention over [B, T, 4], mean-pooled into a Linear head.
private final class AttentionClassifier: Module {
    let attention = MultiheadAttention(embedDimension: 4, headCount: 2, batchFirst: true)
    let head = Linear(4, 1)
    override func forward(_ input: Tensor) -> Tensor {
        head(attention(query: input, key: input, value: input).mean(alongAxis: 1))
    }
}

final class InstrumentsTests: XCTestCase {
    func instruments(_ interval: Int) -> [Callback] {
        [GradientSignalToNoise(interval: interval), UpdateRatioMonitor(interval: interval),
         SharpnessMonitor(interval: interval), StepQualityMonitor(interval: interval)]
    }

    /// Trains an MLP with BatchNorm and dropout for 2 epochs; returns the final parameters.
    func train(callbacks: [Callback]) throws -> [Float] {
        Random.seed(5)
        let data = DoctorProblems.blobs(count: 64, seed: 2)
        let model = Sequential { Linear(2, 16); BatchNorm(16); ReLU(); Dropout(0.2); Linear(16, 1) }
        let trainer = Trainer(model: model, optimizer: AdamW(model.parameters, learningRate: 1e-2), loss: .binaryCrossEntropyWithLogits,
                              callbacks: callbacks)
        try trainer.fit(train: DataLoader(data, batchSize: 16, shuffle: true, seed: 3), epochs: 2)
        return model.stateDict().flatMap { $0.1.scalars }
    }

    func testInstrumentsLeaveTheTrajectoryUnchanged() throws {
        let plain = try train(callbacks: [])
        let callbacks = instruments(2)
        let instrumented = try train(callbacks: callbacks)
        XCTAssertEqual(plain, instrumented, "parameters and BatchNorm statistics must match bit for bit")
        let snr = callbacks[0] as! GradientSignalToNoise
        XCTAssertEqual(snr.measurements.count, 4)   // steps 0, 2, 4, 6 of 8
        XCTAssertEqual(snr.measurements[0].layers.map(\.name), ["0", "1", "4"])
        XCTAssertTrue(snr.measurements.allSatisfy { $0.layers.allSatisfy { $0.snr >= 0 } })
        XCTAssertEqual((callbacks[1] as! UpdateRatioMonitor).measurements.count, 4)
        XCTAssertEqual((callbacks[2] as! SharpnessMonitor).measurements.count, 4)
        XCTAssertEqual((callbacks[3] as! StepQualityMonitor).measurements.count, 4)
    }

    /// f(w) = mean((w·1)²) = w²: curvature 2. SGD at rate η lands at α = 2η − 1 along its step,
    /// and the sharpness is 2 with stability edge 2/η.
    func testStepQualityAndSharpnessOnAQuadratic() throws {
        for (rate, alpha) in [(0.25, -0.5), (0.5, 0.0), (0.75, 0.5)] {
            let model = Sequential { Linear(1, 1, bias: false) }
            model.parameters[0].storage.pointer[0] = 3
            let data = TensorDataset(features: Tensor(shape: [8, 1], scalars: [Float](repeating: 1, count: 8)),
                                     labels: Tensor(shape: [8, 1], scalars: [Float](repeating: 0, count: 8)))
            let quality = StepQualityMonitor(interval: 1), sharpness = SharpnessMonitor(interval: 1, iterationsPerMeasurement: 2, probeFraction: 1)
            let update = UpdateRatioMonitor(interval: 1)
            let trainer = Trainer(model: model, optimizer: SGD(model.parameters, learningRate: rate), loss: .meanSquaredError,
                                  callbacks: [quality, sharpness, update])
            try trainer.fit(train: DataLoader(data, batchSize: 8, shuffle: false), epochs: 1)
            XCTAssertEqual(quality.measurements[0].alpha!, alpha, accuracy: 1e-3, "lr \(rate)")
            XCTAssertEqual(sharpness.measurements[0].sharpness, 2, accuracy: 1e-2)
            XCTAssertEqual(sharpness.measurements[0].threshold, 2 / rate, accuracy: 1e-9)
            // w = 3, g = 2w = 6: Δw = η·6, ratio η·6/3.
            XCTAssertEqual(update.measurements[0].layers[0].ratio, 2 * rate, accuracy: 1e-5)
        }
    }

    /// Least squares on a fixed design: the Hessian is (2/n)·XᵀX, whose largest eigenvalue the
    /// power iteration finds.
    func testSharpnessMatchesTheLargestEigenvalueOfALeastSquaresHessian() throws {
        let x: [Float] = [1, 0.5, -1, 2, 0.3, 1, -0.7, 0.2, 1.5, -1.2, 0.8, 0.1]
        let n = 6
        let model = Sequential { Linear(2, 1, bias: false) }
        let trainer = Trainer(model: model, optimizer: SGD(model.parameters, learningRate: 0.01), loss: .meanSquaredError)
        let inputs = Tensor(shape: [n, 2], scalars: x), targets = Tensor(shape: [n, 1], scalars: [Float](repeating: 0.5, count: n))
        let estimate = SharpnessMonitor.estimate(trainer: trainer, inputs: inputs, targets: targets, iterations: 30)
        var a = 0.0, b = 0.0, c = 0.0
        for i in 0..<n { a += Double(x[2 * i] * x[2 * i]); b += Double(x[2 * i] * x[2 * i + 1]); c += Double(x[2 * i + 1] * x[2 * i + 1]) }
        a *= 2 / Double(n); b *= 2 / Double(n); c *= 2 / Double(n)
        let largest = (a + c) / 2 + (((a - c) / 2) * ((a - c) / 2) + b * b).squareRoot()
        XCTAssertEqual(estimate, largest, accuracy: 1e-2 * largest)
    }

    /// Identical examples give identical micro-batch gradients: no noise, infinite SNR; label noise lowers it.
    func testSignalToNoiseSeesNoiseOnlyWhenThereIsSome() throws {
        func measure(_ data: TensorDataset) throws -> GradientSignalToNoise {
            Random.seed(1)
            let model = Sequential { Linear(2, 4); Tanh(); Linear(4, 1) }
            let snr = GradientSignalToNoise(interval: 1, microBatches: 4, probeFraction: 1)
            let trainer = Trainer(model: model, optimizer: SGD(model.parameters, learningRate: 0.01), loss: .meanSquaredError, callbacks: [snr])
            try trainer.fit(train: DataLoader(data, batchSize: 32, shuffle: false), epochs: 1)
            return snr
        }
        let same = TensorDataset(features: Tensor(shape: [32, 2], scalars: (0..<32).flatMap { _ in [Float(0.5), -1] }),
                                 labels: Tensor(shape: [32, 1], scalars: [Float](repeating: 1, count: 32)))
        XCTAssertTrue(try measure(same).measurements[0].layers.allSatisfy { $0.snr == .infinity })
        let g = RandomGenerator(seed: 4)
        let noisy = TensorDataset(features: Tensor(shape: [32, 2], scalars: (0..<64).map { _ in Float(g.nextUniformDouble() * 2 - 1) }),
                                  labels: Tensor(shape: [32, 1], scalars: (0..<32).map { _ in Float(g.nextUniformDouble() * 4 - 2) }))
        let measured = try measure(noisy).measurements[0].layers
        XCTAssertTrue(measured.allSatisfy { $0.snr.isFinite && $0.snr > 0 }, "\(measured)")
    }

    /// The instruments read parameters by module path, so recurrent and attention layers are covered.
    func testRecurrentAndAttentionModelsAreInstrumented() throws {
        for (model, width) in [(RecurrentClassifier() as Module, 3), (AttentionClassifier(), 4)] {
            Random.seed(2)
            let g = RandomGenerator(seed: 9)
            let data = TensorDataset(features: Tensor(shape: [16, 5, width], scalars: (0..<(80 * width)).map { _ in Float(g.nextUniformDouble() - 0.5) }),
                                     labels: Tensor(shape: [16, 1], scalars: (0..<16).map { Float($0 % 2) }))
            let callbacks = instruments(1)
            let trainer = Trainer(model: model, optimizer: Adam(model.parameters, learningRate: 1e-2), loss: .binaryCrossEntropyWithLogits,
                                  callbacks: callbacks)
            try trainer.fit(train: DataLoader(data, batchSize: 8, shuffle: false), epochs: 1)
            let names = (callbacks[1] as! UpdateRatioMonitor).measurements[0].layers.map(\.name)
            XCTAssertEqual(names, model is RecurrentClassifier ? ["lstm", "head"] : ["attention", "attention.outProj", "head"])
            XCTAssertTrue((callbacks[0] as! GradientSignalToNoise).measurements[0].layers.allSatisfy { $0.snr.isFinite })
            XCTAssertTrue((callbacks[2] as! SharpnessMonitor).measurements[0].sharpness.isFinite)
        }
    }

    func testThePanelSharesItsPassesAndLeavesTheTrajectoryUnchanged() throws {
        let plain = try train(callbacks: [])
        let panel = InstrumentPanel(interval: 2, probeFraction: 0.25)
        let instrumented = try train(callbacks: [panel])
        XCTAssertEqual(plain, instrumented)
        XCTAssertEqual(panel.signalToNoise.measurements.count, 4)
        XCTAssertEqual(panel.signalToNoise.measurements[0].layers.map(\.name), ["0", "1", "4"])
        XCTAssertTrue(panel.signalToNoise.measurements.allSatisfy { $0.layers.allSatisfy { $0.snr >= 0 } })
        XCTAssertEqual(panel.updateRatio.measurements.count, 4)
        XCTAssertEqual(panel.sharpness.measurements.count, 4)
        XCTAssertEqual(panel.stepQuality.measurements.count, 4)
        XCTAssertGreaterThan(panel.secondsSpent, 0)
        XCTAssertEqual(Set(panel.findings().map(\.check)), ["gradient-snr", "update-ratio", "sharpness", "step-size"])
    }

    /// The least-squares parabola through both ends of a step is the parabola itself when the
    /// four values come from one (any curvature, any step), and stays defined when they do not.
    func testAlphaFromBothEndsOfTheStep() {
        for (curvature, step) in [(1.0, 0.5), (2.0, 1.0), (0.5, 3.0), (4.0, 0.1)] {
            // f(s) = curvature·(s − step)²: the minimum at s = step; α = 1/step − 1.
            let f = { (s: Double) in curvature * (s - step) * (s - step) }, df = { (s: Double) in 2 * curvature * (s - step) }
            let m = StepQualityMonitor.measurement(step: 0, lossBefore: f(0), slopeBefore: df(0), lossAfter: f(1), slopeAfter: df(1))
            XCTAssertEqual(m.alpha!, 1 / step - 1, accuracy: 1e-9)
        }
        let noisy = StepQualityMonitor.measurement(step: 0, lossBefore: 1, slopeBefore: -1, lossAfter: 0.9, slopeAfter: 0.2)
        XCTAssertTrue(noisy.alpha!.isFinite)
        XCTAssertNil(StepQualityMonitor.measurement(step: 0, lossBefore: 1, slopeBefore: 0.5, lossAfter: 0.9, slopeAfter: 0.2).alpha, "uphill: no α")
        XCTAssertEqual(StepQualityMonitor.measurement(step: 0, lossBefore: 1, slopeBefore: -1, lossAfter: -0.5, slopeAfter: -2).alpha, -1, "concave: −1")
    }

    /// On w² (curvature 2) the panel's one-sided, warm-started estimates are exact too.
    func testThePanelOnAQuadratic() throws {
        let model = Sequential { Linear(1, 1, bias: false) }
        model.parameters[0].storage.pointer[0] = 3
        let data = TensorDataset(features: Tensor(shape: [8, 1], scalars: [Float](repeating: 1, count: 8)),
                                 labels: Tensor(shape: [8, 1], scalars: [Float](repeating: 0, count: 8)))
        let panel = InstrumentPanel(interval: 1, probeFraction: 0.5)
        let trainer = Trainer(model: model, optimizer: SGD(model.parameters, learningRate: 0.25), loss: .meanSquaredError, callbacks: [panel])
        // Two steps: α of the first is taken at the second (Cockpit's two ends of a step).
        try trainer.fit(train: DataLoader(data, batchSize: 8, shuffle: false), epochs: 2)
        XCTAssertEqual(panel.stepQuality.measurements.count, 1, "the last step's end is never seen")
        XCTAssertEqual(panel.stepQuality.measurements[0].alpha!, -0.5, accuracy: 1e-3)
        XCTAssertEqual(panel.sharpness.measurements[0].sharpness, 2, accuracy: 2e-2)
        XCTAssertEqual(panel.updateRatio.measurements[0].layers[0].ratio, 0.5, accuracy: 1e-5)
        XCTAssertEqual(panel.signalToNoise.measurements[0].layers[0].snr, .infinity, "identical examples: no noise")
    }
}
