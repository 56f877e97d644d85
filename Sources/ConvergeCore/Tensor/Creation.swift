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
    /// A tensor of another tensor's shape filled with `value`.
    public static func full(like other: Tensor, value: Float) -> Tensor { full(other.shape, value: value) }

    /// `[start, start + step, …]` up to but excluding `end`, as PyTorch's `arange`.
    ///
    /// PyTorch receives Python (double) numbers, computes the length ⌈(end − start) / step⌉ and
    /// element `i` = `start + i · step` in double precision, and rounds each element to float32.
    /// To give the same values, each `Float` argument is read as the shortest decimal that rounds
    /// to it — the literal you wrote (`0.1`, not 0.100000001490116…) — before the double arithmetic.
    public static func arange(_ start: Float, _ end: Float, step: Float = 1) -> Tensor {
        precondition(step != 0, "arange: step must not be 0")
        precondition(start.isFinite && end.isFinite && step.isFinite, "arange: bounds \(start), \(end) and step \(step) must be finite")
        func decimal(_ x: Float) -> Double { Double(x.description) ?? Double(x) }
        let a = decimal(start), b = decimal(end), d = decimal(step)
        let n = Swift.max(0, Int(((b - a) / d).rounded(.up)))
        let t = Tensor(uninitializedShape: [n])
        let p = t.storage.pointer
        for i in 0..<n { p[i] = Float(a + Double(i) * d) }
        return t
    }
    /// `[0, 1, …, end − 1]`.
    public static func arange(_ end: Int) -> Tensor {
        precondition(end >= 0, "arange: end \(end) must not be negative")
        let t = Tensor(uninitializedShape: [end])
        let p = t.storage.pointer
        for i in 0..<end { p[i] = Float(i) }
        return t
    }

    /// Samples from N(mean, std²) drawn from `generator` (see ``RandomGenerator`` for the exact
    /// stream used: the same seed gives bit-identical tensors).
    public static func randomNormal(_ shape: [Int], mean: Float = 0, std: Float = 1,
                                    generator: RandomGenerator = Random.generator, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        generator.fillNormal(t.storage.buffer, mean: mean, std: std)
        t.requiresGrad = requiresGrad
        return t
    }

    /// Samples from U[low, high) drawn from `generator`.
    public static func randomUniform(_ shape: [Int], low: Float = 0, high: Float = 1,
                                     generator: RandomGenerator = Random.generator, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        generator.fillUniform(t.storage.buffer, low: low, high: high)
        t.requiresGrad = requiresGrad
        return t
    }

    /// 1 with probability `probability`, else 0, drawn from `generator` (dropout masks).
    public static func randomBernoulli(_ shape: [Int], probability: Float,
                                       generator: RandomGenerator = Random.generator) -> Tensor {
        precondition(probability >= 0 && probability <= 1, "randomBernoulli: probability \(probability) is outside [0, 1]")
        let t = Tensor(uninitializedShape: shape)
        generator.fillBernoulli(t.storage.buffer, probability: probability)
        return t
    }
}
