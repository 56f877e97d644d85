import ConvergeTestSupport
import XCTest
@testable import Converge

final class GroupNormTests: XCTestCase {
    func testMatchesPyTorch() {
        assertMatchesGolden("groupnorm", GroupNorm(groups: 2, channels: 6))
        assertMatchesGolden("groupnorm_4d", GroupNorm(groups: 3, channels: 6))
    }

    func testSameInTrainingAndEvaluation() {
        Random.seed(1)
        let norm = GroupNorm(groups: 2, channels: 4)
        let x = Tensor.randomNormal([2, 4, 3])
        let a = norm(x)
        norm.eval()
        XCTAssertEqual(norm(x).scalars, a.scalars)
        XCTAssertTrue(norm.namedBuffers().isEmpty)
    }

    func testGradientCheck() {
        Random.seed(2)
        let norm = GroupNorm(groups: 2, channels: 4)
        norm.weight!.assign(Tensor([0.5, 1.2, -0.7, 1]))
        norm.bias!.assign(Tensor([0.1, 0, -0.3, 0.2]))
        let x = Tensor.randomNormal([2, 4, 3], requiresGrad: true)
        assertGradientsMatch(gradientCheck([x, norm.weight!, norm.bias!]) { t in norm(t[0]) })
        let x2 = Tensor.randomNormal([2, 4], requiresGrad: true)
        assertGradientsMatch(gradientCheck([x2]) { t in t[0].groupNorm(groups: 2) })
    }
}
