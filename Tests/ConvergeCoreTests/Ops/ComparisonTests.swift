import ConvergeCore
import ConvergeTestSupport
import XCTest

final class ComparisonTests: XCTestCase {
    func testTensorComparisonsMatchPyTorch() {
        assertMatchesGolden("compare_eq", inputs: ["a", "b"]) { $0[0] .== $0[1] }
        assertMatchesGolden("compare_ne", inputs: ["a", "b"]) { $0[0] .!= $0[1] }
        assertMatchesGolden("compare_lt", inputs: ["a", "b"]) { $0[0] .< $0[1] }
        assertMatchesGolden("compare_le", inputs: ["a", "b"]) { $0[0] .<= $0[1] }
        assertMatchesGolden("compare_gt", inputs: ["a", "b"]) { $0[0] .> $0[1] }
        assertMatchesGolden("compare_ge", inputs: ["a", "b"]) { $0[0] .>= $0[1] }
    }

    func testScalarComparisonsMatchPyTorch() {
        let s = Float(OpsGolden.file.number("compare_scalar_value"))
        assertMatchesGolden("compare_scalar_eq", inputs: ["a"]) { $0[0] .== s }
        assertMatchesGolden("compare_scalar_ne", inputs: ["a"]) { $0[0] .!= s }
        assertMatchesGolden("compare_scalar_lt", inputs: ["a"]) { $0[0] .< s }
        assertMatchesGolden("compare_scalar_le", inputs: ["a"]) { $0[0] .<= s }
        assertMatchesGolden("compare_scalar_gt", inputs: ["a"]) { $0[0] .> s }
        assertMatchesGolden("compare_scalar_ge", inputs: ["a"]) { $0[0] .>= s }
    }

    func testComparisonsRecordNoGraph() {
        let x = Tensor([1, 2], requiresGrad: true)
        XCTAssertFalse((x .> 1).requiresGrad)
        XCTAssertFalse((x .== x).requiresGrad)
    }

    func testWhereMatchesPyTorch() {
        assertMatchesGolden("where", inputs: ["c", "a", "b"]) { Tensor.where($0[0], $0[1], $0[2]) }
    }

    func testWhereGradients() {
        let condition = Tensor(shape: [3, 4], scalars: [1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0])
        assertGradientsMatchFiniteDifferences([testInput([3, 4], seed: 1), testInput([4], seed: 2)]) {
            Tensor.where(condition, $0[0], $0[1])
        }
        assertGradientsMatchFiniteDifferences([testInput([3, 1], seed: 3), testInput([1, 4], seed: 4)]) {
            Tensor.where(condition, $0[0], $0[1])
        }
    }

    func testWhereBroadcastsAllThree() {
        let y = Tensor.where(Tensor([1, 0]), Tensor(shape: [2, 1], scalars: [5, 6]), Tensor(-1))
        XCTAssertEqual(y.shape, [2, 2])
        XCTAssertEqual(y.scalars, [5, -1, 6, -1])
        assertShapeError(["where", "[3]", "[2]"]) { try Shape.broadcast([3], [2], op: "where") }
    }
}
