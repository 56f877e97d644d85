infix operator .== : ComparisonPrecedence
infix operator .!= : ComparisonPrecedence
infix operator .< : ComparisonPrecedence
infix operator .<= : ComparisonPrecedence
infix operator .> : ComparisonPrecedence
infix operator .>= : ComparisonPrecedence

extension Tensor {
    /// Elementwise `a == b` as 1/0 (broadcasting; not differentiable).
    public static func .== (a: Tensor, b: Tensor) -> Tensor { broadcastApply(EqualFunctor.self, a, b, op: "eq") }
    /// Elementwise `a != b` as 1/0.
    public static func .!= (a: Tensor, b: Tensor) -> Tensor { broadcastApply(NotEqualFunctor.self, a, b, op: "ne") }
    /// Elementwise `a < b` as 1/0.
    public static func .< (a: Tensor, b: Tensor) -> Tensor { broadcastApply(LessFunctor.self, a, b, op: "lt") }
    /// Elementwise `a <= b` as 1/0.
    public static func .<= (a: Tensor, b: Tensor) -> Tensor { broadcastApply(LessEqualFunctor.self, a, b, op: "le") }
    /// Elementwise `a > b` as 1/0.
    public static func .> (a: Tensor, b: Tensor) -> Tensor { broadcastApply(GreaterFunctor.self, a, b, op: "gt") }
    /// Elementwise `a >= b` as 1/0.
    public static func .>= (a: Tensor, b: Tensor) -> Tensor { broadcastApply(GreaterEqualFunctor.self, a, b, op: "ge") }
    /// Elementwise `a == s` as 1/0.
    public static func .== (a: Tensor, s: Float) -> Tensor { a .== Tensor(s) }
    /// Elementwise `a != s` as 1/0.
    public static func .!= (a: Tensor, s: Float) -> Tensor { a .!= Tensor(s) }
    /// Elementwise `a < s` as 1/0.
    public static func .< (a: Tensor, s: Float) -> Tensor { a .< Tensor(s) }
    /// Elementwise `a <= s` as 1/0.
    public static func .<= (a: Tensor, s: Float) -> Tensor { a .<= Tensor(s) }
    /// Elementwise `a > s` as 1/0.
    public static func .> (a: Tensor, s: Float) -> Tensor { a .> Tensor(s) }
    /// Elementwise `a >= s` as 1/0.
    public static func .>= (a: Tensor, s: Float) -> Tensor { a .>= Tensor(s) }

    /// Picks `a` where `condition` is non-zero and `b` elsewhere (all three broadcast together).
    /// The gradient flows to whichever side was picked.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        let shape = checked { try Shape.broadcast(Shape.broadcast(condition.shape, a.shape, op: "where"), b.shape, op: "where") }
        let c = withNoGrad { condition.expanded(to: shape) }
        let ea = withNoGrad { a.expanded(to: shape) }, eb = withNoGrad { b.expanded(to: shape) }
        let out = Tensor(uninitializedShape: shape)
        let pc = c.storage.pointer, pa = ea.storage.pointer, pb = eb.storage.pointer, po = out.storage.pointer
        Parallel.forChunks(out.count) { r in for i in r { po[i] = pc[i] != 0 ? pa[i] : pb[i] } }
        return result(out, op: "where", inputs: [a, b]) { g in
            let zero = Tensor.zeros([])
            return [a.requiresGrad ? Tensor.where(c, g, zero).summed(toShape: a.shape) : nil,
                    b.requiresGrad ? Tensor.where(c, zero, g).summed(toShape: b.shape) : nil]
        }
    }
}
