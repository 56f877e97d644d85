import Foundation
import XCTest
@testable import Converge
import ConvergeTestSupport

final class MixedPrecisionTests: XCTestCase {
    /// y = sin(x·a) + small noise: a smooth regression problem.
    static func regression(count: Int, seed: UInt64) -> TensorDataset {
        let g = RandomGenerator(seed: seed)
        var x: [Float] = [], y: [Float] = []
        for _ in 0..<count {
            let row = (0..<4).map { _ in Float(g.nextUniform() * 2 - 1) }
            x += row
            y.append(sin(row[0] * 1.5 - row[1]) + 0.5 * row[2] * row[3] + Float(g.nextUniform() - 0.5) * 0.05)
        }
        return TensorDataset(features: Tensor(shape: [count, 4], scalars: x), labels: Tensor(shape: [count, 1], scalars: y))
    }

    static func makeTrainer(seed: UInt64, callbacks: [Callback]) -> Trainer {
        Random.seed(seed)
        let model = Sequential { Linear(4, 32); Tanh(); LayerNorm(32); Linear(32, 1) }
        return Trainer(model: model, optimizer: Adam(model.parameters, learningRate: 0.01), loss: .meanSquaredError,
                       callbacks: callbacks)
    }

    static func loader(seed: UInt64 = 1) -> DataLoader {
        DataLoader(regression(count: 128, seed: seed), batchSize: 16, shuffle: true, seed: 5)
    }

    func testFloat16WithLossScalingConvergesLikeFloat32() throws {
        let reference = Self.makeTrainer(seed: 3, callbacks: [])
        let fp32 = try reference.fit(train: Self.loader(), epochs: 12).series("train_loss")
        let precision = MixedPrecision(dtype: .float16)
        let mixed = Self.makeTrainer(seed: 3, callbacks: [GradientClipping(maxNorm: 1e6), precision])
        let fp16 = try mixed.fit(train: Self.loader(), epochs: 12)
        let losses = fp16.series("train_loss")
        XCTAssertLessThan(fp32.last!, 0.3 * fp32.first!, "the float32 run learns")
        XCTAssertLessThan(losses.last!, 0.3 * losses.first!, "the float16 run learns")
        XCTAssertEqual(losses.last!, fp32.last!, accuracy: 0.1 * fp32.last! + 2e-3)
        XCTAssertNotEqual(losses, fp32, "low precision changes the trajectory")
        // Clipping saw unscaled gradients: norms like float32's, not 65536 times larger.
        let norms = fp16.series("grad_norm"), referenceNorms = reference.history.series("grad_norm")
        XCTAssertEqual(norms[0], referenceNorms[0], accuracy: 0.1 * referenceNorms[0])
        XCTAssertEqual(fp16.records.last?["loss_scale"], precision.lossScaler?.currentScale)
        XCTAssertNotNil(fp16.records.last?["skipped_steps"])
        XCTAssertNil(mixed.autocast, "afterFit uninstalls the policy")
        XCTAssertNil(mixed.lossScaler)
        for p in mixed.model.parameters { XCTAssertEqual(p.dtype, .float32, "master weights stay float32") }
    }

    func testBFloat16NeedsNoScalerAndConverges() throws {
        let precision = MixedPrecision(dtype: .bfloat16)
        XCTAssertNil(precision.lossScaler)
        let trainer = Self.makeTrainer(seed: 3, callbacks: [precision])
        let losses = try trainer.fit(train: Self.loader(), epochs: 12).series("train_loss")
        XCTAssertLessThan(losses.last!, 0.3 * losses.first!)
    }

