import Foundation
import XCTest
@testable import Converge

final class ActivationStatisticsTests: XCTestCase {
    func testStatisticsOfKnownOutputs() {
        // Units along axis 1: unit 0 is zero in both rows (dead), unit 1 is not.
        let relu = ActivationStatistics(path: "1", layer: "ReLU", kind: .rectified, output: Tensor([[0, 1], [0, 3]]), unitAxis: 1)
        XCTAssertEqual(relu.mean, 1)
        XCTAssertEqual(relu.std, 2.0.squareRoot(), accuracy: 1e-12)   // deviations −1, 0, −1, 2 → 6 / 3
        XCTAssertEqual(relu.zeroFraction, 0.5)
        XCTAssertEqual(relu.units, 2)
        XCTAssertEqual(relu.deadUnits, 1)
        XCTAssertEqual(relu.deadFraction, 0.5)
        XCTAssertNil(relu.saturatedFraction)

        let tanh = ActivationStatistics(path: "t", layer: "Tanh", kind: .tanh, output: Tensor([0.995, -0.999, 0.5, 0]), unitAxis: 1)
        XCTAssertEqual(tanh.saturatedFraction, 0.5)
        XCTAssertNil(tanh.deadUnits)
        let sigmoid = ActivationStatistics(path: "s", layer: "Sigmoid", kind: .sigmoid, output: Tensor([[0.005, 0.995], [0.5, 0.3]]), unitAxis: 1)
        XCTAssertEqual(sigmoid.saturatedFraction, 0.5)

        // Channels of a [N, C, L] convolution output: channel 1 is zero everywhere.
        let conv = Tensor(shape: [2, 2, 3], scalars: [1, 2, 3, 0, 0, 0, 4, 5, 6, 0, 0, 0])
        let s = ActivationStatistics(path: "c", layer: "ReLU", kind: .rectified, output: conv, unitAxis: 1)
        XCTAssertEqual(s.units, 2)
        XCTAssertEqual(s.deadUnits, 1)
    }

    func testProfileWatchesLinearNormAndActivationLayers() {
        Random.seed(2)
        let model = Sequential { Linear(3, 8); BatchNorm(8); ReLU(); Dropout(0.5); Linear(8, 4, activation: .tanh) }
        model.train()
        let stats = ActivationStatistics.profile(model, input: Tensor.randomNormal([16, 3]))
        XCTAssertEqual(stats.map(\.path), ["0", "1", "2", "4"])
        XCTAssertEqual(stats.map(\.layer), ["Linear", "BatchNorm", "ReLU", "Linear"])
        XCTAssertEqual(stats.map(\.kind), [.affine, .affine, .rectified, .tanh])
        XCTAssertEqual(stats[3].units, 4)
        XCTAssertTrue(model.isTraining, "profile restores training mode")
        XCTAssertTrue(model.modules.allSatisfy { $0.isTraining })
    }

    /// A destructive update (a huge step on the first layer's bias) pushes every pre-activation
    /// below zero: every ReLU unit is dead, no gradient reaches the first layer, and the doctor
    /// says so; before the update the same network is not flagged.
    func testDeadReLUsAfterADestructiveUpdate() {
        Random.seed(4)
        let model = Sequential { Linear(8, 32); ReLU(); Linear(32, 1) }
        let batch = DoctorProblems.regression(count: 64, seed: 3)
        let healthy = ActivationStatistics.findings(ActivationStatistics.profile(model, input: batch.features))
        XCTAssertEqual(healthy.map(\.status), [.ok], "\(healthy)")
        XCTAssertFalse(healthy.contains { $0.check == "dead-relu" })

        // The destructive update: an SGD step of size 10 on a bias gradient of +10.
        let first = model[0] as! Linear
        let optimizer = SGD(model.parameters, learningRate: 10)
        optimizer.zeroGrad()
        first.bias!.grad = Tensor.full([32], value: 10)
        optimizer.step()

        let stats = ActivationStatistics.profile(model, input: batch.features)
        let relu = stats.first { $0.layer == "ReLU" }!
        XCTAssertEqual(relu.deadUnits, 32)
        XCTAssertEqual(relu.zeroFraction, 1)
        let findings = ActivationStatistics.findings(stats, context: "after the update")
        let dead = findings.first { $0.check == "dead-relu" }
        XCTAssertEqual(dead?.status, .fail)
        XCTAssertTrue(dead?.message.contains("1 (ReLU) has 32 of 32 units dead") ?? false, dead?.message ?? "")
        XCTAssertTrue(dead?.suggestion.contains("LeakyReLU") ?? false)

        // Gradient flow agrees: the first layer gets an all-zero gradient.
        model.zeroGrad()
        Loss.meanSquaredError(model(batch.features), batch.labels).backward()
        let flow = GradientFlow(model: model)
        XCTAssertEqual(flow.verdict, .noGradient)
        XCTAssertTrue(flow.finding.message.contains("0.weight"), flow.finding.message)
    }

    func testSaturatedTanhIsWarnedAndCollapseFails() {
        let saturated = ActivationStatistics(path: "2", layer: "Tanh", kind: .tanh, output: Tensor([0.999, -0.9999, 0.995, 0.1]), unitAxis: 1)
        let findings = ActivationStatistics.findings([saturated])
        XCTAssertEqual(findings.first { $0.check == "saturation" }?.status, .warn)
        let collapsed = ActivationStatistics(path: "5", layer: "Linear", kind: .affine, output: Tensor([1e-9, 2e-9, -1e-9, 0]), unitAxis: -1)
        XCTAssertEqual(ActivationStatistics.findings([collapsed]).first?.status, .fail)
    }
}
