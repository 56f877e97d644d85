import ConvergeCore

/// A group of parameters whose gradients are reduced together, as one flat buffer, by one
/// allreduce (PyTorch DDP's gradient bucket).
final class GradientBucket {
    /// The parameters, in the order their gradients sit in ``buffer``.
    let parameters: [Tensor]
    /// Where each parameter's gradient starts in ``buffer``.
    let offsets: [Int]
    /// The flat gradients being reduced.
    let buffer: UnsafeMutableBufferPointer<Float>
    /// Parameters whose gradient of this backward pass is final.
    var readyCount = 0
    /// The reduction in flight, once launched.
    var pending: PendingAllreduce?

    init(parameters: [Tensor]) {
        self.parameters = parameters
        var offsets: [Int] = []
        var total = 0
        for p in parameters { offsets.append(total); total += p.count }
        self.offsets = offsets
        buffer = .allocate(capacity: total)
        buffer.initialize(repeating: 0)
    }

    deinit { buffer.deallocate() }

    /// Elements in the bucket.
    var count: Int { buffer.count }
    /// Whether every parameter's gradient is final.
    var isReady: Bool { readyCount == parameters.count }

    /// Copies the parameters' gradients into ``buffer`` (zeros for a parameter without one).
    func gather() {
        for (p, offset) in zip(parameters, offsets) {
            let target = buffer.baseAddress! + offset
            if let g = p.grad { target.update(from: g.storage.pointer, count: p.count) } else { target.update(repeating: 0, count: p.count) }
        }
    }

    /// Copies the reduced ``buffer`` back into the gradients, multiplied by `factor`. A parameter
    /// without a gradient gets one unless the reduced gradient is all zeros (no rank had one).
    func scatter(scale factor: Float) {
        for (p, offset) in zip(parameters, offsets) {
            let source = buffer.baseAddress! + offset
            if p.grad == nil {
                guard (0..<p.count).contains(where: { source[$0] != 0 }) else { continue }
                p.grad = Tensor.zeros(p.shape)
            }
            let target = p.grad!.storage.pointer
            if factor == 1 {
                target.update(from: source, count: p.count)
            } else {
                for i in 0..<p.count { target[i] = source[i] * factor }
            }
        }
    }

    func reset() {
        readyCount = 0
        pending = nil
    }
}
