import ConvergeCore

extension Tensor {
    /// Inverted dropout as `nn.functional.dropout`: in training each element is kept with
    /// probability 1 − `probability` and scaled by 1 / (1 − `probability`), else zeroed; outside
    /// training (or with probability 0) the input is returned unchanged.
    ///
    /// The mask is a ``DropoutMask`` whose key is one draw of `generator` (by default
    /// `Random.generator`), so the same seed gives the same masks, on any number of threads.
    /// Nothing is saved for the backward pass: it redraws the mask from its key.
    /// - Precondition: `probability` is in [0, 1).
    public func dropout(probability: Float, training: Bool = true, generator: RandomGenerator = Random.generator) -> Tensor {
        precondition(probability >= 0 && probability < 1, "dropout: probability must be in [0, 1), got \(probability)")
        if !training || probability == 0 || count == 0 { return self }
        let x = self
        let mask = DropoutMask(keep: 1 - Double(probability), generator: generator)
        let out = Tensor(uninitializedShape: shape)
        mask.applyInParallel(storage.pointer, out.storage.pointer, count: count)
        return Tensor.recording(out, op: "dropout", inputs: [x]) { gradient in
            let gx = Tensor(uninitializedShape: x.shape)
            mask.applyInParallel(gradient.storage.pointer, gx.storage.pointer, count: gx.count)
            return [gx]
        }
    }

    /// Writes `1 / keep` (kept) or 0 (dropped) into `count` floats: the factors of a
    /// ``DropoutMask`` whose key is the next draw of `generator` (one draw, whatever `count`).
    static func fillDropoutMask(_ mask: UnsafeMutablePointer<Float>, count: Int, keep: Double, generator: RandomGenerator) {
        DropoutMask(keep: keep, generator: generator).fill(mask, count: count)
    }
}
