import Converge

/// The training step the classification benchmarks (``MLPBenchmark``, ``ConvBenchmark``) time:
/// cross-entropy on one of a few pre-drawn batches in turn, backward (through the loss scaler
/// under float16 autocast) and the optimizer's step.
enum ClassificationBenchmarkStep {
    /// A closure running one step of `model` on `inputs[i % count]` / `labels[i % count]` and
    /// returning its loss; it throws `BenchmarkError.wrongResult` naming `name` when the loss is
    /// not finite.
    static func make(model: Module, optimizer: Optimizer, inputs: [Tensor], labels: [Tensor],
                     precision: DType, name: String) -> () throws -> Float {
        let autocast = precision == .float32 ? nil : MixedPrecision(dtype: precision)
        var index = 0
        return {
            let x = inputs[index % inputs.count], y = labels[index % labels.count]
            index += 1
            optimizer.zeroGrad()
            let logits = autocast.map { $0.forward(model, x) } ?? model(x)
            let loss = crossEntropy(logits: logits, targets: y)
            if let scaler = autocast?.lossScaler {
                scaler.scale(loss).backward()
                scaler.step(optimizer)
                scaler.update()
            } else {
                loss.backward()
                withNoGrad { optimizer.step() }
            }
            let value = loss.item()
            guard value.isFinite else { throw BenchmarkError.wrongResult("\(name): the loss is \(value) at step \(index)") }
            return value
        }
    }
}
