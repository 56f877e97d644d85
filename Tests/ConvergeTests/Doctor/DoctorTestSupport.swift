import Foundation
@testable import Converge

/// Small problems on which the doctor's tests build failures on purpose.
enum DoctorProblems {
    /// A noisy linear regression: y = x·w + 0.1·noise, 8 features, targets [N, 1].
    static func regression(count: Int, seed: UInt64) -> TensorDataset {
        let g = RandomGenerator(seed: seed)
        let weights: [Float] = [0.8, -0.5, 0.3, 0.0, 1.2, -0.7, 0.2, 0.4]
        var x: [Float] = [], y: [Float] = []
        for _ in 0..<count {
            var target: Float = 0
            for w in weights {
                let v = Float(g.nextUniform() * 2 - 1) * 1.7
                x.append(v)
                target += w * v
            }
            y.append(target + 0.1 * Float(g.nextUniform() * 2 - 1))
        }
        return TensorDataset(features: Tensor(shape: [count, weights.count], scalars: x), labels: Tensor(shape: [count, 1], scalars: y))
    }

    /// Two Gaussian-ish blobs in 2-D, labels [N, 1]; with `flipFraction` of the labels flipped at random.
    static func blobs(count: Int, seed: UInt64, separation: Float = 1.5, flipFraction: Double = 0) -> TensorDataset {
        let g = RandomGenerator(seed: seed)
        var x: [Float] = [], y: [Float] = []
        for i in 0..<count {
            var label: Float = i % 2 == 0 ? 1 : 0
            let center: Float = label == 1 ? separation : -separation
            x += [center + Float(g.nextUniform() - 0.5) * 2, center + Float(g.nextUniform() - 0.5) * 2]
            if g.nextUniformDouble() < flipFraction { label = 1 - label }
            y.append(label)
        }
        return TensorDataset(features: Tensor(shape: [count, 2], scalars: x), labels: Tensor(shape: [count, 1], scalars: y))
    }

    /// An MLP 8 → 32 → 32 → 1 with ReLU (PyTorch default initialization), seeded.
    static func regressionModel(seed: UInt64) -> Sequential {
        Random.seed(seed)
        return Sequential { Linear(8, 32); ReLU(); Linear(32, 32); ReLU(); Linear(32, 1) }
    }

    /// A trainer for the regression problem with SGD at `learningRate`.
    static func regressionTrainer(learningRate: Double, seed: UInt64 = 1, callbacks: [Callback] = []) -> Trainer {
        let model = regressionModel(seed: seed)
        return Trainer(model: model, optimizer: SGD(model.parameters, learningRate: learningRate),
                       loss: .meanSquaredError, callbacks: callbacks)
    }

    /// A temporary directory removed by the caller.
    static func temporaryDirectory(_ name: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("converge-doctor-\(name)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
