import ConvergeCore

extension Tensor {
    /// `activation(x · Wᵀ + b)` as one fused op: one GEMM into the output buffer, the activation
    /// applied in place, and a backward that turns the upstream gradient into the
    /// pre-activation gradient once before the two GEMMs. For ReLU, sigmoid, tanh and leaky ReLU
    /// no pre-activation copy is kept (the derivative is read off the output).
    public func linear(weight: Tensor, bias: Tensor?, activation: Activation) -> Tensor {
        if activation == .identity { return linear(weight: weight, bias: bias) }
        precondition(weight.rank == 2, "linear: weight must be 2-D, got shape \(weight.shape)")
        let inFeatures = weight.shape[1], outFeatures = weight.shape[0]
        precondition(rank >= 1 && shape[rank - 1] == inFeatures,
                     "linear: input of shape \(shape) does not fit weight of shape \(weight.shape) (last dimension must be \(inFeatures))")
        if let bias { precondition(bias.shape == [outFeatures], "linear: bias of shape \(bias.shape) does not fit weight of shape \(weight.shape)") }
        let x = self
        let rows = count / inFeatures
        let out = Tensor(uninitializedShape: Array(shape.dropLast()) + [outFeatures])
        let po = out.storage.pointer
        if let bias {
            for r in 0..<rows { (po + r * outFeatures).update(from: bias.storage.pointer, count: outFeatures) }
        }
        Kernels.gemm(transA: false, transB: true, m: rows, n: outFeatures, k: inFeatures, alpha: 1,
                     a: storage.pointer, lda: inFeatures, b: weight.storage.pointer, ldb: inFeatures,
                     beta: bias == nil ? 0 : 1, c: po, ldc: outFeatures)
        let recordsGraph = GradMode.isEnabled && (requiresGrad || weight.requiresGrad || bias?.requiresGrad == true)
        let preActivation: Tensor? = recordsGraph && !activation.derivativeFromOutput ? out.copy() : nil
        activation.applyInPlace(po, count: out.count)
        let y = out.detached()
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        return Tensor.recording(out, op: "linear_\(activation)", inputs: inputs) { gradient in
            let gz = Tensor(uninitializedShape: y.shape)
            activation.multiplyByDerivative(gradient.storage.pointer, output: y.storage.pointer,
                                            preActivation: preActivation.map { UnsafePointer($0.storage.pointer) },
                                            gz.storage.pointer, count: gz.count)
            var grads: [Tensor?] = []
            if x.requiresGrad {
                let gx = Tensor(uninitializedShape: x.shape)
                Kernels.gemm(transA: false, transB: false, m: rows, n: inFeatures, k: outFeatures, alpha: 1,
                             a: gz.storage.pointer, lda: outFeatures, b: weight.storage.pointer, ldb: inFeatures,
                             beta: 0, c: gx.storage.pointer, ldc: inFeatures)
                grads.append(gx)
            } else { grads.append(nil) }
            if weight.requiresGrad {
                let gw = Tensor(uninitializedShape: weight.shape)
                Kernels.gemm(transA: true, transB: false, m: outFeatures, n: inFeatures, k: rows, alpha: 1,
                             a: gz.storage.pointer, lda: outFeatures, b: x.storage.pointer, ldb: inFeatures,
                             beta: 0, c: gw.storage.pointer, ldc: inFeatures)
                grads.append(gw)
            } else { grads.append(nil) }
            if let bias {
                if bias.requiresGrad {
                    let gb = Tensor.zeros([outFeatures])
                    let pgb = gb.storage.pointer, pgz = gz.storage.pointer
                    for r in 0..<rows { let row = pgz + r * outFeatures; for j in 0..<outFeatures { pgb[j] += row[j] } }
                    grads.append(gb)
                } else { grads.append(nil) }
            }
            return grads
        }
    }
}
