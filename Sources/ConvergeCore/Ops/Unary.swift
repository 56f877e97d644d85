import Foundation

/// An elementwise function with its derivative, specialized into tight loops (no closure call per
/// element, forward or backward).
protocol DifferentiableUnary {
    /// The op name used in the graph and in anomaly reports.
    static var name: String { get }
    /// `y = f(x)`.
    static func value(_ x: Float) -> Float
    /// The input gradient `g · f′(x)`, given `x` and `y = f(x)`.
    static func gradient(_ g: Float, _ x: Float, _ y: Float) -> Float
}

enum ExpOp: DifferentiableUnary {
    static let name = "exp"
    @inline(__always) static func value(_ x: Float) -> Float { Kernels.exp(x) }
    @inline(__always) static func gradient(_ g: Float, _ x: Float, _ y: Float) -> Float { g * y }
}

enum LogOp: DifferentiableUnary {
    static let name = "log"
    @inline(__always) static func value(_ x: Float) -> Float { Foundation.log(x) }
    @inline(__always) static func gradient(_ g: Float, _ x: Float, _ y: Float) -> Float { g / x }
}

enum SqrtOp: DifferentiableUnary {
    static let name = "sqrt"
    @inline(__always) static func value(_ x: Float) -> Float { x.squareRoot() }
    @inline(__always) static func gradient(_ g: Float, _ x: Float, _ y: Float) -> Float { g / (2 * y) }
}

enum AbsOp: DifferentiableUnary {
    static let name = "abs"
    @inline(__always) static func value(_ x: Float) -> Float { Swift.abs(x) }
    @inline(__always) static func gradient(_ g: Float, _ x: Float, _ y: Float) -> Float {
        x > 0 ? g : (x < 0 ? -g : 0)
    }
}

enum ReLUOp: DifferentiableUnary {
    static let name = "relu"
    @inline(__always) static func value(_ x: Float) -> Float { x > 0 ? x : (x.isNaN ? x : 0) }
    @inline(__always) static func gradient(_ g: Float, _ x: Float, _ y: Float) -> Float { y > 0 ? g : 0 }
}

enum SigmoidOp: DifferentiableUnary {
    static let name = "sigmoid"
    @inline(__always) static func value(_ x: Float) -> Float { 1 / (1 + Kernels.exp(-x)) }
    @inline(__always) static func gradient(_ g: Float, _ x: Float, _ y: Float) -> Float { g * ((1 - y) * y) }
}

enum TanhOp: DifferentiableUnary {
    static let name = "tanh"
    @inline(__always) static func value(_ x: Float) -> Float { Foundation.tanh(x) }
    @inline(__always) static func gradient(_ g: Float, _ x: Float, _ y: Float) -> Float { g * (1 - y * y) }
}

enum SiLUOp: DifferentiableUnary {
    static let name = "silu"
    @inline(__always) static func value(_ x: Float) -> Float { x / (1 + Kernels.exp(-x)) }
    @inline(__always) static func gradient(_ g: Float, _ x: Float, _ y: Float) -> Float {
        let s = 1 / (1 + Kernels.exp(-x))
        return g * s * (1 + x * (1 - s))
    }
}

/// The exact GELU as a scalar rule (the reference the C kernels behind ``Tensor/gelu(approximation:)`` are tested against).
enum GELUOp: DifferentiableUnary {
    static let name = "gelu"
    static let invSqrt2: Float = 0.70710678118654752
    static let invSqrt2Pi: Float = 0.39894228040143268
    @inline(__always) static func value(_ x: Float) -> Float { x * 0.5 * (1 + Foundation.erf(x * invSqrt2)) }
    @inline(__always) static func gradient(_ g: Float, _ x: Float, _ y: Float) -> Float {
        let cdf = 0.5 * (1 + Foundation.erf(x * invSqrt2))
        let pdf = Kernels.exp(-0.5 * x * x) * invSqrt2Pi
        return g * (cdf + x * pdf)
    }
}

enum GELUTanhOp: DifferentiableUnary {
    static let name = "gelu"
    static let beta: Float = 0.79788456080286536   // √(2/π)
    static let kappa: Float = 0.044715
    @inline(__always) static func value(_ x: Float) -> Float {
        let inner = beta * (x + kappa * x * x * x)
        return 0.5 * x * (1 + Foundation.tanh(inner))
    }
    @inline(__always) static func gradient(_ g: Float, _ x: Float, _ y: Float) -> Float {
        let x2 = x * x
        let inner = beta * (x + kappa * x2 * x)
        let t = Foundation.tanh(inner)
        let left = 0.5 * x, right = 1 + t
        let dLeft = 0.5 * right
        let dRight = left * (1 - t * t) * beta * (1 + 3 * kappa * x2)
        return g * (dLeft + dRight)
    }
}

