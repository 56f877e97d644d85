import Foundation
import XCTest
@testable import Converge

final class GradientStatisticsTests: XCTestCase {
    func testStatisticsOfAKnownGradient() {
        // mean −0.25; deviations 0.25, 3.25, −3.75, 0.25 → Σ² = 24.75, unbiased variance 8.25.
        let s = GradientStatistics(name: "w", gradient: Tensor([0, 3, -4, 0]))
        XCTAssertEqual(s.count, 4)
        XCTAssertEqual(s.mean, -0.25, accuracy: 1e-12)
        XCTAssertEqual(s.std, 8.25.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(s.norm, 5, accuracy: 1e-12)
        XCTAssertEqual(s.maxAbs, 4)
        XCTAssertEqual(s.zeroFraction, 0.5)
        XCTAssertEqual(s.nonFiniteCount, 0)
        let bad = GradientStatistics(name: "w", gradient: Tensor([1, .infinity, .nan]))
        XCTAssertEqual(bad.nonFiniteCount, 2)
        XCTAssertFalse(bad.norm.isFinite)
    }

    func testParametersAndLayerNormsFollowTheModel() {
        Random.seed(3)
        let model = Sequential { Linear(3, 4); BatchNorm(4); ReLU(); Linear(4, 2) }
        let x = Tensor.randomNormal([8, 3])
        model(x).squared().mean().backward()
        let stats = GradientStatistics.parameters(of: model)
        XCTAssertEqual(stats.map(\.name), ["0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias"])
        for (s, (_, p)) in zip(stats, model.namedParameters()) {
            let expected = p.grad!.scalars.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
            XCTAssertEqual(s.norm, expected, accuracy: 1e-9)
        }
        // Per layer: weight and bias of each module together.
        let perLayer = GradientStatistics.layers(of: model)
        XCTAssertEqual(perLayer.map(\.name), ["0", "1", "3"])
        XCTAssertEqual(perLayer[0].count, 16)
        XCTAssertEqual(perLayer[0].norm, (stats[0].norm * stats[0].norm + stats[1].norm * stats[1].norm).squareRoot(), accuracy: 1e-9)
        XCTAssertEqual(perLayer[2].maxAbs, Swift.max(stats[4].maxAbs, stats[5].maxAbs))
        // Only rank-2 weights count for the gradient flow (the BatchNorm scale is left out).
        let layers = GradientStatistics.layerNorms(of: model)
        XCTAssertEqual(layers.map(\.name), ["0.weight", "3.weight"])
        XCTAssertEqual(layers[1].norm, stats[4].norm)
    }
}
