import ConvergeCore

extension Tensor {
    /// A copy of this tensor held in bfloat16 storage (2 bytes per element), PyTorch's
    /// `x.to(torch.bfloat16)`: values rounded to nearest, ties to even.
    ///
    /// Differentiable: the gradient passes straight through to this tensor. Autocast casts each
    /// weight once per forward pass with it, so the matrix products of the forward and backward
    /// passes read the same bfloat16 copy without converting it again.
    ///
    /// For a trainable leaf (a master weight) the copy is kept between steps
    /// (``BFloat16WeightCache``): ``Adam`` and ``AdamW`` rewrite it in their update pass, and the
    /// next call returns it without converting, as long as no other write has touched the master
    /// since (its ``TensorStorage/version``). The copy is the same bits a fresh conversion gives.
    public func castToBFloat16() -> Tensor {
        if storage.bfloat16Bits != nil { return self }
        let cacheable = isLeaf && requiresGrad
        let cache = BFloat16WeightCache.shared
        let out: Tensor
        if cacheable, let copy = cache.freshCopy(of: storage) {
            out = Tensor(shape: shape, storage: copy)
        } else {
            out = Tensor(shape: shape, storage: TensorStorage(uninitializedCount: count, elementType: .bfloat16))
            Kernels.convertToBFloat16(storage.pointer, out.storage.bfloat16Bits!, count: count)
            if cacheable { cache.register(storage) }
        }
        return Tensor.recording(out, op: "to_bfloat16", inputs: [self]) { gradient in [gradient] }
    }

    /// The operand the bfloat16 GEMM reads for this tensor: its bfloat16 storage as it is, or
    /// its float32 values (rounded on the way in).
    var gemmOperand: GEMMOperand {
        if let bits = storage.bfloat16Bits { return .bfloat16(UnsafePointer(bits)) }
        return .float32(UnsafePointer(storage.pointer))
    }

