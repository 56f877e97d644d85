import ConvergeTestSupport
import XCTest
@testable import Converge

final class BatchNormTests: XCTestCase {
    func testMatchesPyTorchThroughTrainingAndEvaluation() {
        // Three training steps (batch statistics, running statistics updated), then evaluation.
        assertMatchesGolden("batchnorm_2d", BatchNorm(5))
        assertMatchesGolden("batchnorm_3d", BatchNorm1d(4))
        assertMatchesGolden("batchnorm_4d", BatchNorm2d(3))
        assertMatchesGolden("batchnorm_cumulative", BatchNorm(4, momentum: nil))
        assertMatchesGolden("batchnorm_noaffine", BatchNorm(4, affine: false))
        assertMatchesGolden("batchnorm_untracked", BatchNorm(4, trackRunningStatistics: false))
    }

    func testStreamRecBlockMatchesPyTorch() {
        let model = Sequential { Linear(8, 16); BatchNorm(16); ReLU(); Linear(16, 1) }
        assertMatchesGolden("mlp", model)
    }

    func testStateNamesAndBuffers() {
        let bn = BatchNorm(3)
        XCTAssertEqual(bn.namedParameters().map { $0.0 }, ["weight", "bias"])
        XCTAssertEqual(bn.namedBuffers().map { $0.0 }, ["runningMean", "runningVar", "numBatchesTracked"])
        XCTAssertEqual(bn.stateDict(keyStyle: .pytorch).map { $0.0 },
                       ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"])
        XCTAssertEqual(BatchNorm(3, affine: false, trackRunningStatistics: false).namedState().count, 0)
    }

    func testRunningStatisticsUseUnbiasedVariance() {
        let bn = BatchNorm(1)
        let x = Tensor(shape: [4, 1], scalars: [1, 2, 3, 6])
        let y = bn(x)
        // mean 3, biased variance 3.5, unbiased 14/3.
        XCTAssertEqual(bn.runningMean!.scalars[0], 0.3, accuracy: 1e-6)
        XCTAssertEqual(bn.runningVar!.scalars[0], 0.9 + 0.1 * 14 / 3, accuracy: 1e-6)
        XCTAssertEqual(bn.numBatchesTracked!.scalar, 1)
        XCTAssertEqual(y.scalars[3], 3 / (3.5 + 1e-5).squareRoot(), accuracy: 1e-5)
    }

    func testEvalUsesRunningStatisticsAndTrainRestores() {
        Random.seed(2)
        let bn = BatchNorm(3)
        let x = Tensor.randomNormal([6, 3], mean: 2, std: 3)
        bn.runningMean!.assign(Tensor([1, -1, 0.5]))
        bn.runningVar!.assign(Tensor([4, 0.25, 1]))
        bn.eval()
        let y = bn(x)
        for i in 0..<6 {
            for c in 0..<3 {
                let expected = (x.scalars[i * 3 + c] - bn.runningMean!.scalars[c]) / (bn.runningVar!.scalars[c] + 1e-5).squareRoot()
                XCTAssertEqual(y.scalars[i * 3 + c], expected, accuracy: 1e-5)
            }
        }
        XCTAssertEqual(bn.runningMean!.scalars, [1, -1, 0.5], "evaluation must not update running statistics")
        XCTAssertEqual(bn.numBatchesTracked!.scalar, 0)
        bn.train()
        let z = bn(x)
        // Training output has zero mean per channel.
        for c in 0..<3 {
            let mean = (0..<6).map { z.scalars[$0 * 3 + c] }.reduce(0, +) / 6
            XCTAssertEqual(mean, 0, accuracy: 1e-5)
        }
        XCTAssertEqual(bn.numBatchesTracked!.scalar, 1)
    }

    func testGradientCheckTraining() {
        Random.seed(3)
        for shape in [[6, 3], [3, 3, 4], [2, 3, 2, 3]] {
            let bn = BatchNorm(3)
            bn.weight!.assign(Tensor([0.5, 1.5, -1]))
            bn.bias!.assign(Tensor([0.1, -0.2, 0.3]))
            let x = Tensor.randomNormal(shape, requiresGrad: true)
            let result = gradientCheck([x, bn.weight!, bn.bias!]) { t in bn(t[0]) }
            XCTAssertTrue(result.passed, "\(shape): \(result)")
        }
    }

    func testGradientCheckEvaluation() {
        Random.seed(4)
        let bn = BatchNorm(3)
        bn.runningMean!.assign(Tensor([0.5, -1, 2]))
        bn.runningVar!.assign(Tensor([2, 0.5, 1]))
        bn.eval()
        let x = Tensor.randomNormal([4, 3, 2], requiresGrad: true)
        assertGradientsMatch(gradientCheck([x, bn.weight!, bn.bias!]) { t in bn(t[0]) })
    }

    func testFunctionalWithoutAffine() {
        Random.seed(5)
        let x = Tensor.randomNormal([5, 2, 3], requiresGrad: true)
        assertGradientsMatch(gradientCheck([x]) { t in
            t[0].batchNorm(runningMean: nil, runningVariance: nil, weight: nil, bias: nil, training: true)
        })
    }

    func testSaveAndLoadGivesIdenticalOutputs() throws {
        Random.seed(6)
        let a = Sequential { Linear(4, 8); BatchNorm(8); ReLU() }
        for _ in 0..<3 { _ = a(Tensor.randomNormal([5, 4])) }
        let b = Sequential { Linear(4, 8); BatchNorm(8); ReLU() }
        try b.loadStateDict(a.stateDict())
        a.eval(); b.eval()
        let x = Tensor.randomNormal([3, 4])
        XCTAssertEqual(a(x).scalars, b(x).scalars)
        XCTAssertEqual((b[1] as! BatchNorm).numBatchesTracked!.scalar, 3)
    }
}