    func testOverflowSkipsStepAndHalvesScale() throws {
        final class Probe: Callback {
            var scales: [Double] = [], skipped: [Bool] = []
            let scaler: DynamicLossScaler
            init(_ scaler: DynamicLossScaler) { self.scaler = scaler }
            func afterBatch(_ trainer: Trainer) throws { scales.append(scaler.currentScale); skipped.append(trainer.lastStepSkipped) }
        }
        let scaler = DynamicLossScaler(initialScale: 0x1p40)
        let probe = Probe(scaler)
        let trainer = Self.makeTrainer(seed: 4, callbacks: [MixedPrecision(dtype: .float16, lossScaler: scaler), probe])
        let before = trainer.model.parameters.map(\.scalars)
        try trainer.fit(train: DataLoader(Self.regression(count: 64, seed: 2), batchSize: 16), epochs: 1)
        // Gradients scaled by 2^40 overflow float16 (max 65504) in the weight copies' gradients.
        XCTAssertEqual(probe.skipped, [true, true, true, true])
        XCTAssertEqual(probe.scales, [0x1p39, 0x1p38, 0x1p37, 0x1p36])
        XCTAssertEqual(trainer.globalStep, 0)
        XCTAssertEqual(scaler.skippedSteps, 4)
        XCTAssertEqual(trainer.model.parameters.map(\.scalars), before, "no step was taken")
    }

    func testTrainerSkipsStepWithInjectedInfGradient() throws {
        final class Probe: Callback {
            var backwardSteps: [Int] = [], parametersBefore: [[Float]] = [], parametersAfter: [[Float]] = []
            func beforeBatch(_ trainer: Trainer) throws { parametersBefore.append(trainer.model.parameters.flatMap(\.scalars)) }
            func afterBackward(_ trainer: Trainer) throws {
                backwardSteps.append(trainer.batchIndex)
                XCTAssertTrue(trainer.model.trainableParameters.allSatisfy { $0.grad!.scalars.allSatisfy(\.isFinite) })
            }
            func afterBatch(_ trainer: Trainer) throws { parametersAfter.append(trainer.model.parameters.flatMap(\.scalars)) }
        }
        Random.seed(5)
        let model = Sequential { Linear(4, 8); Tanh(); Linear(8, 1) }
        let probe = Probe()
        var batch = 0
        // Batch 2's loss is multiplied by Inf: its gradients are Inf/NaN.
        let trainer = Trainer(model: model, optimizer: SGD(model.parameters, learningRate: 0.05), loss: { out, y in
            defer { batch += 1 }
            let value = Loss.meanSquaredError(out, y)
            return batch == 2 ? value * Float.infinity : value
        }, callbacks: [probe])
        let scaler = DynamicLossScaler(initialScale: 1024)
        trainer.lossScaler = scaler   // loss scaling without autocast
        try trainer.fit(train: DataLoader(Self.regression(count: 64, seed: 3), batchSize: 16), epochs: 1)
        XCTAssertEqual(probe.backwardSteps, [0, 1, 3], "clipping-style callbacks never see the Inf step")
        XCTAssertEqual(trainer.globalStep, 3)
        XCTAssertEqual(scaler.currentScale, 512)
        XCTAssertEqual(scaler.skippedSteps, 1)
        XCTAssertEqual(scaler.growthTracker, 1)
        XCTAssertEqual(probe.parametersAfter[2], probe.parametersBefore[2], "the Inf step changed nothing")
        XCTAssertNotEqual(probe.parametersAfter[1], probe.parametersBefore[1])
        XCTAssertTrue(model.parameters.allSatisfy { $0.scalars.allSatisfy(\.isFinite) })
    }

