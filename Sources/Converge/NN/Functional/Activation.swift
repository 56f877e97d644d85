import ConvergeCore
import Foundation

/// An elementwise activation function, as a value: for layers that fuse one
/// (``Linear/init(_:_:bias:activation:generator:)``), for recipes that name one, and to build the
/// matching module (``module()``).
public enum Activation: Equatable, Sendable, CustomStringConvertible {
    /// f(x) = x.
    case identity
    /// max(0, x).
    case relu
    /// x for x > 0, `negativeSlope`·x otherwise.
    case leakyRelu(negativeSlope: Float)
    /// x·Φ(x), exactly or with PyTorch's tanh approximation.
    case gelu(Tensor.GELUApproximation)
    /// x·sigmoid(x).
    case silu
    /// 1 / (1 + e^−x).
    case sigmoid
    /// tanh(x).
    case tanh

    /// Parses a recipe name: `identity`, `relu`, `leaky_relu` (slope 0.01), `gelu`, `gelu_tanh`,
    /// `silu` (or `swish`), `sigmoid`, `tanh`; `nil` for anything else.
    public init?(name: String) {
        switch name.lowercased() {
        case "identity", "linear", "none": self = .identity
        case "relu": self = .relu
        case "leaky_relu", "leakyrelu": self = .leakyRelu(negativeSlope: 0.01)
        case "gelu": self = .gelu(.none)
        case "gelu_tanh": self = .gelu(.tanh)
        case "silu", "swish": self = .silu
        case "sigmoid": self = .sigmoid
        case "tanh": self = .tanh
        default: return nil
        }
    }

    /// The recipe name (``init(name:)`` reads it back, up to a leaky ReLU's slope).
    public var description: String {
        switch self {
        case .identity: return "identity"
        case .relu: return "relu"
        case .leakyRelu: return "leaky_relu"
        case .gelu(let approximation): return approximation == .tanh ? "gelu_tanh" : "gelu"
        case .silu: return "silu"
        case .sigmoid: return "sigmoid"
        case .tanh: return "tanh"
        }
    }

    /// Applies the activation with the tensor op of the same name (differentiable).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .identity: return x
        case .relu: return x.relu()
        case .leakyRelu(let slope): return x.leakyRelu(negativeSlope: slope)
        case .gelu(let approximation): return x.gelu(approximation: approximation)
        case .silu: return x.silu()
        case .sigmoid: return x.sigmoid()
        case .tanh: return x.tanh()
        }
    }

    /// The module computing this activation (``ReLU``, ``GELU``, …).
    public func module() -> Module {
        switch self {
        case .identity: return Identity()
        case .relu: return ReLU()
        case .leakyRelu(let slope): return LeakyReLU(negativeSlope: slope)
        case .gelu(let approximation): return GELU(approximation: approximation)
        case .silu: return SiLU()
        case .sigmoid: return Sigmoid()
        case .tanh: return Tanh()
        }
    }

    /// Whether the derivative can be computed from the output alone (so a fused layer need not keep
    /// the pre-activation values).
    var derivativeFromOutput: Bool {
        switch self {
        case .identity, .relu, .sigmoid, .tanh: return true
        case .leakyRelu(let slope): return slope > 0
        case .gelu, .silu: return false
        }
    }

    /// `y[i] = f(z[i])` over `count` floats, leaving `z` as it is (for a fused layer that keeps
    /// the pre-activation values: no copy of them).
    func apply(_ z: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .gelu(.none): Kernels.gelu(z, y, count: count)
        default:
            y.update(from: z, count: count)
            applyInPlace(y, count: count)
        }
    }

    /// Applies the activation in place to `count` floats.
    func applyInPlace(_ p: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .identity: return
        case .relu: Kernels.map(p, p, count: count) { $0 > 0 ? $0 : 0 }
        case .leakyRelu(let slope): Kernels.map(p, p, count: count) { $0 > 0 ? $0 : $0 * slope }
        case .sigmoid:
            Kernels.map(p, p, count: count) { x in
                if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
                let e = Foundation.exp(x)
                return e / (1 + e)
            }
        case .tanh: Kernels.map(p, p, count: count) { Foundation.tanh($0) }
        case .silu: Kernels.map(p, p, count: count) { x in x / (1 + Foundation.exp(-x)) }
        case .gelu(.none): Kernels.gelu(p, p, count: count)
        case .gelu(.tanh):
            Kernels.map(p, p, count: count) { x in
                0.5 * x * (1 + Foundation.tanh(0.79788456080286536 * (x + 0.044715 * x * x * x)))
            }
        }
    }

    /// `out[i] = g[i] · f′` where f′ is computed from the output `y` (when
    /// ``derivativeFromOutput``) or the pre-activation `z`.
    func multiplyByDerivative(_ g: UnsafePointer<Float>, output y: UnsafePointer<Float>, preActivation z: UnsafePointer<Float>?,
                              _ out: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .identity: out.update(from: g, count: count)
        case .relu: Kernels.zip(g, y, out, count: count) { g, y in y > 0 ? g : 0 }
        case .leakyRelu(let slope):
            if let z { Kernels.zip(g, z, out, count: count) { g, z in z > 0 ? g : g * slope } } else {
                Kernels.zip(g, y, out, count: count) { g, y in y > 0 ? g : g * slope }
            }
        case .sigmoid: Kernels.zip(g, y, out, count: count) { g, y in g * (y * (1 - y)) }
        case .tanh: Kernels.zip(g, y, out, count: count) { g, y in g * (1 - y * y) }
        case .silu:
            Kernels.zip(g, z!, out, count: count) { g, x in
                let s = 1 / (1 + Foundation.exp(-x))
                return g * (s * (1 + x * (1 - s)))
            }
        case .gelu(.none): Kernels.geluBackward(g, input: z!, out, count: count)
        case .gelu(.tanh):
            Kernels.zip(g, z!, out, count: count) { g, x in
                let c: Float = 0.79788456080286536
                let t = Foundation.tanh(c * (x + 0.044715 * x * x * x))
                return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x))
            }
        }
    }
}
