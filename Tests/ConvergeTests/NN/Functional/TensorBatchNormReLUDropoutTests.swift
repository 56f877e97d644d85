import XCTest
@testable import Converge
import ConvergeTestSupport

/// The fused BatchNorm + ReLU + Dropout op against the three ops applied in turn.
final class TensorBatchNormReLUDropoutTests: XCTestCase {
    /// The fused and unfused results of one training step from the same state.
    private struct Run {
        var output: [Float], runningMean: [Float], runningVariance: [Float]
        var inputGradient: [Float], weightGradient: [Float], biasGradient: [Float], generatorState: [UInt64]
    }

    private func run(fused: Bool, input: [Float], n: Int, c: Int, probability: Float, training: Bool = true,
                     bfloat16Input: Bool = false) -> Run {
        let generator = RandomGenerator(seed: 99)
        let x = Tensor(shape: [n, c], scalars: input, requiresGrad: true)
        let weight = Tensor(shape: [c], scalars: (0..<c).map { 0.5 + 0.1 * Float($0) }, requiresGrad: true)
        let bias = Tensor(shape: [c], scalars: (0..<c).map { 0.2 - 0.05 * Float($0) }, requiresGrad: true)
        let runningMean = Tensor(shape: [c], scalars: (0..<c).map { 0.01 * Float($0) })
        let runningVariance = Tensor(shape: [c], scalars: (0..<c).map { 1 + 0.1 * Float($0) })
        let source = bfloat16Input ? Kernels.withGEMMPrecision(.float32) { x.castToBFloat16() } : x
        let y: Tensor
        if fused {
            y = source.batchNormReLUDropout(runningMean: runningMean, runningVariance: runningVariance, weight: weight,
                                            bias: bias, training: training, momentum: 0.1, epsilon: 1e-5,
                                            probability: probability, dropoutTraining: training, generator: generator)
        } else {
            y = source.batchNorm(runningMean: runningMean, runningVariance: runningVariance, weight: weight, bias: bias,
                                 training: training, momentum: 0.1, epsilon: 1e-5)
                .relu().dropout(probability: probability, training: training, generator: generator)
        }
        let upstream = Tensor(shape: [n, c], scalars: (0..<(n * c)).map { Float(($0 * 7) % 11) * 0.1 - 0.5 })
        (y * upstream).sum().backward()
        return Run(output: y.scalars, runningMean: runningMean.scalars, runningVariance: runningVariance.scalars,
                   inputGradient: x.grad!.scalars, weightGradient: weight.grad!.scalars, biasGradient: bias.grad!.scalars,
                   generatorState: generator.state)
    }

    private func assertClose(_ a: [Float], _ b: [Float], tolerance: Float = 1e-6, _ what: String,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        if let problem = mismatch(a, b, rtol: tolerance, atol: tolerance) { XCTFail("\(what): \(problem)", file: file, line: line) }
    }

    private func input(n: Int, c: Int) -> [Float] {
        let generator = RandomGenerator(seed: 3)
        return Tensor.randomNormal([n, c], generator: generator).scalars.map { $0 * 2 + 0.3 }
    }

    func testTrainingStepEqualsTheUnfusedOps() {
        // An odd channel count makes dropout draws straddle rows.
        // The last size is above the threshold where the passes split across cores.
        for (n, c) in [(9, 5), (16, 8), (600, 300)] {
            let values = input(n: n, c: c)
            let fused = run(fused: true, input: values, n: n, c: c, probability: 0.3)
            let unfused = run(fused: false, input: values, n: n, c: c, probability: 0.3)
            XCTAssertEqual(fused.output, unfused.output, "same values and the same dropout masks")
            XCTAssertTrue(fused.output.contains(0) && fused.output.contains { $0 > 0 })
            XCTAssertEqual(fused.generatorState, unfused.generatorState, "the same number of draws")
            assertClose(fused.runningMean, unfused.runningMean, "running mean")
            assertClose(fused.runningVariance, unfused.runningVariance, "running variance")
            assertClose(fused.inputGradient, unfused.inputGradient, tolerance: 1e-5, "input gradient")
            assertClose(fused.weightGradient, unfused.weightGradient, tolerance: 1e-5, "weight gradient")
            assertClose(fused.biasGradient, unfused.biasGradient, tolerance: 1e-5, "bias gradient")
        }
    }

    func testEvaluationAndNoDropoutEqualTheUnfusedOps() {
        let values = input(n: 12, c: 6)
        for (probability, training) in [(Float(0.4), false), (0, true)] {
            let fused = run(fused: true, input: values, n: 12, c: 6, probability: probability, training: training)
            let unfused = run(fused: false, input: values, n: 12, c: 6, probability: probability, training: training)
            XCTAssertEqual(fused.output, unfused.output)
            XCTAssertEqual(fused.generatorState, unfused.generatorState, "no draws without active dropout")
            assertClose(fused.inputGradient, unfused.inputGradient, tolerance: 1e-5, "input gradient")
            assertClose(fused.weightGradient, unfused.weightGradient, tolerance: 1e-5, "weight gradient")
        }
    }

