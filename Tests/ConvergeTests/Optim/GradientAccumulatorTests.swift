import ConvergeTestSupport
import XCTest
@testable import Converge

final class GradientAccumulatorTests: XCTestCase {
    func testCountsMicroBatches() {
        var accumulator = GradientAccumulator(steps: 3)
        XCTAssertEqual(accumulator.lossScale, 1.0 / 3)
        var decisions: [Bool] = []
        for _ in 0..<7 { decisions.append(accumulator.recordMicroBatch()) }
        XCTAssertEqual(decisions, [false, false, true, false, false, true, false])
        XCTAssertTrue(accumulator.hasPartialWindow)
        XCTAssertEqual(accumulator.optimizerSteps, 2)
        accumulator.reset()
        XCTAssertFalse(accumulator.hasPartialWindow)
        XCTAssertFalse(accumulator.shouldStep)
    }

    func testScaledLoss() {
        let accumulator = GradientAccumulator(steps: 4)
        XCTAssertEqual(accumulator.scaled(Tensor(8)).item(), 2)
    }

    /// k micro-batches of size b with loss/k give the update of one batch of size k·b.
    func testMicroBatchesEqualOneLargeBatch() {
        let x = OptimGolden.golden.tensor("model/x")   // 32 rows
        let y = OptimGolden.golden.tensor("model/y")
        let k = 4
        let makers: [(String, ([Tensor]) -> Optimizer)] = [
            ("SGD", { SGD($0, learningRate: 0.1, momentum: 0.9) }),
            ("Adam", { Adam($0, learningRate: 0.01) }),
        ]
        for (label, make) in makers {
            let large = OptimGolden.model()
            let small = OptimGolden.model()
            let largeOptimizer = make(large.parameters)
            let smallOptimizer = make(small.parameters)
            var accumulator = GradientAccumulator(steps: k)
            for _ in 0..<3 {
                largeOptimizer.zeroGrad()
                let diff = large(x) - y
                (diff * diff).mean().backward()
                largeOptimizer.step()

                var stepped = 0
                for i in 0..<k {
                    let rows = (i * 8)..<((i + 1) * 8)
                    let d = small(x.sliced(alongAxis: 0, rows)) - y.sliced(alongAxis: 0, rows)
                    accumulator.scaled((d * d).mean()).backward()
                    if accumulator.recordMicroBatch() {
                        smallOptimizer.step()
                        smallOptimizer.zeroGrad()
                        stepped += 1
                    }
                }
                XCTAssertEqual(stepped, 1)
            }
            for ((name, a), (_, b)) in zip(large.namedParameters(), small.namedParameters()) {
                XCTAssertNil(mismatch(b, a, rtol: 1e-5, atol: 1e-6), "\(label): \(name)")
            }
        }
    }
}
