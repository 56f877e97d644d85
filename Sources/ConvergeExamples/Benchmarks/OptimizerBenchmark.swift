import Converge
import Foundation

/// `converge bench adamw`: the time of one AdamW step with gradient-norm clipping over the
/// parameters of ``MLPBenchmark``'s MLP (5.3M float32 values in 6 tensors) and of the StreamRec
/// model, per-tensor (`clipGradNorm`, then the update tensor by tensor: three passes over the
/// gradients) against the multi-tensor step (``Optimizer/stepWithGradientNorm(clippingTo:)``:
/// the norm in one pass and the update, with the clip folded in, in one pass shared by the
/// cores). The two alternate within each round; the median over rounds is reported.
public enum OptimizerBenchmark {
    /// The registry entry.
    public static let benchmark = Benchmark(
        name: "adamw",
        summary: "AdamW step with norm clipping over the MLP's 5.3M parameters: per-tensor vs multi-tensor (ms/step)"
    ) { options, report in
        let rounds = options.repeats ?? 5
        let shapes = [[2048, 512], [2048], [2048, 2048], [2048], [3, 2048], [3]]
        let times = try measure(shapes: shapes, rounds: rounds)
        report(BenchmarkResult(label: "adamw+clip per-tensor", value: times.perTensor * 1e3, unit: "ms/step",
                               note: "5.3M parameters, median of \(rounds) rounds"))
        report(BenchmarkResult(label: "adamw+clip multi-tensor", value: times.multiTensor * 1e3, unit: "ms/step",
                               note: String(format: "%.2f× faster, %d threads above %d elements", times.perTensor / times.multiTensor,
                                            Parallel.threadCount, Parallel.elementwiseThreshold)))
    }

    /// Median seconds per step of each path over `rounds` rounds of `steps` steps each.
    /// - Throws: ``BenchmarkError/wrongResult(_:)`` when the two paths' weights differ in any bit.
    public static func measure(shapes: [[Int]], rounds: Int, steps: Int = 10) throws -> (perTensor: Double, multiTensor: Double) {
        guard rounds >= 1 else { throw BenchmarkError.invalidOption("--repeats must be at least 1 (got \(rounds))") }
        func make() -> (AdamW, [Tensor]) {
            let generator = RandomGenerator(seed: 7)
            let parameters = shapes.map { shape -> Tensor in
                let p = Tensor.randomNormal(shape, generator: generator)
                p.requiresGrad = true
                p.grad = Tensor.randomNormal(shape, generator: generator)
                return p
            }
            return (AdamW(parameters, learningRate: 1e-3, weightDecay: 1e-2), parameters)
        }
        let (reference, referenceParameters) = make()
        reference.usesMultiTensorStep = false
        let (fused, fusedParameters) = make()
        func seconds(_ body: () -> Void) -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<steps { body() }
            return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 / Double(steps)
        }
        var perTensor: [Double] = [], multiTensor: [Double] = []
        for _ in 0..<rounds {
            perTensor.append(seconds { _ = clipGradNorm(referenceParameters, maxNorm: 1); reference.step() })
            multiTensor.append(seconds { _ = fused.stepWithGradientNorm(clippingTo: 1) })
        }
        for (a, b) in zip(referenceParameters, fusedParameters) where a.scalars != b.scalars {
            throw BenchmarkError.wrongResult("adamw: the multi-tensor step changed parameter of shape \(a.shape)")
        }
        return (perTensor.sorted()[rounds / 2], multiTensor.sorted()[rounds / 2])
    }
}
