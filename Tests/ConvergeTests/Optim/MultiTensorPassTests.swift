import ConvergeTestSupport
import XCTest
@testable import Converge
import ConvergeCore

/// The multi-tensor AdamW step (``MultiTensorPass``): the same bits as the per-tensor step and as
/// `clipGradNorm` followed by `step()`, on one thread and split over several.
final class MultiTensorPassTests: XCTestCase {
    private var savedThreshold = 0
    private var savedThreads = 0

    override func setUp() {
        // Split every pass over four threads (even on a machine with fewer cores), so the
        // parallel path runs and is compared.
        savedThreshold = Parallel.elementwiseThreshold
        savedThreads = Parallel.threadCount
        Parallel.elementwiseThreshold = 0
        Parallel.threadCount = 4
    }

    override func tearDown() {
        Parallel.elementwiseThreshold = savedThreshold
        Parallel.threadCount = savedThreads
    }

    /// Parameters of several sizes: one over three blocks with a ragged tail, a few small ones.
    private func makeParameters(seed: UInt64) -> [Tensor] {
        Random.seed(seed)
        return [[3, 23_339], [17], [64, 9], [5], [1]].map { shape in
            let p = Tensor.randomNormal(shape)
            p.requiresGrad = true
            return p
        }
    }

    private func setGradients(_ parameters: [Tensor], step: Int, scale: Float) {
        let g = RandomGenerator(seed: UInt64(100 + step))
        for p in parameters {
            p.grad = Tensor(shape: p.shape, scalars: (0..<p.count).map { _ in Float(g.nextUniform() - 0.5) * scale })
        }
    }

    private func groups(_ parameters: [Tensor]) -> [ParameterGroup] {
        [ParameterGroup(Array(parameters[0..<2]), weightDecay: 0.05),
         ParameterGroup(Array(parameters[2...]), learningRate: 3e-3, weightDecay: 0)]
    }

    private func assertBitIdentical(_ a: [Tensor], _ b: [Tensor], _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        for (x, y) in zip(a, b) {
            XCTAssertEqual(x.scalars.map(\.bitPattern), y.scalars.map(\.bitPattern), "\(message) shape \(x.shape)", file: file, line: line)
        }
    }

    func testBlocksCoverEverySegmentOnceAtMultiplesOfEight() {
        var pass = MultiTensorPass()
        let counts = [70_001, 0, 3, MultiTensorPass.blockSize, 9]
        pass.reset(counts: counts)
        XCTAssertEqual(pass.totalCount, counts.reduce(0, +))
        var covered = Array(repeating: 0, count: counts.count)
        let seen = UnsafeMutablePointer<Int>.allocate(capacity: pass.blocks.count)
        seen.initialize(repeating: 0, count: pass.blocks.count)
        defer { seen.deallocate() }
        pass.run(threshold: 0) { b, _ in seen[b] += 1 }
        XCTAssertEqual(Array(UnsafeBufferPointer(start: seen, count: pass.blocks.count)), Array(repeating: 1, count: pass.blocks.count))
        for block in pass.blocks {
            XCTAssertEqual(block.start % 8, 0)
            XCTAssertLessThanOrEqual(block.end - block.start, MultiTensorPass.blockSize)
            covered[block.segment] += block.end - block.start
        }
        XCTAssertEqual(covered, counts)
    }

    /// AdamW and Adam (with AMSGrad) over two groups: the multi-tensor step and the per-tensor
    /// step give the same bits for three steps.
    func testMultiTensorStepMatchesPerTensorStepBitForBit() {
        for (decoupled, amsgrad) in [(true, false), (false, true)] {
            let a = makeParameters(seed: 1), b = makeParameters(seed: 1)
            let fused = Adam(groups(a), learningRate: 1e-2, betas: (0.9, 0.999), eps: 1e-8, weightDecay: 0.01,
                             amsgrad: amsgrad, decoupledWeightDecay: decoupled)
            let reference = Adam(groups(b), learningRate: 1e-2, betas: (0.9, 0.999), eps: 1e-8, weightDecay: 0.01,
                                 amsgrad: amsgrad, decoupledWeightDecay: decoupled)
            reference.usesMultiTensorStep = false
            for step in 0..<3 {
                setGradients(a, step: step, scale: 2)
                setGradients(b, step: step, scale: 2)
                fused.step()
                reference.step()
            }
            assertBitIdentical(a, b, "decoupled \(decoupled) amsgrad \(amsgrad)")
            let fusedState = fused.stateDict(), referenceState = reference.stateDict()
            XCTAssertEqual(fusedState.tensors.map(\.0), referenceState.tensors.map(\.0))
            assertBitIdentical(fusedState.tensors.map(\.1), referenceState.tensors.map(\.1), "state")
        }
    }

