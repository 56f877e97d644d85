import Converge
import ConvergeCore
import Foundation

/// `converge bench streamrec` under `mpirun -np N`: the same training step, data-parallel. Each
/// `--batch-size` is the *global* batch, so each rank trains on batch / N examples; gradients are
/// averaged by ``DataParallel`` (bucketed allreduce, started from the gradient-ready hooks during
/// backward, finished after it) before clipping, and rank 0's BatchNorm buffers are broadcast
/// before each forward pass, as PyTorch DDP does. Rank 0 prints the global throughput and the
/// time per step spent in ``DataParallel/synchronizeGradients()`` (starting the remaining buckets
/// and waiting for every allreduce).
enum StreamRecDataParallelBenchmark {
    static func run(group: ProcessGroup, options: BenchmarkOptions, report: (BenchmarkResult) -> Void) throws {
        for globalBatch in options.batchSizes ?? StreamRecBenchmark.defaultBatchSizes {
            guard globalBatch % group.worldSize == 0, globalBatch / group.worldSize >= 2 else {
                throw BenchmarkError.invalidOption("--batch-size \(globalBatch) must be a multiple of the \(group.worldSize) processes with at least 2 examples each")
            }
            let batch = globalBatch / group.worldSize
            Random.seed(0)
            let model = StreamRecDemo.makeRecipeModel()
            model.train()
            let parallel = try DataParallel(model, group: group)
            let parameters = model.trainableParameters
            let optimizer = AdamW(parameters, learningRate: 1e-3, weightDecay: 1e-2)
            let schedule = OneCycleLR(maxLearningRate: 1e-3, totalSteps: 10_000_000)
            let poolSize = max(1, min(16, (1 << 16) / batch))
            let generator = RandomGenerator(seed: 1 &+ UInt64(group.rank))
            let inputs = (0..<poolSize).map { _ in Tensor.randomNormal([batch, StreamRecData.featureCount], generator: generator) }
            let targets = (0..<poolSize).map { _ in
                Tensor(shape: [batch, 1], scalars: (0..<batch).map { _ in generator.nextUniform() < 0.28 ? 1 : 0 })
            }
            var index = 0
            func step() throws {
                let x = inputs[index % poolSize], y = targets[index % poolSize]
                index += 1
                optimizer.zeroGrad()
                let loss = binaryCrossEntropy(logits: parallel(x), targets: y)
                loss.backward()
                try parallel.synchronizeGradients()
                _ = clipGradNorm(parameters, maxNorm: 1.0)
                withNoGrad { optimizer.step() }
                schedule.apply(to: optimizer, step: index)
                guard loss.item().isFinite else { throw BenchmarkError.wrongResult("streamrec: the loss is not finite at step \(index)") }
            }
            for _ in 0..<StreamRecBenchmark.warmupSteps { try step() }
            var windows: [(rate: Double, allreduce: Double, overlapped: Double)] = []
            for _ in 0..<(options.repeats ?? StreamRecBenchmark.defaultWindows) {
                try group.barrier()
                parallel.resetTimings()
                var steps = 0
                let start = DispatchTime.now().uptimeNanoseconds
                var elapsed = 0.0
                repeat {
                    try step()
                    steps += 1
                    elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
                    // Every rank runs the same number of steps: rank 0's clock decides.
                    let more = try group.broadcast(bytes: [elapsed < StreamRecBenchmark.minimumSeconds || steps < StreamRecBenchmark.minimumSteps ? 1 : 0])
                    if more == [0] { break }
                } while true
                windows.append((Double(steps * globalBatch) / elapsed, parallel.communicationSeconds / Double(steps),
                                Double(parallel.bucketsStartedDuringBackward) / Double(steps)))
            }
            let median = windows.sorted { $0.rate < $1.rate }[windows.count / 2]
            let note = "\(group.worldSize) processes × batch \(batch), \(Parallel.threadCount) thread(s) each; "
                + String(format: "allreduce %.3f ms/step, %d bucket(s), %.1f started during backward",
                         median.allreduce * 1e3, parallel.bucketSizes.count, median.overlapped)
            if group.rank == 0 {
                report(BenchmarkResult(label: "streamrec batch \(globalBatch)", value: median.rate, unit: "samples/s", note: note))
            }
        }
    }
}
