import ConvergeCore

extension Tensor {
    /// Splits part `part` of `parts` along the last axis of a packed projection `[B, T, parts·E]`
    /// into `heads` heads: `[B, heads, T, E/heads]` (one copy; the gradient scatters back). Used by
    /// ``MultiheadAttention`` to read queries, keys and values out of one packed in-projection.
    public func splitHeads(part: Int, of parts: Int, heads: Int) -> Tensor {
        precondition(rank == 3, "splitHeads: input must be [B, T, features], got \(shape)")
        let B = shape[0], T = shape[1], F = shape[2]
        precondition(parts > 0 && F % parts == 0 && part >= 0 && part < parts,
                     "splitHeads: part \(part) of \(parts) does not divide \(F) features (shape \(shape))")
        let E = F / parts
        precondition(heads > 0 && E % heads == 0, "splitHeads: \(E) features do not split into \(heads) heads")
        let D = E / heads
        let x = self
        let out = Tensor(uninitializedShape: [B, heads, T, D])
        let px = storage.pointer + part * E, po = out.storage.pointer
        for b in 0..<B {
            for t in 0..<T {
                let src = px + (b * T + t) * F
                for h in 0..<heads { (po + ((b * heads + h) * T + t) * D).update(from: src + h * D, count: D) }
            }
        }
        return Tensor.recording(out, op: "splitHeads", inputs: [x]) { g in
            let gx = parts == 1 ? Tensor(uninitializedShape: x.shape) : Tensor.zeros(x.shape)
            let pg = g.storage.pointer, pgx = gx.storage.pointer + part * E
            for b in 0..<B {
                for t in 0..<T {
                    let dst = pgx + (b * T + t) * F
                    for h in 0..<heads { (dst + h * D).update(from: pg + ((b * heads + h) * T + t) * D, count: D) }
                }
            }
            return [gx]
        }
    }

    /// The inverse of ``splitHeads(part:of:heads:)`` for one part: `[B, H, T, D]` → `[B, T, H·D]`.
    public func mergeHeads() -> Tensor {
        precondition(rank == 4, "mergeHeads: input must be [B, heads, T, D], got \(shape)")
        let B = shape[0], H = shape[1], T = shape[2], D = shape[3]
        return permuted([0, 2, 1, 3]).reshaped([B, T, H * D])
    }
}
