import ConvergeCore

extension Tensor {
    /// `activation(x · Wᵀ + b)` as one fused op: one GEMM into the output buffer, the activation
    /// applied in place, and a backward that turns the upstream gradient into the
    /// pre-activation gradient once before the two GEMMs. For ReLU, sigmoid, tanh and leaky ReLU
    /// no pre-activation copy is kept (the derivative is read off the output).
    public func linear(weight: Tensor, bias: Tensor?, activation: Activation) -> Tensor {
        if activation == .identity { return linear(weight: weight, bias: bias) }
        let x = self
        let recordsGraph = GradMode.isEnabled && (requiresGrad || weight.requiresGrad || bias?.requiresGrad == true)
        var out = linearOutput(weight: weight, bias: bias)
        var preActivation: Tensor?
        let relu = activation == .relu
        if recordsGraph && !activation.derivativeFromOutput {
            // Keep the product as the pre-activation and write the activation beside it (no copy).
            preActivation = out
            out = Tensor(uninitializedShape: out.shape)
            activation.apply(preActivation!.storage.pointer, into: out.storage.pointer, count: out.count)
        } else if relu {
            Kernels.linearReLUInPlace(out.storage.pointer, count: out.count)   // C, the same rule
        } else {
            activation.applyInPlace(out.storage.pointer, count: out.count)
        }
        let y = out.detached()
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        return Tensor.recording(out, op: "linear_\(activation)", inputs: inputs) { gradient in
            let gz = Tensor(uninitializedShape: y.shape)
            if relu {
                Kernels.linearReLUBackward(gradient.storage.pointer, output: y.storage.pointer, into: gz.storage.pointer, count: gz.count)
            } else {
                activation.multiplyByDerivative(gradient.storage.pointer, output: y.storage.pointer,
                                                preActivation: preActivation.map { UnsafePointer($0.storage.pointer) },
                                                gz.storage.pointer, count: gz.count)
            }
            return Tensor.linearGradients(upstream: gz, input: x, weight: weight, bias: bias)
        }
    }
}
