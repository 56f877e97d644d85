import Foundation
import XCTest
@testable import Converge

final class GradientFlowTests: XCTestCase {
    private func backward(_ model: Module, seed: UInt64 = 5) {
        let g = RandomGenerator(seed: seed)
        let x = Tensor.randomNormal([32, 16], generator: g)
        let y = Tensor.randomNormal([32, 1], generator: g)
        Loss.meanSquaredError(model(x), y).backward()
    }

    /// A deep sigmoid stack without normalization: the sigmoid's slope (≤ 1/4) and the default
    /// initialization shrink the gradient by orders of magnitude toward the input.
    func testDeepSigmoidStackHasVanishingGradients() {
        Random.seed(1)
        let model = Sequential([])
        for _ in 0..<10 { model.append(Linear(16, 16)); model.append(Sigmoid()) }
        model.append(Linear(16, 1))
        backward(model)
        let flow = GradientFlow(model: model)
        XCTAssertEqual(flow.layers.count, 11)
        XCTAssertEqual(flow.verdict, .vanishing)
        XCTAssertLessThan(flow.ratio, 1e-3)
        let finding = flow.finding
        XCTAssertEqual(finding.status, .fail)
        XCTAssertTrue(finding.message.contains("vanishing gradients"), finding.message)
        XCTAssertTrue(finding.message.contains("0.weight"), finding.message)
        XCTAssertTrue(finding.suggestion.contains("normalization"), finding.suggestion)
    }

    /// The same depth with ReLU, He initialization and batch normalization is not flagged.
    func testNormalizedReLUStackIsHealthy() {
        Random.seed(1)
        let model = Sequential([])
        for _ in 0..<10 {
            let linear = Linear(16, 16)
            linear.weight.initialize(.kaimingNormal(nonlinearity: .relu))
            model.append(linear); model.append(BatchNorm(16)); model.append(ReLU())
        }
        model.append(Linear(16, 1))
        backward(model)
        let flow = GradientFlow(model: model)
        XCTAssertEqual(flow.verdict, .healthy, "ratio \(flow.ratio)")
        XCTAssertEqual(flow.finding.status, .ok)
    }

    func testVerdictsFromNorms() {
        func verdict(_ norms: [Double], zero: [Double]? = nil) -> GradientFlow.Verdict {
            GradientFlow(layers: norms.enumerated().map { i, n in
                GradientFlow.Layer(name: "l\(i)", norm: n, zeroFraction: zero?[i] ?? 0)
            }).verdict
        }
        XCTAssertEqual(verdict([1, 1, 1]), .healthy)
        XCTAssertEqual(verdict([1e-5, 1e-3, 1]), .vanishing)
        XCTAssertEqual(verdict([1e4, 10, 1]), .exploding)
        XCTAssertEqual(verdict([1, .infinity, 1]), .exploding)
        XCTAssertEqual(verdict([1, .nan, 1]), .exploding)
        XCTAssertEqual(verdict([0, 1, 1], zero: [1, 0, 0]), .noGradient)
        XCTAssertEqual(verdict([1]), .notApplicable)
        let exploding = GradientFlow(layers: [.init(name: "a", norm: 5e3), .init(name: "b", norm: 1)]).finding
        XCTAssertEqual(exploding.status, .fail)
        XCTAssertTrue(exploding.message.contains("exploding"), exploding.message)
        XCTAssertTrue(exploding.suggestion.contains("clipping"), exploding.suggestion)
    }
}
