@testable import ConvergeCore
import XCTest

final class TensorStorageTests: XCTestCase {
    func testSizeClassesArePowersOfTwo() {
        XCTAssertEqual(BufferPool.sizeClass(0), 16)
        XCTAssertEqual(BufferPool.sizeClass(16), 16)
        XCTAssertEqual(BufferPool.sizeClass(17), 32)
        XCTAssertEqual(BufferPool.sizeClass(1000), 1024)
        XCTAssertEqual(BufferPool.sizeClass(1024), 1024)
    }

    func testReleasedBuffersAreReused() {
        let before = BufferPool.shared.allocationCount
        for _ in 0..<100 { _ = TensorStorage(count: 3000, repeating: 1) }
        XCTAssertLessThanOrEqual(BufferPool.shared.allocationCount - before, 1)
    }

    /// One training-like step of a small MLP: forward, loss, backward, SGD update, zeroing.
    private func step(_ parameters: [Tensor], _ x: Tensor, _ target: Tensor) {
        var h = x
        for layer in 0..<(parameters.count / 2) {
            h = h.linear(weight: parameters[2 * layer], bias: parameters[2 * layer + 1])
            if layer < parameters.count / 2 - 1 { h = h.relu() }
        }
        let loss = ((h - target) * (h - target)).mean() + h.softmax(alongAxis: 0).max() * 0.1
        loss.backward()
        withNoGrad {
            for p in parameters {
                p.assign(p - p.grad! * 0.01)
                p.zeroGrad()
            }
        }
    }

    func testPoolStopsAllocatingInASteadyTrainingLoop() {
        let g = RandomGenerator(seed: 1)
        let sizes = [16, 32, 8, 1]
        var parameters: [Tensor] = []
        for i in 0..<(sizes.count - 1) {
            parameters.append(Tensor.randomNormal([sizes[i + 1], sizes[i]], std: 0.3, generator: g, requiresGrad: true))
            parameters.append(Tensor.randomNormal([sizes[i + 1]], std: 0.1, generator: g, requiresGrad: true))
        }
        let x = Tensor.randomNormal([24, 16], generator: g), target = Tensor.randomNormal([24, 1], generator: g)
        step(parameters, x, target)   // warm-up
        let after = BufferPool.shared.allocationCount
        for _ in 0..<5 { step(parameters, x, target) }
        XCTAssertEqual(BufferPool.shared.allocationCount, after, "the pool allocated during steady-state steps")
    }
}
