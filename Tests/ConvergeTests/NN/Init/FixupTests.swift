import XCTest
@testable import Converge

final class FixupTests: XCTestCase {
    private func makeModel() -> Sequential {
        Sequential {
            Linear(4, 8)
            Residual { Linear(8, 8); Linear(8, 8) }
            Residual { Linear(8, 8); Linear(8, 8); Linear(8, 8) }
            Linear(8, 2)
        }
    }

    func testZeroesExactlyTheLastBranchLayer() {
        Random.seed(20)
        let model = makeModel()
        let before = Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.0, $0.1.scalars) })
        let report = Fixup().apply(to: model)
        XCTAssertEqual(report.branchCount, 2)
        XCTAssertEqual(report.zeroed, ["1.block.1.weight", "1.block.1.bias", "2.block.2.weight", "2.block.2.bias"])
        let factors = Dictionary(uniqueKeysWithValues: report.rescaled.map { ($0.name, $0.factor) })
        XCTAssertEqual(factors.keys.sorted(), ["1.block.0.weight", "2.block.0.weight", "2.block.1.weight"])
        // L = 2 branches; m = 2 → 2^(−1/2), m = 3 → 2^(−1/4).
        XCTAssertEqual(factors["1.block.0.weight"]!, pow(2, -0.5), accuracy: 1e-7)
        XCTAssertEqual(factors["2.block.1.weight"]!, pow(2, -0.25), accuracy: 1e-7)
        for (name, tensor) in model.namedParameters() {
            let old = before[name]!
            if report.zeroed.contains(name) {
                XCTAssertTrue(tensor.scalars.allSatisfy { $0 == 0 }, name)
            } else if let factor = factors[name] {
                for (a, b) in zip(tensor.scalars, old) { XCTAssertEqual(a, b * factor, accuracy: 1e-7, name) }
            } else {
                XCTAssertEqual(tensor.scalars, old, "\(name) must be untouched")
            }
        }
    }

    func testBranchesStartAsIdentity() {
        Random.seed(21)
        let model = Sequential {
            Residual { Linear(5, 7); Linear(7, 5) }
            Residual(Linear(5, 5))
        }
        Fixup(rescaleBranches: false).apply(to: model)
        let x = Tensor.randomNormal([3, 5])
        XCTAssertEqual(model(x).scalars, x.scalars)
    }

    func testZeroClassifierOption() {
        Random.seed(22)
        let model = makeModel()
        let report = Fixup(rescaleBranches: false, zeroBias: false, zeroClassifier: true).apply(to: model)
        XCTAssertEqual(report.zeroed, ["1.block.1.weight", "2.block.2.weight", "3.weight"])
        XCTAssertTrue(report.rescaled.isEmpty)
        XCTAssertFalse(model.namedParameters().first { $0.0 == "1.block.1.bias" }!.1.scalars.allSatisfy { $0 == 0 })
    }

    func testGPT2ScalingOfLastBranchLayers() {
        Random.seed(23)
        let model = Sequential {
            Residual { Linear(4, 4); Linear(4, 4) }
            Residual { Linear(4, 4); Linear(4, 4) }
            Residual { Linear(4, 4) }
            Residual(Linear(4, 4))
        }
        let before = model.namedParameters().map { ($0.0, $0.1.scalars) }
        let result = GPT2ResidualScaling().apply(to: model)
        XCTAssertEqual(result.factor, 0.5)   // 2N = 4 branches
        XCTAssertEqual(result.scaled, ["0.block.1.weight", "1.block.1.weight", "2.block.0.weight", "3.block.weight"])
        for ((name, old), (_, tensor)) in zip(before, model.namedParameters()) {
            let factor: Float = result.scaled.contains(name) ? 0.5 : 1
            XCTAssertEqual(tensor.scalars, old.map { $0 * factor }, name)
        }
    }

    func testGPT2ScalingByName() {
        Random.seed(24)
        let model = Sequential { Linear(3, 3); Linear(3, 3) }
        let old = model.namedParameters()[2].1.scalars
        let result = GPT2ResidualScaling(layerCount: 3, selection: .named { $0 == "1.weight" }).apply(to: model)
        XCTAssertEqual(result.scaled, ["1.weight"])
        XCTAssertEqual(result.factor, 1 / Float(6).squareRoot())
        for (a, b) in zip(model.namedParameters()[2].1.scalars, old) { XCTAssertEqual(a, b / Float(6).squareRoot(), accuracy: 1e-7) }
    }
}