extension Tensor {
    /// Applies `F` elementwise and records its derivative rule.
    func unary<F: DifferentiableUnary>(_: F.Type) -> Tensor {
        let x = self
        let out = Tensor(uninitializedShape: shape)
        let px = storage.pointer, po = out.storage.pointer
        Parallel.forChunks(count) { r in for i in r { po[i] = F.value(px[i]) } }
        let y = out.detached()
        return Tensor.result(out, op: F.name, inputs: [x]) { g in
            let gx = Tensor(uninitializedShape: x.shape)
            let px = x.storage.pointer, py = y.storage.pointer, pg = g.storage.pointer, pgx = gx.storage.pointer
            Parallel.forChunks(x.count) { r in for i in r { pgx[i] = F.gradient(pg[i], px[i], py[i]) } }
            return [gx]
        }
    }

    /// e^x.
    public func exp() -> Tensor { unary(ExpOp.self) }
    /// Natural logarithm (NaN for negative inputs, −∞ at 0).
    public func log() -> Tensor { unary(LogOp.self) }
    /// Square root (NaN for negative inputs; the gradient at 0 is +∞, as in PyTorch).
    public func sqrt() -> Tensor { unary(SqrtOp.self) }
    /// Absolute value (gradient 0 at 0, as PyTorch).
    public func abs() -> Tensor { unary(AbsOp.self) }
    /// max(0, x) (NaN stays NaN; the gradient at 0 is 0).
    public func relu() -> Tensor { unary(ReLUOp.self) }
    /// 1 / (1 + e^−x); saturates to exactly 0 or 1 for large |x| without overflow trouble.
    public func sigmoid() -> Tensor { unary(SigmoidOp.self) }
    /// Hyperbolic tangent.
    public func tanh() -> Tensor { unary(TanhOp.self) }
    /// x · sigmoid(x) (also called swish).
    public func silu() -> Tensor { unary(SiLUOp.self) }

    /// Clamps into `[min, max]` (either bound may be omitted); NaN stays NaN. The gradient passes
    /// where `min ≤ x ≤ max`, as in PyTorch.
    public func clamped(min low: Float? = nil, max high: Float? = nil) -> Tensor {
        let lo = low ?? -.infinity, hi = high ?? .infinity
        let x = self
        let out = Tensor(uninitializedShape: shape)
        Kernels.map(storage.pointer, out.storage.pointer, count: count) { v in
            v.isNaN ? v : Swift.min(Swift.max(v, lo), hi)
        }
        return Tensor.result(out, op: "clamp", inputs: [x]) { g in
            let gx = Tensor(uninitializedShape: x.shape)
            Kernels.zip(g.storage.pointer, x.storage.pointer, gx.storage.pointer, count: x.count) { g, v in
                v >= lo && v <= hi ? g : 0
            }
            return [gx]
        }
    }

    /// x for x > 0, `negativeSlope · x` otherwise.
    public func leakyRelu(negativeSlope: Float = 0.01) -> Tensor {
        let x = self
        let out = Tensor(uninitializedShape: shape)
        Kernels.map(storage.pointer, out.storage.pointer, count: count) { v in v > 0 ? v : v * negativeSlope }
        return Tensor.result(out, op: "leaky_relu", inputs: [x]) { g in
            let gx = Tensor(uninitializedShape: x.shape)
            Kernels.zip(g.storage.pointer, x.storage.pointer, gx.storage.pointer, count: x.count) { g, v in
                v > 0 ? g : g * negativeSlope
            }
            return [gx]
        }
    }

    /// Which formula ``gelu(approximation:)`` uses.
    public enum GELUApproximation: String, Sendable { case none, tanh }

    /// Gaussian error linear unit: x·Φ(x) exactly, or PyTorch's tanh approximation. The exact
    /// form runs the C kernels (``Kernels/gelu(_:_:count:)`` and
    /// ``Kernels/geluBackward(_:input:_:count:)``: a vector erf within 2.04 ulp).
    public func gelu(approximation: GELUApproximation = .none) -> Tensor {
        switch approximation {
        case .none:
            let x = self
            let out = Tensor(uninitializedShape: shape)
            Kernels.gelu(storage.pointer, out.storage.pointer, count: count)
            return Tensor.result(out, op: GELUOp.name, inputs: [x]) { g in
                let gx = Tensor(uninitializedShape: x.shape)
                Kernels.geluBackward(g.storage.pointer, input: x.storage.pointer, gx.storage.pointer, count: x.count)
                return [gx]
            }
        case .tanh: return unary(GELUTanhOp.self)
        }
    }

    /// x².
    public func squared() -> Tensor { pow(2) }
}
