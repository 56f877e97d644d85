import XCTest
@testable import Converge

/// Autocast's bfloat16 weight copies kept between steps: AdamW writes them in its update pass, and
/// any other write to a master weight makes the next forward pass cast afresh.
final class BFloat16WeightCacheTests: XCTestCase {
    private func makeModel(seed: UInt64) -> (Sequential, Linear, Linear) {
        Random.seed(seed)
        let first = Linear(24, 40), second = Linear(40, 3)
        return (Sequential { first; ReLU(); second }, first, second)
    }

    private func step(_ model: Module, _ optimizer: Optimizer, _ autocast: MixedPrecision, _ x: Tensor, _ y: Tensor) -> Float {
        optimizer.zeroGrad()
        let loss = crossEntropy(logits: autocast.forward(model, x), targets: y)
        loss.backward()
        withNoGrad { optimizer.step() }
        return loss.item()
    }

    func testAdamWKeepsACopyThatEqualsAFreshCastOfTheUpdatedMaster() {
        let (model, first, second) = makeModel(seed: 3)
        let optimizer = AdamW(model.trainableParameters, learningRate: 1e-2)
        let autocast = MixedPrecision(dtype: .bfloat16)
        Random.seed(4)
        let x = Tensor.randomNormal([16, 24]), y = Tensor(shape: [16], scalars: (0..<16).map { Float($0 % 3) })
        XCTAssertNil(BFloat16WeightCache.shared.freshCopy(of: first.weight.storage), "no copy before the first step")
        _ = step(model, optimizer, autocast, x, y)
        for layer in [first, second] {
            let copy = BFloat16WeightCache.shared.freshCopy(of: layer.weight.storage)
            XCTAssertNotNil(copy, "AdamW wrote the copy")
            guard let bits = copy?.bfloat16Bits else { continue }
            let fresh = layer.weight.scalars.map(Kernels.bfloat16Bits)
            XCTAssertEqual(Array(UnsafeBufferPointer(start: bits, count: layer.weight.count)), fresh)
            // The forward pass hands out that copy, not a new conversion.
            let cast = layer.weight.castToBFloat16()
            XCTAssertTrue(cast.storage === copy, "castToBFloat16 reuses the cached copy")
        }
    }

    func testAnyOtherWriteToTheMasterInvalidatesTheCopy() {
        let (model, first, _) = makeModel(seed: 5)
        let optimizer = AdamW(model.trainableParameters, learningRate: 1e-2)
        let autocast = MixedPrecision(dtype: .bfloat16)
        Random.seed(6)
        let x = Tensor.randomNormal([8, 24]), y = Tensor(shape: [8], scalars: (0..<8).map { Float($0 % 3) })
        _ = step(model, optimizer, autocast, x, y)
        XCTAssertNotNil(BFloat16WeightCache.shared.freshCopy(of: first.weight.storage))
        first.weight.assign(Tensor.zeros(first.weight.shape))   // a checkpoint load, say
        XCTAssertNil(BFloat16WeightCache.shared.freshCopy(of: first.weight.storage), "assign invalidates")
        XCTAssertTrue(first.weight.castToBFloat16().scalars.allSatisfy { $0 == 0 }, "the next cast sees the new values")

        _ = step(model, optimizer, autocast, x, y)
        XCTAssertNotNil(BFloat16WeightCache.shared.freshCopy(of: first.weight.storage))
        let sgd = SGD(model.trainableParameters, learningRate: 0.1)
        _ = step(model, sgd, autocast, x, y)   // an optimizer that keeps no copy
        XCTAssertNil(BFloat16WeightCache.shared.freshCopy(of: first.weight.storage), "another optimizer's step invalidates")
        let before = first.weight.castToBFloat16().scalars
        first.weight.withUnsafeMutableBufferPointer { $0[0] += 1 }
        XCTAssertNotEqual(first.weight.castToBFloat16().scalars[0], before[0], "a write through the buffer invalidates")
    }

    func testTrainingWithTheCacheFollowsTheSameTrajectoryAsCastingEveryStep() {
        // Two identical models; the second has its copies invalidated before every forward pass.
        let (cachedModel, _, _) = makeModel(seed: 7)
        let (plainModel, _, _) = makeModel(seed: 7)
        let cachedOptimizer = AdamW(cachedModel.trainableParameters, learningRate: 5e-3)
        let plainOptimizer = AdamW(plainModel.trainableParameters, learningRate: 5e-3)
        let autocast = MixedPrecision(dtype: .bfloat16)
        Random.seed(8)
        let x = Tensor.randomNormal([32, 24]), y = Tensor(shape: [32], scalars: (0..<32).map { Float($0 % 3) })
        for _ in 0..<5 {
            let a = step(cachedModel, cachedOptimizer, autocast, x, y)
            for p in plainModel.trainableParameters { p.storage.markModified() }
            let b = step(plainModel, plainOptimizer, autocast, x, y)
            XCTAssertEqual(a.bitPattern, b.bitPattern)
        }
        for (p, q) in zip(cachedModel.trainableParameters, plainModel.trainableParameters) {
            XCTAssertEqual(p.scalars.map(\.bitPattern), q.scalars.map(\.bitPattern))
        }
    }

    func testASteadyBFloat16StepTakesNoNewBuffers() {
        // After warm-up, every buffer of a step (activations, gradients, bfloat16 copies, GEMM
        // scratch) comes back from the pool: the step allocates no new memory.
        let (model, _, _) = makeModel(seed: 9)
        let optimizer = AdamW(model.trainableParameters, learningRate: 1e-3)
        let autocast = MixedPrecision(dtype: .bfloat16)
        Random.seed(10)
        let x = Tensor.randomNormal([16, 24]), y = Tensor(shape: [16], scalars: (0..<16).map { Float($0 % 3) })
        for _ in 0..<3 { _ = step(model, optimizer, autocast, x, y) }
        let before = BufferPool.shared.allocationCount
        for _ in 0..<3 { _ = step(model, optimizer, autocast, x, y) }
        XCTAssertEqual(BufferPool.shared.allocationCount, before)
    }
}
