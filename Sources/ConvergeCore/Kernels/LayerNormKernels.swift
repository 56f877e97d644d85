internal import CConvergeKernels

extension Kernels {
    /// Layer normalization of `rows` contiguous rows of `d` floats with the C kernel, on the
    /// calling thread: mean μ and biased variance σ² of each row in float32 (two passes),
    /// `rstd = 1/√(σ² + epsilon)`, `y = (x − μ)·rstd·weight + bias` (either may be nil). Writes
    /// μ and rstd of each row into `mean` and `rstd`. `y` may be `x`.
    public static func layerNormRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                                     weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
                                     mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
                                     rows: Int, d: Int, epsilon: Float) {
        cv_layernorm_forward(x, y, weight, bias, mean, rstd, rows, d, epsilon)
    }

    /// The backward pass of ``layerNormRows(_:_:weight:bias:mean:rstd:rows:d:epsilon:)`` for
    /// output gradient `g`, on the calling thread, with `x̂ = (x − μ)·rstd` and `ĝ = g·weight`
    /// (`g` without a weight): `gx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂))` when `gx` is given, and
    /// these rows' weight and bias gradients **added** into `weightGradient` (Σ g·x̂) and
    /// `biasGradient` (Σ g) when given.
    public static func layerNormRowsBackward(_ g: UnsafePointer<Float>, input x: UnsafePointer<Float>,
                                             mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
                                             weight: UnsafePointer<Float>?, inputGradient gx: UnsafeMutablePointer<Float>?,
                                             weightGradient gw: UnsafeMutablePointer<Float>?,
                                             biasGradient gb: UnsafeMutablePointer<Float>?, rows: Int, d: Int) {
        cv_layernorm_backward(g, x, mean, rstd, weight, gx, gw, gb, rows, d)
    }
}
