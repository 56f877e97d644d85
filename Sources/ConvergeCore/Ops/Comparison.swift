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
    public static func .== (a: Tensor, s: Float) -> Tensor { compare(a) { $0 == s } }
    /// Elementwise `a != s` as 1/0.
    public static func .!= (a: Tensor, s: Float) -> Tensor { compare(a) { $0 != s } }
    /// Elementwise `a < s` as 1/0.
    public static func .< (a: Tensor, s: Float) -> Tensor { compare(a) { $0 < s } }
    /// Elementwise `a <= s` as 1/0.
    public static func .<= (a: Tensor, s: Float) -> Tensor { compare(a) { $0 <= s } }
    /// Elementwise `a > s` as 1/0.
    public static func .> (a: Tensor, s: Float) -> Tensor { compare(a) { $0 > s } }
    /// Elementwise `a >= s` as 1/0.
    public static func .>= (a: Tensor, s: Float) -> Tensor { compare(a) { $0 >= s } }

    @inline(__always)
    private static func compare(_ a: Tensor, _ predicate: (Float) -> Bool) -> Tensor {
        let out = Tensor(uninitializedShape: a.shape)
        Kernels.map(a.storage.pointer, out.storage.pointer, count: a.count) { predicate($0) ? 1 : 0 }
        return out
    }

    /// Picks `a` where `condition` is non-zero and `b` elsewhere (all three broadcast together).
    /// The gradient flows to whichever side was picked; none flows to `condition`.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        let shape = checked { try Shape.broadcast(Shape.broadcast(condition.shape, a.shape, op: "where"), b.shape, op: "where") }
        let c = condition.broadcastRaw(to: shape)
        let ea = a.broadcastRaw(to: shape), eb = b.broadcastRaw(to: shape)
        let out = Tensor(uninitializedShape: shape)
        Kernels.zip(c.storage.pointer, ea.storage.pointer, eb.storage.pointer, out.storage.pointer, count: out.count) { c, x, y in
            c != 0 ? x : y
        }
        return result(out, op: "where", inputs: [a, b]) { g in
            func pick(_ first: Bool) -> Tensor {
                let t = Tensor(uninitializedShape: shape)
                Kernels.zip(c.storage.pointer, g.storage.pointer, t.storage.pointer, count: t.count) { c, g in
                    (c != 0) == first ? g : 0
                }
                return t
            }
            return [a.requiresGrad ? pick(true).summed(toShape: a.shape) : nil,
                    b.requiresGrad ? pick(false).summed(toShape: b.shape) : nil]
        }
    }
}
