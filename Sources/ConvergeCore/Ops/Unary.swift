import Foundation

extension Tensor {
    /// Builds an elementwise op from its value `f(x)` and its derivative `df(x, y)` (y = f(x)).
    @inline(__always)
    func unary(_ op: String, _ f: (Float) -> Float, derivative: @escaping (Float, Float) -> Float) -> Tensor {
        let x = self
        let out = Tensor(uninitializedShape: shape)
        Kernels.map(storage.pointer, out.storage.pointer, count: count, f)
        let y = out.detached()
        return Tensor.result(out, op: op, inputs: [x]) { g in
            let gx = Tensor(uninitializedShape: x.shape)
            let px = x.storage.pointer, py = y.storage.pointer, pg = g.storage.pointer, po = gx.storage.pointer
            Parallel.forChunks(x.count) { r in for i in r { po[i] = pg[i] * derivative(px[i], py[i]) } }
            return [gx]
        }
    }

    /// e^x.
    public func exp() -> Tensor { unary("exp", { Foundation.exp($0) }, derivative: { _, y in y }) }
    /// Natural logarithm.
    public func log() -> Tensor { unary("log", { Foundation.log($0) }, derivative: { x, _ in 1 / x }) }
    /// Square root.
    public func sqrt() -> Tensor { unary("sqrt", { $0.squareRoot() }, derivative: { _, y in 0.5 / y }) }
    /// Absolute value (gradient 0 at 0, as PyTorch).
    public func abs() -> Tensor {
        unary("abs", { Swift.abs($0) }, derivative: { x, _ in x > 0 ? 1 : (x < 0 ? -1 : 0) })
    }
    /// Clamps into `[min, max]` (either bound may be omitted); the gradient passes where
    /// `min ≤ x ≤ max`.
    public func clamped(min low: Float? = nil, max high: Float? = nil) -> Tensor {
        let lo = low ?? -.infinity, hi = high ?? .infinity
        return unary("clamp", { x in x.isNaN ? x : Swift.min(Swift.max(x, lo), hi) },
                     derivative: { x, _ in x >= lo && x <= hi ? 1 : 0 })
    }
    /// max(0, x).
    public func relu() -> Tensor { unary("relu", { $0 > 0 ? $0 : 0 }, derivative: { x, _ in x > 0 ? 1 : 0 }) }
    /// x for x > 0, `negativeSlope · x` otherwise.
    public func leakyRelu(negativeSlope: Float = 0.01) -> Tensor {
        unary("leaky_relu", { $0 > 0 ? $0 : $0 * negativeSlope }, derivative: { x, _ in x > 0 ? 1 : negativeSlope })
    }
    /// 1 / (1 + e^−x), computed stably for large |x|.
    public func sigmoid() -> Tensor {
        unary("sigmoid", { x in
            if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
            let e = Foundation.exp(x)
            return e / (1 + e)
        }, derivative: { _, y in y * (1 - y) })
    }
    /// Hyperbolic tangent.
    public func tanh() -> Tensor { unary("tanh", { Foundation.tanh($0) }, derivative: { _, y in 1 - y * y }) }
    /// x · sigmoid(x) (also called swish).
    public func silu() -> Tensor {
        unary("silu", { x in x / (1 + Foundation.exp(-x)) }, derivative: { x, _ in
            let s = 1 / (1 + Foundation.exp(-x))
            return s * (1 + x * (1 - s))
        })
    }

    /// Which formula ``gelu(approximation:)`` uses.
    public enum GELUApproximation: String, Sendable { case none, tanh }

    /// Gaussian error linear unit: x·Φ(x) exactly, or PyTorch's tanh approximation.
    public func gelu(approximation: GELUApproximation = .none) -> Tensor {
        switch approximation {
        case .none:
            let invSqrt2: Float = 0.70710678118654752
            let invSqrt2Pi: Float = 0.39894228040143268
            return unary("gelu", { x in 0.5 * x * (1 + Foundation.erf(x * invSqrt2)) }, derivative: { x, _ in
                0.5 * (1 + Foundation.erf(x * invSqrt2)) + x * invSqrt2Pi * Foundation.exp(-0.5 * x * x)
            })
        case .tanh:
            let c: Float = 0.79788456080286536   // sqrt(2/pi)
            return unary("gelu", { x in
                0.5 * x * (1 + Foundation.tanh(c * (x + 0.044715 * x * x * x)))
            }, derivative: { x, _ in
                let inner = c * (x + 0.044715 * x * x * x)
                let t = Foundation.tanh(inner)
                return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)
            })
        }
    }

    /// x².
    public func squared() -> Tensor { self * self }
}