    func testAutocastForwardRoundsWeightsAndOutputsAndKeepsMasters() throws {
        Random.seed(8)
        let layer = Linear(3, 2)
        let frozen = Linear(2, 2)
        frozen.weight.requiresGrad = false
        let model = Sequential([layer, frozen])
        let (weight, bias) = (layer.weight, try XCTUnwrap(layer.bias))
        let x = Tensor(shape: [2, 3], scalars: [0.3, -1.7, 2.2, 0.01, 0.5, -0.9])
        let policy = MixedPrecision(dtype: .float16)
        let hidden = layer(x)   // float32 reference for the first layer, before rounding
        let out = policy.forward(model, x)
        XCTAssertTrue(layer.weight === weight && layer.bias === bias, "masters are back")
        XCTAssertFalse(frozen.weight.requiresGrad, "a frozen master stays frozen")
        XCTAssertTrue(weight.requiresGrad)
        XCTAssertEqual(out.dtype, .float16)
        XCTAssertEqual(out.scalars, out.scalars.map(DType.float16.round), "outputs are float16 values")
        let expectedHidden = x.linear(weight: weight.rounded(to: .float16), bias: bias.rounded(to: .float16)).scalars.map(DType.float16.round)
        XCTAssertNotEqual(hidden.scalars, expectedHidden)
        let expected = Tensor(shape: [2, 2], scalars: expectedHidden)
            .linear(weight: frozen.weight.rounded(to: .float16), bias: frozen.bias!.rounded(to: .float16))
            .scalars.map(DType.float16.round)
        XCTAssertEqual(out.scalars, expected)
        // Gradients reach the float32 masters, rounded to float16 on the way.
        let upstream = Tensor(shape: [2, 2], scalars: [1e-3, 0.37, -2.1, 1.3e-6])
        (out * upstream).sum().backward()
        let grad = try XCTUnwrap(weight.grad)
        XCTAssertEqual(grad.scalars, grad.scalars.map(DType.float16.round), "float16 values, accumulated in a float32 master gradient")
        XCTAssertNotEqual(grad.scalars, x.transposed().matmul(upstream.matmul(frozen.weight.rounded(to: .float16))).transposed().scalars,
                          "differs from the unrounded float32 gradient")
        XCTAssertNil(frozen.weight.grad)
        XCTAssertNotNil(frozen.bias?.grad)
        // Outside autocast the model is float32 again.
        XCTAssertEqual(model(x).dtype, .float32)
    }

    func testConvolutionsAreAutocast() {
        Random.seed(9)
        let conv1 = Conv1d(2, 3, kernelSize: 2), conv2 = Conv2d(1, 2, kernelSize: 2)
        XCTAssertTrue(MixedPrecision.isAutocast(conv1) && MixedPrecision.isAutocast(conv2) && !MixedPrecision.isAutocast(ReLU()))
        let policy = MixedPrecision(dtype: .bfloat16)
        let y1 = policy.forward(conv1, Tensor.randomNormal([1, 2, 5]))
        let y2 = policy.forward(conv2, Tensor.randomNormal([1, 1, 4, 4]))
        XCTAssertEqual(y1.dtype, .bfloat16)
        XCTAssertEqual(y2.scalars, y2.scalars.map(DType.bfloat16.round))
    }

    func testResumedCheckpointRestoresScalerState() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("converge-amp-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        // A scale that overflows at first and a short growth interval make the state move.
        func policy() -> MixedPrecision {
            MixedPrecision(dtype: .float16, lossScaler: DynamicLossScaler(initialScale: 0x1p24, growthInterval: 3))
        }
        let referencePolicy = policy()
        let reference = Self.makeTrainer(seed: 6, callbacks: [referencePolicy])
        try reference.fit(train: Self.loader(), epochs: 2)

        let firstPolicy = policy()
        let first = Self.makeTrainer(seed: 6, callbacks: [firstPolicy])
        try first.fit(train: Self.loader(), epochs: 1)
        let saved = try XCTUnwrap(firstPolicy.lossScaler?.stateDict())
        XCTAssertNotEqual(saved, DynamicLossScaler(initialScale: 0x1p24, growthInterval: 3).stateDict(), "the state moved")
        XCTAssertGreaterThan(saved["skipped_steps"] ?? 0, 0)
        try Checkpoint.save(first, to: dir)

        Random.seed(999)
        let resumedPolicy = policy()
        let resumed = Self.makeTrainer(seed: 77, callbacks: [resumedPolicy])
        try Checkpoint.restore(resumed, from: dir)
        XCTAssertEqual(resumedPolicy.lossScaler?.stateDict(), saved)
        try resumed.fit(train: Self.loader(), epochs: 2)
        XCTAssertEqual(resumedPolicy.lossScaler?.stateDict(), referencePolicy.lossScaler?.stateDict())
        for ((name, a), (_, b)) in zip(reference.model.stateDict(), resumed.model.stateDict()) {
            XCTAssertNil(mismatch(a, b, rtol: 1e-6, atol: 1e-7), name)
        }
    }
}
