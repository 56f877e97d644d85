import ConvergeTestSupport
import Foundation
import XCTest
@testable import Converge

final class AdamWTests: XCTestCase {
    /// Every AdamW case of optim.json: parameters after 1 and 50 steps on a fixed gradient
    /// sequence and after 50 steps on Linear(4,8)-Tanh-Linear(8,1), against PyTorch.
    func testTrajectoriesMatchPyTorch() {
        let cases = OptimGolden.caseNames.filter { OptimGolden.config($0).kind == "adamw" }
        XCTAssertFalse(cases.isEmpty)
        for name in cases { OptimGolden.check(name) }
    }

    /// Adam + L2 ≠ AdamW. With a zero loss gradient, AdamW shrinks weights by exactly
    /// (1 − ηλ) per step, whatever their size; Adam's L2 term goes through the adaptive scaling,
    /// so every weight moves by at most ≈ η per step (sign-like), big or small: the large weight
    /// barely decays (0.1 %) while the small one is almost wiped out.
    func testDecoupledWeightDecayDiffersFromL2() {
        let w1 = Tensor([10, 0.01], requiresGrad: true)
        let w2 = Tensor([10, 0.01], requiresGrad: true)
        let adamw = AdamW([w1], learningRate: 0.001, weightDecay: 0.1)
        let adam = Adam([w2], learningRate: 0.001, weightDecay: 0.1)
        for _ in 0..<10 {
            w1.grad = Tensor([0, 0]); w2.grad = Tensor([0, 0])
            adamw.step(); adam.step()
        }
        let shrink = Foundation.pow(Float(1 - 0.001 * 0.1), 10)
        XCTAssertEqual(w1.scalars[0], 10 * shrink, accuracy: 1e-5)
        XCTAssertEqual(w1.scalars[1], 0.01 * shrink, accuracy: 1e-8)
        XCTAssertEqual(w2.scalars[0], 10 - 0.01, accuracy: 1e-4)
        XCTAssertLessThan(w2.scalars[1], 0.001)
    }

    func testDefaultWeightDecayIsOneHundredth() {
        let optimizer = AdamW([Tensor([1], requiresGrad: true)])
        XCTAssertEqual(optimizer.parameterGroups[0].hyperparameters.weightDecay, 1e-2)
        XCTAssertTrue(optimizer.decoupledWeightDecay)
        XCTAssertFalse(Adam([Tensor([1], requiresGrad: true)]).decoupledWeightDecay)
    }
}
