extension Tensor {
    /// A tensor of `shape` filled with `value`.
    public static func full(_ shape: [Int], value: Float, requiresGrad: Bool = false) -> Tensor {
        Tensor(shape: shape, storage: TensorStorage(count: Shape.count(shape), repeating: value), requiresGrad: requiresGrad)
    }
    /// Zeros.
    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor { full(shape, value: 0, requiresGrad: requiresGrad) }
    /// Ones.
    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor { full(shape, value: 1, requiresGrad: requiresGrad) }
    /// Zeros of another tensor's shape.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape) }
    /// Ones of another tensor's shape.
    public static func ones(like other: Tensor) -> Tensor { ones(other.shape) }

    /// `[start, start + step, …]` up to but excluding `end`.
    public static func arange(_ start: Float, _ end: Float, step: Float = 1) -> Tensor {
        precondition(step != 0, "arange: step must not be 0")
        let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return Tensor((0..<n).map { start + Float($0) * step })
    }
    /// `[0, 1, …, end − 1]`.
    public static func arange(_ end: Int) -> Tensor { Tensor((0..<end).map { Float($0) }) }

    /// Samples from N(mean, std²).
    public static func randomNormal(_ shape: [Int], mean: Float = 0, std: Float = 1,
                                    generator: RandomGenerator = Random.generator, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        generator.fillNormal(t.storage.buffer, mean: mean, std: std)
        t.requiresGrad = requiresGrad
        return t
    }

    /// Samples from U[low, high).
    public static func randomUniform(_ shape: [Int], low: Float = 0, high: Float = 1,
                                     generator: RandomGenerator = Random.generator, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        generator.fillUniform(t.storage.buffer, low: low, high: high)
        t.requiresGrad = requiresGrad
        return t
    }

    /// 1 with probability `probability`, else 0.
    public static func randomBernoulli(_ shape: [Int], probability: Float,
                                       generator: RandomGenerator = Random.generator) -> Tensor {
        precondition(probability >= 0 && probability <= 1, "randomBernoulli: probability \(probability) is outside [0, 1]")
        let t = Tensor(uninitializedShape: shape)
        let p = t.storage.pointer
        for i in 0..<t.count { p[i] = generator.nextUniform() < probability ? 1 : 0 }
        return t
    }
}
