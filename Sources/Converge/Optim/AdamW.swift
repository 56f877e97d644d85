import ConvergeCore

/// Adam with decoupled weight decay (Loshchilov & Hutter, 2019), following PyTorch's
/// `torch.optim.AdamW`: before the Adam step the weights are shrunk, `θ ← θ·(1 − η·λ)`, and the
/// gradient that feeds the moments is the loss gradient alone.
///
/// Why Adam + L2 ≠ AdamW: L2 regularization adds λ·θ to the gradient, and Adam then divides the
/// whole gradient by √v̂. A weight whose loss gradient is large has a large √v̂, so its decay term
/// is divided by a large number and it is barely regularized; a weight with tiny gradients is
/// decayed hard. The regularization strength ends up tied to the gradient history, and the decay
/// term also leaks into the moment estimates. Decoupled weight decay shrinks every weight by the
/// same factor `1 − η·λ` per step, independent of the adaptive scaling. (For plain SGD the two are
/// the same update, which is why the distinction only appears with adaptive optimizers.) Typical
/// values differ too: L2 with Adam uses λ ≈ 1e-4, AdamW λ ≈ 1e-2.
public final class AdamW: Adam {
    /// Creates AdamW over `parameters` (one group).
    public convenience init(_ parameters: [Tensor], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 1e-2, amsgrad: Bool = false) {
        self.init([ParameterGroup(parameters)], learningRate: learningRate, betas: betas, eps: eps,
                  weightDecay: weightDecay, amsgrad: amsgrad)
    }

    /// Creates AdamW over parameter groups; the arguments are the defaults for fields a group leaves `nil`.
    public convenience init(_ groups: [ParameterGroup], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 1e-2, amsgrad: Bool = false) {
        self.init(groups, learningRate: learningRate, betas: betas, eps: eps, weightDecay: weightDecay,
                  amsgrad: amsgrad, decoupledWeightDecay: true)
    }
}
