import XCTest
@testable import Converge

final class LinearScalingTests: XCTestCase {
    func testLearningRateIsProportionalToBatchSize() {
        XCTAssertEqual(linearScaledLearningRate(baseLearningRate: 0.1, baseBatchSize: 256, batchSize: 8192), 3.2, accuracy: 1e-12)
        XCTAssertEqual(linearScaledLearningRate(baseLearningRate: 0.1, baseBatchSize: 256, batchSize: 64), 0.025, accuracy: 1e-15)
    }

    func testWarmupOnlyWhenTheBatchGrows() {
        XCTAssertEqual(suggestedWarmupSteps(baseBatchSize: 256, batchSize: 8192, stepsPerEpoch: 156), 780)
        XCTAssertEqual(suggestedWarmupSteps(baseBatchSize: 256, batchSize: 256, stepsPerEpoch: 156), 0)
        XCTAssertEqual(suggestedWarmupSteps(baseBatchSize: 256, batchSize: 512, stepsPerEpoch: 10, warmupEpochs: 2.5), 25)
    }
}