    /// `stepWithGradientNorm(clippingTo:)` is `clipGradNorm` then `step()`: same parameters, same
    /// clipped gradients, same returned norm, clipping or not.
    func testFusedClippingMatchesClipThenStep() {
        for maxNorm in [0.5, 1e6] {
            let a = makeParameters(seed: 2), b = makeParameters(seed: 2)
            let fused = AdamW(groups(a), learningRate: 1e-2)
            let reference = AdamW(groups(b), learningRate: 1e-2)
            reference.usesMultiTensorStep = false
            for step in 0..<3 {
                setGradients(a, step: step, scale: 4)
                setGradients(b, step: step, scale: 4)
                let fusedNorm = fused.stepWithGradientNorm(clippingTo: maxNorm)
                let referenceNorm = clipGradNorm(b, maxNorm: maxNorm)
                reference.step()
                XCTAssertEqual(fusedNorm.bitPattern, referenceNorm.bitPattern, "maxNorm \(maxNorm)")
                if maxNorm < 1 { XCTAssertGreaterThan(fusedNorm, maxNorm, "the test clips") }
                assertBitIdentical(a.map { $0.grad! }, b.map { $0.grad! }, "gradients, maxNorm \(maxNorm)")
            }
            assertBitIdentical(a, b, "parameters, maxNorm \(maxNorm)")
        }
    }

    /// Without clipping, the norm measured inside the update pass is `gradNorm`'s.
    func testNormMeasuredInUpdatePassIsGradNorm() {
        let a = makeParameters(seed: 3)
        let optimizer = AdamW(a, learningRate: 1e-3)
        setGradients(a, step: 0, scale: 1)
        let expected = gradNorm(a)
        XCTAssertEqual(optimizer.stepWithGradientNorm().bitPattern, expected.bitPattern)
        // Small tensors (one block each) are summed exactly as the per-tensor norm always was.
        let small = Array(a[1...])
        var squares = 0.0
        for p in small {
            let n = p.grad!.scalars.reduce(0.0) { $0 + Double($1) * Double($1) }
            squares += Double(Float(n.squareRoot())) * Double(Float(n.squareRoot()))
        }
        XCTAssertEqual(gradNorm(small), squares.squareRoot(), accuracy: 1e-6 * squares.squareRoot())
    }

    /// A parameter that is not float32 sends the step down the per-tensor path, with the same result.
    func testNonFloat32ParameterFallsBack() {
        let a = makeParameters(seed: 4), b = makeParameters(seed: 4)
        a[3].markPrecision(.bfloat16)
        let fused = AdamW(a, learningRate: 1e-2), reference = AdamW(b, learningRate: 1e-2)
        reference.usesMultiTensorStep = false
        setGradients(a, step: 0, scale: 1)
        setGradients(b, step: 0, scale: 1)
        fused.step()
        reference.step()
        assertBitIdentical(a, b, "fallback")
    }

    /// A Trainer whose last callback is GradientClipping clips inside the step; with another
    /// callback after it, it clips in the callback. Same history and weights either way.
    func testTrainerDeferredClippingMatchesCallbackClipping() throws {
        final class Nothing: Callback {}
        func run(_ callbacks: [Callback]) throws -> (History, [Tensor]) {
            Random.seed(5)
            let model = Sequential { Linear(2, 16); ReLU(); Linear(16, 1) }
            let trainer = Trainer(model: model, optimizer: AdamW(model.parameters, learningRate: 0.05),
                                  loss: .binaryCrossEntropyWithLogits, callbacks: callbacks)
            let data = TrainerTests.blobs(count: 64, seed: 1)
            let history = try trainer.fit(train: DataLoader(data, batchSize: 16, shuffle: true, seed: 3), epochs: 2)
            return (history, model.parameters)
        }
        let deferred = GradientClipping(maxNorm: 0.05), immediate = GradientClipping(maxNorm: 0.05)
        let (h1, p1) = try run([deferred])
        let (h2, p2) = try run([immediate, Nothing()])
        XCTAssertGreaterThan(deferred.clippedSteps, 0)
        XCTAssertEqual(deferred.clippedSteps, immediate.clippedSteps)
        XCTAssertEqual(h1.series("grad_norm").map(\.bitPattern), h2.series("grad_norm").map(\.bitPattern))
        XCTAssertEqual(h1.series("train_loss").map(\.bitPattern), h2.series("train_loss").map(\.bitPattern))
        assertBitIdentical(p1, p2, "trained weights")
    }
}
