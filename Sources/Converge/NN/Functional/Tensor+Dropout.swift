import ConvergeCore

extension Tensor {
    /// Inverted dropout as `nn.functional.dropout`: in training each element is kept with
    /// probability 1 − `probability` and scaled by 1 / (1 − `probability`), else zeroed; outside
    /// training (or with probability 0) the input is returned unchanged.
    ///
    /// The mask comes from `generator` (by default `Random.generator`), so the same seed gives
    /// the same masks. Each 64-bit draw decides two elements (32 bits each).
    /// - Precondition: `probability` is in [0, 1).
    public func dropout(probability: Float, training: Bool = true, generator: RandomGenerator = Random.generator) -> Tensor {
        precondition(probability >= 0 && probability < 1, "dropout: probability must be in [0, 1), got \(probability)")
        if !training || probability == 0 || count == 0 { return self }
        let x = self
        let mask = Tensor(uninitializedShape: shape)
        Tensor.fillDropoutMask(mask.storage.pointer, count: count, keep: 1 - Double(probability), generator: generator)
        let out = Tensor(uninitializedShape: shape)
        let px = storage.pointer, pm = mask.storage.pointer, po = out.storage.pointer
        Parallel.forChunks(count) { r in for i in r { po[i] = px[i] * pm[i] } }
        return Tensor.recording(out, op: "dropout", inputs: [x]) { gradient in
            let gx = Tensor(uninitializedShape: x.shape)
            let pg = gradient.storage.pointer, pgx = gx.storage.pointer, pm = mask.storage.pointer
            Parallel.forChunks(gx.count) { r in for i in r { pgx[i] = pg[i] * pm[i] } }
            return [gx]
        }
    }

    /// Writes `1 / keep` (kept) or 0 (dropped) into `count` floats. Element `2k` uses the low 32
    /// bits of the generator's `k`-th 64-bit draw and element `2k + 1` the high 32 bits; an
    /// element is kept when its 32-bit value is below `keep · 2³²`. The generator runs on local
    /// copies of its state (the same xoshiro256** steps as ``RandomGenerator/next()``), which is
    /// what makes mask generation cheap.
    static func fillDropoutMask(_ mask: UnsafeMutablePointer<Float>, count: Int, keep: Double, generator: RandomGenerator) {
        let threshold = UInt64((keep * 4_294_967_296).rounded(.down))
        let scaleBits = Float(1 / keep).bitPattern
        // Branch-free select: (v − threshold) wraps to a value with the top bit set exactly when
        // v < threshold, so the all-ones/all-zeros mask keeps or clears the scale's bits (random
        // branches would mispredict a third of the time).
        @inline(__always) func value(_ v: UInt64) -> Float {
            Float(bitPattern: scaleBits & (0 &- UInt32(truncatingIfNeeded: (v &- threshold) >> 63)))
        }
        var s0 = generator.state[0], s1 = generator.state[1], s2 = generator.state[2], s3 = generator.state[3]
        @inline(__always) func next() -> UInt64 {
            let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
            let t = s1 << 17
            s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t
            s3 = s3 << 45 | s3 >> 19
            return result
        }
        let pairs = count / 2
        for k in 0..<pairs {
            let bits = next()
            mask[2 * k] = value(bits & 0xFFFF_FFFF)
            mask[2 * k + 1] = value(bits >> 32)
        }
        if count % 2 == 1 { mask[count - 1] = value(next() & 0xFFFF_FFFF) }
        generator.state = [s0, s1, s2, s3]
    }
}
