/// Errors from starting a backward pass.
public enum BackwardError: Error, CustomStringConvertible, Equatable {
    /// `backward()` without an upstream gradient on a tensor that is not a scalar.
    case nonScalarWithoutGradient(shape: [Int])
    /// The upstream gradient's shape differs from the tensor's.
    case gradientShapeMismatch(tensor: [Int], gradient: [Int])
    /// The tensor does not require a gradient (nothing to differentiate).
    case doesNotRequireGrad

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .nonScalarWithoutGradient(let shape):
            return "backward: tensor of shape \(shape) is not a scalar; pass an upstream gradient of that shape (backward(gradient))"
        case .gradientShapeMismatch(let tensor, let gradient):
            return "backward: upstream gradient of shape \(gradient) does not match tensor of shape \(tensor)"
        case .doesNotRequireGrad:
            return "backward: tensor does not require a gradient and has no graph (was it computed under withNoGrad, or from tensors with requiresGrad == false?)"
        }
    }
}

extension Tensor {
    /// Checks that ``backward(_:retainGraph:)`` can start from this tensor with `gradient`.
    public func validateBackward(_ gradient: Tensor?) throws {
        guard requiresGrad else { throw BackwardError.doesNotRequireGrad }
        if let gradient {
            guard gradient.shape == shape else {
                throw BackwardError.gradientShapeMismatch(tensor: shape, gradient: gradient.shape)
            }
        } else if count != 1 {
            throw BackwardError.nonScalarWithoutGradient(shape: shape)
        }
    }

    /// Computes gradients of this tensor with respect to every leaf that requires one, adding
    /// them into each leaf's ``grad``.
    ///
    /// - Parameters:
    ///   - gradient: the upstream gradient; may be omitted only for a one-element tensor (then 1).
    ///   - retainGraph: keep the graph so backward can run through it again; by default it is freed.
    /// - Precondition: see ``validateBackward(_:)``; a violation stops with that message.
    public func backward(_ gradient: Tensor? = nil, retainGraph: Bool = false) {
        do { try validateBackward(gradient) } catch { shapeFailure(error) }
        let seed = gradient?.detached() ?? Tensor(shape: shape, storage: TensorStorage(count: count, repeating: 1))
        withNoGrad { runBackward(seed: seed, retainGraph: retainGraph) }
    }

    private func runBackward(seed: Tensor, retainGraph: Bool) {
        // Topological order by iterative depth-first search over recorded nodes.
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while let (tensor, next) = stack.popLast() {
            guard let node = tensor.node, next < node.inputs.count else {
                order.append(tensor)
                continue
            }
            stack.append((tensor, next + 1))
            let input = node.inputs[next]
            if input.requiresGrad && visited.insert(ObjectIdentifier(input)).inserted {
                stack.append((input, 0))
            }
        }
        var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed]
        for tensor in order.reversed() {
            guard let upstream = grads.removeValue(forKey: ObjectIdentifier(tensor)) else { continue }
            guard let node = tensor.node, let rule = node.backward else {
                tensor.accumulateGrad(upstream)
                continue
            }
            let inputGrads = rule(upstream)
            for (input, g) in zip(node.inputs, inputGrads) {
                guard let g, input.requiresGrad else { continue }
                if Anomaly.isEnabled { Anomaly.check(g, op: node.op, phase: .backward, modulePath: node.modulePath) }
                let key = ObjectIdentifier(input)
                if let existing = grads[key] {
                    grads[key] = existing + g
                } else {
                    grads[key] = g
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
            grad = g.copy()
        }
    }

    /// Sets ``grad`` to `nil` (PyTorch's `zero_grad(set_to_none=True)`).
    public func zeroGrad() { grad = nil }
}