    func testGradientsMatchFiniteDifferences() {
        let x = Tensor(shape: [10, 4], scalars: input(n: 10, c: 4), requiresGrad: true)
        let weight = Tensor(shape: [4], scalars: [0.7, 1.2, -0.5, 0.9], requiresGrad: true)
        let bias = Tensor(shape: [4], scalars: [0.1, -0.2, 0.3, 0.05], requiresGrad: true)
        // The same masks on every evaluation: a fresh generator with one seed each time.
        let result = gradientCheck([x, weight, bias], epsilon: 1e-3, absoluteTolerance: 3e-3, relativeTolerance: 2e-2) { t in
            t[0].batchNormReLUDropout(runningMean: nil, runningVariance: nil, weight: t[1], bias: t[2], training: true,
                                      probability: 0.25, dropoutTraining: true, generator: RandomGenerator(seed: 5))
        }
        XCTAssertTrue(result.passed, result.description)
    }

    func testBFloat16InputGivesBFloat16OutputAndGradient() {
        let n = 16, c = 8
        let values = input(n: n, c: c)
        let fused = run(fused: true, input: values, n: n, c: c, probability: 0.3, bfloat16Input: true)
        let unfused = run(fused: false, input: values, n: n, c: c, probability: 0.3, bfloat16Input: true)
        XCTAssertTrue(fused.output.allSatisfy { Kernels.float(bfloat16Bits: Kernels.bfloat16Bits($0)) == $0 },
                      "the output is bfloat16")
        // The unfused ops run in float32 on the same bfloat16 input: equal within bfloat16 rounding.
        assertClose(fused.output, unfused.output, tolerance: 1e-2, "output")
        assertClose(fused.runningMean, unfused.runningMean, "running statistics use the same arithmetic")
        assertClose(fused.runningVariance, unfused.runningVariance, "running variance")
        assertClose(fused.inputGradient, unfused.inputGradient, tolerance: 2e-2, "input gradient")
        assertClose(fused.weightGradient, unfused.weightGradient, tolerance: 2e-2, "weight gradient")
        XCTAssertEqual(fused.generatorState, unfused.generatorState)

        let x = Tensor(shape: [n, c], scalars: values).castToBFloat16()
        let y = x.batchNormReLUDropout(runningMean: nil, runningVariance: nil, weight: nil, bias: nil, training: true,
                                       probability: 0.3, dropoutTraining: true)
        XCTAssertNotNil(y.storage.bfloat16Bits, "bfloat16 storage: 2 bytes per element")
        XCTAssertEqual(y.storage.byteCount, n * c * 2)
        XCTAssertEqual(y.dtype, .bfloat16)
    }

    func testSequentialFusesBatchNormReLUDropoutUnlessHooked() {
        Random.seed(1)
        let block = Sequential { BatchNorm(8); ReLU(); Dropout(0.3) }
        let x = Tensor.randomNormal([5, 8])
        x.requiresGrad = true
        XCTAssertEqual(block(x).operationName, "batchNormReLUDropout")
        let hook = block.layers[1].addForwardHook { _, _, _ in }
        XCTAssertEqual(block(x).operationName, "dropout", "a hooked ReLU runs as its own layer")
        block.layers[1].removeForwardHook(hook)
        XCTAssertEqual(block(x).operationName, "batchNormReLUDropout")
        XCTAssertEqual(block(Tensor.randomNormal([3, 8, 2])).operationName, "dropout", "only (N, C) inputs are fused")
    }

    func testSequentialFusedAndUnfusedTrainTheSame() {
        func train(fused: Bool) -> [Float] {
            Random.seed(4)
            let norm = BatchNorm(8)
            let model = Sequential { Linear(6, 8); norm; ReLU(); Dropout(0.3); Linear(8, 1) }
            let hook: Int? = fused ? nil : norm.addForwardHook { _, _, _ in }
            let x = Tensor.randomNormal([12, 6]), y = Tensor.randomNormal([12, 1])
            let optimizer = SGD(model.parameters, learningRate: 0.1)
            for _ in 0..<3 {
                optimizer.zeroGrad()
                meanSquaredError(predictions: model(x), targets: y).backward()
                withNoGrad { optimizer.step() }
            }
            if let hook { norm.removeForwardHook(hook) }
            return model.parameters.flatMap { $0.scalars } + norm.runningMean!.scalars + norm.runningVar!.scalars
        }
        let fused = train(fused: true), unfused = train(fused: false)
        if let problem = mismatch(fused, unfused, rtol: 1e-5, atol: 1e-6) { XCTFail(problem) }
    }
}