    /// `activation(x · Wᵀ + b)` under bfloat16 autocast (PyTorch's CPU autocast runs `linear`
    /// in its lower-precision list): one bfloat16 GEMM with float32 accumulation, the bias and the
    /// activation applied in float32, and the result stored in **bfloat16 storage**.
    ///
    /// `weight` (and `x`) may be bfloat16 storage already (a weight cast once per step with
    /// ``castToBFloat16()``, the bfloat16 output of a previous layer); float32 operands are
    /// rounded to bfloat16 first. A float32 input is converted once and that copy serves the
    /// weight gradient too. The backward pass rounds the upstream gradient to bfloat16 once and
    /// runs both gradient products in bfloat16; the weight and bias gradients are rounded to
    /// bfloat16 values, as the gradients of PyTorch's bfloat16 weight copies are.
    public func bfloat16Linear(weight: Tensor, bias: Tensor?, activation: Activation = .identity) -> Tensor {
        let resultShape: [Int]
        do { resultShape = try ShapeCheck.linear(input: shape, weight: weight.shape, bias: bias?.shape) } catch {
            fatalError("\(error)")
        }
        let inFeatures = weight.shape[1], outFeatures = weight.shape[0]
        let rows = Shape.count(shape, 0..<(rank - 1))
        let recordsGraph = GradMode.isEnabled && (requiresGrad || weight.requiresGrad || bias?.requiresGrad == true)
        // The input as bfloat16: used by the forward product and kept for the weight gradient.
        let x16: Tensor
        if storage.bfloat16Bits != nil || !(recordsGraph && weight.requiresGrad) {
            x16 = self
        } else {
            x16 = Tensor(shape: shape, storage: TensorStorage(uninitializedCount: count, elementType: .bfloat16))
            Kernels.convertToBFloat16(storage.pointer, x16.storage.bfloat16Bits!, count: count)
        }
        let accumulator = Tensor(uninitializedShape: resultShape)   // float32 scratch, back to the pool after
        let pc = accumulator.storage.pointer
        Kernels.gemmBFloat16(transA: false, transB: true, m: rows, n: outFeatures, k: inFeatures, alpha: 1,
                             a: x16.gemmOperand, lda: inFeatures, b: weight.gemmOperand, ldb: inFeatures,
                             beta: 0, c: pc, ldc: outFeatures)
        let preActivation: Tensor? = recordsGraph && !activation.derivativeFromOutput ? Tensor(uninitializedShape: resultShape) : nil
        let out = Tensor(shape: resultShape, storage: TensorStorage(uninitializedCount: rows * outFeatures, elementType: .bfloat16))
        let po = out.storage.bfloat16Bits!
        let biasValues: UnsafePointer<Float>? = bias.map { UnsafePointer($0.storage.pointer) }
        Self.linearEpilogue(pc, bias: biasValues, rows: rows, columns: outFeatures, activation: activation,
                            preActivation: preActivation?.storage.pointer, into: po)
        let y = out.detached()
        let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
        let x = self
        return Tensor.recording(out, op: activation == .identity ? "linear_bf16" : "linear_\(activation)_bf16",
                                inputs: inputs) { gradient in
            // The pre-activation gradient, rounded to bfloat16 once for both products.
            let count = rows * outFeatures
            let g16 = Tensor(shape: y.shape, storage: TensorStorage(uninitializedCount: count, elementType: .bfloat16))
            let pg16 = g16.storage.bfloat16Bits!
            var biasGradient: Tensor?
            if activation == .identity, let bits = gradient.storage.bfloat16Bits {
                pg16.update(from: bits, count: count)
            } else if activation == .identity {
                Kernels.convertToBFloat16(gradient.storage.pointer, pg16, count: count)
            } else if activation == .relu {
                // One pass: the ReLU mask read off the bfloat16 output, the product rounded to bfloat16.
                Kernels.reluBackwardToBFloat16(gradient: gradient.gemmOperand, output: y.gemmOperand, into: pg16, count: count)
            } else if activation == .gelu(.none), let z = preActivation {
                // One pass: GELU's derivative at the pre-activation, the product rounded to bfloat16.
                Kernels.geluBackwardToBFloat16(gradient.storage.pointer, input: z.storage.pointer, into: pg16, count: count)
            } else {
                let gz = Tensor(uninitializedShape: y.shape)
                let yf = Tensor(uninitializedShape: y.shape)
                if let bits = y.storage.bfloat16Bits {
                    Kernels.convertFromBFloat16(bits, yf.storage.pointer, count: count)
                } else {
                    yf.storage.pointer.update(from: y.storage.pointer, count: count)
                }
                activation.multiplyByDerivative(gradient.storage.pointer, output: yf.storage.pointer,
                                                preActivation: preActivation.map { UnsafePointer($0.storage.pointer) },
                                                gz.storage.pointer, count: count)
                Kernels.convertToBFloat16(gz.storage.pointer, pg16, count: count)
            }
            if let bias, bias.requiresGrad {
                let gb = Tensor(uninitializedShape: bias.shape)
                Kernels.columnSums(bfloat16: pg16, rows: rows, columns: outFeatures, into: gb.storage.pointer)
                Kernels.roundToBFloat16InPlace(gb.storage.pointer, count: outFeatures)
                biasGradient = gb
            }
            var grads: [Tensor?] = []
            grads.reserveCapacity(3)
            if x.requiresGrad {
                let gx = Tensor(uninitializedShape: x.shape)
                Kernels.gemmBFloat16(transA: false, transB: false, m: rows, n: inFeatures, k: outFeatures, alpha: 1,
                                     a: .bfloat16(UnsafePointer(pg16)), lda: outFeatures, b: weight.gemmOperand, ldb: inFeatures,
                                     beta: 0, c: gx.storage.pointer, ldc: inFeatures)
                grads.append(gx)
            } else { grads.append(nil) }
            if weight.requiresGrad {
                let gw = Tensor(uninitializedShape: weight.shape)
                Kernels.gemmBFloat16(transA: true, transB: false, m: outFeatures, n: inFeatures, k: rows, alpha: 1,
                                     a: .bfloat16(UnsafePointer(pg16)), lda: outFeatures, b: x16.gemmOperand, ldb: inFeatures,
                                     beta: 0, c: gw.storage.pointer, ldc: inFeatures)
                Kernels.roundToBFloat16InPlace(gw.storage.pointer, count: gw.count)
                grads.append(gw)
            } else { grads.append(nil) }
            if bias != nil { grads.append(biasGradient) }
            return grads
        }
    }

    /// `out = bfloat16(activation(c + bias))` over a `rows × columns` float32 block, keeping
    /// `c + bias` in `preActivation` when given. Identity and ReLU run in one pass of the C kernel
    /// (``Kernels/biasActivationToBFloat16(_:bias:rows:columns:relu:into:)``), which leaves `c` as it is.
    static func linearEpilogue(_ c: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, rows: Int, columns: Int,
                               activation: Activation, preActivation: UnsafeMutablePointer<Float>?,
                               into out: UnsafeMutablePointer<UInt16>) {
        let count = rows * columns
        if activation == .identity || activation == .relu {
            Kernels.biasActivationToBFloat16(c, bias: bias, rows: rows, columns: columns, relu: activation == .relu, into: out)
            return
        }
        if activation == .gelu(.none) {
            // One pass of the C kernel: bias, pre-activation, GELU and rounding.
            Kernels.biasGELUToBFloat16(c, bias: bias, rows: rows, columns: columns, preActivation: preActivation, into: out)
            return
        }
        if let bias {
            for r in 0..<rows {
                let row = c + r * columns
                for j in 0..<columns { row[j] += bias[j] }
            }
        }
        preActivation?.update(from: c, count: count)
        activation.applyInPlace(c, count: count)
        Kernels.convertToBFloat16(c, out, count: count)
    }
}
