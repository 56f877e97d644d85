import ConvergeTestSupport
import XCTest
@testable import Converge

final class InstanceNormTests: XCTestCase {
    func testMatchesPyTorch() {
        assertMatchesGolden("instancenorm1d", InstanceNorm1d(4))
        assertMatchesGolden("instancenorm2d_tracked", InstanceNorm2d(3, affine: true, trackRunningStatistics: true))
    }

    func testDefaultsLikePyTorch() {
        let norm = InstanceNorm(3)
        XCTAssertTrue(norm.namedState().isEmpty)
        Random.seed(1)
        let x = Tensor.randomNormal([2, 3, 5])
        let a = norm(x)
        norm.eval()
        // Without running statistics, evaluation still uses the instance statistics.
        XCTAssertEqual(norm(x).scalars, a.scalars)
    }

    func testGradientCheck() {
        Random.seed(2)
        let norm = InstanceNorm(2, affine: true, trackRunningStatistics: true)
        norm.weight!.assign(Tensor([0.7, 1.3]))
        norm.bias!.assign(Tensor([0.2, -0.1]))
        let x = Tensor.randomNormal([2, 2, 5], requiresGrad: true)
        assertGradientsMatch(gradientCheck([x, norm.weight!, norm.bias!]) { t in norm(t[0]) })
        norm.eval()
        assertGradientsMatch(gradientCheck([x, norm.weight!, norm.bias!]) { t in norm(t[0]) })
    }
}
