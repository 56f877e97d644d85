/// A named weight-initialization scheme, as recipes (`model.mlp.init`) and `converge init-check`
/// spell it. Both read the names the same way:
///
/// | name | weights |
/// | --- | --- |
/// | `default` | PyTorch's `nn.Linear` default, U(−1/√fan_in, 1/√fan_in) |
/// | `he` | He/Kaiming normal, N(0, gain²/fan_in) (PyTorch's `kaiming_normal_`) |
/// | `xavier-normal` | Xavier/Glorot normal, N(0, gain² · 2/(fan_in + fan_out)) (`xavier_normal_`) |
/// | `xavier-uniform` | Xavier/Glorot uniform, U(−b, b), b = gain · √(6/(fan_in + fan_out)) (`xavier_uniform_`) |
/// | `xavier` | the same as `xavier-normal` (the seed's §7.2.5 experiment uses `xavier_normal_`) |
/// | `orthogonal` | a random orthogonal matrix times the gain (`orthogonal_`) |
/// | `normal-0.01` | N(0, 0.01²): too small, the seed's `too_small` |
/// | `normal-1.0` | N(0, 1): too large, the seed's `too_large` |
///
/// The gain is what the caller passes: `init-check` uses PyTorch's defaults (ReLU's √2 for `he`,
/// 1 otherwise); a recipe uses ``calculateGain(_:negativeSlope:)`` of its activation.
public enum InitializationScheme: String, CaseIterable, Sendable {
    /// He/Kaiming normal (fan-in).
    case he
    /// Xavier/Glorot normal; `xavier` is read as this.
    case xavierNormal = "xavier-normal"
    /// Xavier/Glorot uniform.
    case xavierUniform = "xavier-uniform"
    /// N(0, 0.01²) (too small).
    case normalSmall = "normal-0.01"
    /// N(0, 1) (too large).
    case normalLarge = "normal-1.0"
    /// A random orthogonal matrix.
    case orthogonal
    /// PyTorch's `nn.Linear` default (the weights are left as the layer made them).
    case `default`

    /// `xavier`: the same scheme as ``xavierNormal``.
    public static let xavier = InitializationScheme.xavierNormal

    /// Reads a scheme by name: one of the raw values, or `xavier` (``xavierNormal``).
    public init?(name: String) {
        if name == "xavier" { self = .xavierNormal; return }
        self.init(rawValue: name)
    }

    /// Every accepted name, `xavier` included, for help texts and error messages.
    public static let names: [String] = ["default", "he", "xavier", "xavier-normal", "xavier-uniform",
                                         "orthogonal", "normal-0.01", "normal-1.0"]

    /// The initializer this scheme applies to a weight (nil for ``default``: keep the layer's).
    ///
    /// - Parameters:
    ///   - gain: the gain of the Xavier and orthogonal schemes.
    ///   - negativeSlope: a leaky ReLU's slope for `he` (0: ReLU).
    public func initializer(gain: Float = 1, negativeSlope: Float = 0) -> Initializer? {
        switch self {
        case .he: return .kaimingNormal(a: negativeSlope, mode: .fanIn, nonlinearity: negativeSlope == 0 ? .relu : .leakyRelu)
        case .xavierNormal: return .xavierNormal(gain: gain)
        case .xavierUniform: return .xavierUniform(gain: gain)
        case .normalSmall: return .normal(mean: 0, std: 0.01)
        case .normalLarge: return .normal(mean: 0, std: 1)
        case .orthogonal: return .orthogonal(gain: gain)
        case .default: return nil
        }
    }
}
