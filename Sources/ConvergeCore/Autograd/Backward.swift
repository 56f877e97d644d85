/// Errors from starting a backward pass.
public enum BackwardError: Error, CustomStringConvertible, Equatable {
    /// `backward()` without an upstream gradient on a tensor that is not a scalar.
    case nonScalarWithoutGradient(shape: [Int])
    /// The upstream gradient's shape differs from the tensor's.
    case gradientShapeMismatch(tensor: [Int], gradient: [Int])
    /// The tensor does not require a gradient (nothing to differentiate).
    case doesNotRequireGrad
    /// The graph below the tensor was freed by an earlier backward pass through `op`.
    case graphFreed(op: String)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .nonScalarWithoutGradient(let shape):
            return "backward: tensor of shape \(shape) is not a scalar; pass an upstream gradient of that shape (backward(gradient))"
        case .gradientShapeMismatch(let tensor, let gradient):
            return "backward: upstream gradient of shape \(gradient) does not match tensor of shape \(tensor)"
        case .doesNotRequireGrad:
            return "backward: tensor does not require a gradient and has no graph (was it computed under withNoGrad, or from tensors with requiresGrad == false?)"
        case .graphFreed(let op):
            return "backward: the graph through \(op) was already freed by an earlier backward; pass retainGraph: true to that backward to run through it again"
        }
    }
}

extension Tensor {
    /// Checks that ``backward(_:retainGraph:)`` can start from this tensor with `gradient`.
    public func validateBackward(_ gradient: Tensor?) throws {
        guard requiresGrad else { throw BackwardError.doesNotRequireGrad }
        if let node, node.backward == nil { throw BackwardError.graphFreed(op: node.op) }
        if let gradient {
            guard gradient.shape == shape else {
                throw BackwardError.gradientShapeMismatch(tensor: shape, gradient: gradient.shape)
            }
        } else if count != 1 {
            throw BackwardError.nonScalarWithoutGradient(shape: shape)
        }
    }

    /// Computes gradients of this tensor with respect to every leaf that requires one, adding
    /// them into each leaf's ``grad`` (gradients accumulate until ``zeroGrad()``).
    ///
    /// - Parameters:
    ///   - gradient: the upstream gradient; may be omitted only for a one-element tensor (then 1).
    ///   - retainGraph: keep the graph so backward can run through it again; by default each
    ///     node's inputs and rule are released as soon as the node has run.
    /// - Precondition: see ``validateBackward(_:)``; a violation, or a graph freed by an earlier
    ///   backward, stops with the ``BackwardError`` message.
    public func backward(_ gradient: Tensor? = nil, retainGraph: Bool = false) {
        let order: [Tensor]
        do {
            try validateBackward(gradient)
            order = try topologicalOrder()
        } catch { shapeFailure(error) }
        let seed = gradient?.detached() ?? Tensor(shape: shape, storage: TensorStorage(count: count, repeating: 1))
        Anomaly.backwardDepth += 1
        defer { Anomaly.backwardDepth -= 1 }
        withNoGrad { runBackward(order: order, seed: seed, retainGraph: retainGraph) }
    }

    /// Numbers backward passes, so each pass marks the tensors it visits without a hash set.
    nonisolated(unsafe) private static var passCounter: UInt64 = 0

    /// The tensors that gradients flow through, inputs before the ops that read them (iterative
    /// depth-first search), ending with `self`. Marks each with the new pass number.
    func topologicalOrder() throws -> [Tensor] {
        Tensor.passCounter &+= 1
        let pass = Tensor.passCounter
        var order: [Tensor] = []
        var stack: [(Tensor, Int)] = [(self, 0)]
        backwardPass = pass
        while let (tensor, next) = stack.popLast() {
            guard let node = tensor.node else {
                order.append(tensor)
                continue
            }
            if node.backward == nil { throw BackwardError.graphFreed(op: node.op) }
            guard next < node.inputs.count else {
                order.append(tensor)
                continue
            }
            stack.append((tensor, next + 1))
            let input = node.inputs[next]
            if input.requiresGrad && input.backwardPass != pass {
                input.backwardPass = pass
                input.pendingGradient = nil
                stack.append((input, 0))
            }
        }
        return order
    }

    private func runBackward(order: [Tensor], seed: Tensor, retainGraph: Bool) {
        // Each tensor's gradient is gathered in `pendingGradient`; `pendingOwned` marks sums this
        // pass allocated, which later contributions update in place (a rule's own output may alias
        // its upstream gradient, so it is never written to).
        pendingGradient = seed
        pendingOwned = false
        for tensor in order.reversed() {
            guard let upstream = tensor.pendingGradient else { continue }
            tensor.pendingGradient = nil
            guard let node = tensor.node, let rule = node.backward else {
                tensor.accumulateGrad(upstream)
                continue
            }
            let inputGrads = Kernels.withGEMMPrecision(node.gemmPrecision) { rule(upstream) }
            for (input, g) in zip(node.inputs, inputGrads) {
                guard let g, input.requiresGrad else { continue }
                precondition(g.shape == input.shape,
                             "backward: the rule of \(node.op) returned a gradient of shape \(g.shape) for an input of shape \(input.shape)")
                if Anomaly.isEnabled { Anomaly.check(g, op: node.op, phase: .backward, modulePath: node.modulePath) }
                if let existing = input.pendingGradient {
                    if input.pendingOwned {
                        Kernels.addInPlace(existing.storage.pointer, g.storage.pointer, count: existing.count)
                    } else {
                        let sum = Tensor(uninitializedShape: existing.shape)
                        Kernels.zip(existing.storage.pointer, g.storage.pointer, sum.storage.pointer, count: sum.count) { $0 + $1 }
                        input.pendingGradient = sum
                        input.pendingOwned = true
                    }
                } else {
                    input.pendingGradient = g
                    input.pendingOwned = false
                }
            }
            if !retainGraph {
                node.inputs = []
                node.backward = nil
            }
        }
    }

    /// Adds `g` into ``grad`` (allocating a private copy the first time).
    func accumulateGrad(_ g: Tensor) {
        guard requiresGrad else { return }
        precondition(g.shape == shape, "backward: gradient of shape \(g.shape) for tensor of shape \(shape)")
        if let existing = grad {
            Kernels.addInPlace(existing.storage.pointer, g.storage.pointer, count: count)
        } else {
            grad = Tensor(shape: shape, storage: g.storage.copy())
        }
        postAccumulateGradHook?(self)
    }

    /// Sets ``grad`` to `nil` (PyTorch's `zero_grad(set_to_none=True)`).
    public func zeroGrad() { grad = nil }
}
