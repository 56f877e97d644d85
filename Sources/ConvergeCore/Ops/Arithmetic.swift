import Foundation

extension Tensor {
    /// Applies a broadcasting binary functor without recording a graph node.
    static func broadcastApply<F: BinaryFunctor>(_ f: F.Type, _ a: Tensor, _ b: Tensor, op: String) -> Tensor {
        if a.shape == b.shape {
            let out = Tensor(uninitializedShape: a.shape)
            let pa = a.storage.pointer, pb = b.storage.pointer, po = out.storage.pointer
            Parallel.forChunks(a.count) { r in for i in r { po[i] = F.apply(pa[i], pb[i]) } }
            return out
        }
        let shape = checked { try Shape.broadcast(a.shape, b.shape, op: op) }
        let out = Tensor(uninitializedShape: shape)
        Kernels.broadcastBinary(f, a.storage.pointer, aStrides: Shape.broadcastStrides(a.shape, to: shape),
                                b.storage.pointer, bStrides: Shape.broadcastStrides(b.shape, to: shape),
                                out.storage.pointer, shape: shape)
        return out
    }

    /// Sums `self` down to `shape` (undoing broadcasting): the gradient rule of every broadcasting op.
    public func summed(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let offset = rank - target.count
        precondition(offset >= 0, "summed(toShape:): cannot reduce \(shape) to \(target)")
        var axes: [Int] = Array(0..<offset)
        for i in 0..<target.count where target[i] == 1 && shape[i + offset] != 1 { axes.append(i + offset) }
        let reduced = sum(alongAxes: axes, keepingDimensions: true)
        return reduced.reshaped(target)
    }

    // MARK: Tensor ⊕ Tensor

    /// Elementwise sum with broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let out = broadcastApply(AddFunctor.self, a, b, op: "add")
        return result(out, op: "add", inputs: [a, b]) { g in
            [a.requiresGrad ? g.summed(toShape: a.shape) : nil, b.requiresGrad ? g.summed(toShape: b.shape) : nil]
        }
    }

    /// Elementwise difference with broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let out = broadcastApply(SubFunctor.self, a, b, op: "sub")
        return result(out, op: "sub", inputs: [a, b]) { g in
            [a.requiresGrad ? g.summed(toShape: a.shape) : nil, b.requiresGrad ? (-g).summed(toShape: b.shape) : nil]
        }
    }

    /// Elementwise product with broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let out = broadcastApply(MulFunctor.self, a, b, op: "mul")
        return result(out, op: "mul", inputs: [a, b]) { g in
            [a.requiresGrad ? (g * b).summed(toShape: a.shape) : nil,
             b.requiresGrad ? (g * a).summed(toShape: b.shape) : nil]
        }
    }

    /// Elementwise quotient with broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let out = broadcastApply(DivFunctor.self, a, b, op: "div")
        return result(out, op: "div", inputs: [a, b]) { g in
            [a.requiresGrad ? (g / b).summed(toShape: a.shape) : nil,
             b.requiresGrad ? (-(g * a) / (b * b)).summed(toShape: b.shape) : nil]
        }
    }

    /// Negation.
    public static prefix func - (x: Tensor) -> Tensor {
        let out = Tensor(uninitializedShape: x.shape)
        Kernels.map(x.storage.pointer, out.storage.pointer, count: x.count) { -$0 }
        return result(out, op: "neg", inputs: [x]) { g in [-g] }
    }

    // MARK: Tensor ⊕ scalar

    /// Adds a scalar.
    public static func + (a: Tensor, s: Float) -> Tensor {
        let out = Tensor(uninitializedShape: a.shape)
        Kernels.map(a.storage.pointer, out.storage.pointer, count: a.count) { $0 + s }
        return result(out, op: "add", inputs: [a]) { g in [g] }
    }
    /// Adds a scalar.
    public static func + (s: Float, a: Tensor) -> Tensor { a + s }
    /// Subtracts a scalar.
    public static func - (a: Tensor, s: Float) -> Tensor { a + (-s) }
    /// Subtracts from a scalar.
    public static func - (s: Float, a: Tensor) -> Tensor { (-a) + s }

    /// Multiplies by a scalar.
    public static func * (a: Tensor, s: Float) -> Tensor {
        let out = Tensor(uninitializedShape: a.shape)
        Kernels.map(a.storage.pointer, out.storage.pointer, count: a.count) { $0 * s }
        return result(out, op: "mul", inputs: [a]) { g in [g * s] }
    }
    /// Multiplies by a scalar.
    public static func * (s: Float, a: Tensor) -> Tensor { a * s }
    /// Divides by a scalar.
    public static func / (a: Tensor, s: Float) -> Tensor { a * (1 / s) }
    /// Divides a scalar by a tensor.
    public static func / (s: Float, a: Tensor) -> Tensor {
        let out = Tensor(uninitializedShape: a.shape)
        Kernels.map(a.storage.pointer, out.storage.pointer, count: a.count) { s / $0 }
        return result(out, op: "div", inputs: [a]) { g in [-(g * s) / (a * a)] }
    }

    // MARK: Powers

    /// Raises every element to the power `exponent`.
    public func pow(_ exponent: Float) -> Tensor {
        let x = self
        let out = Tensor(uninitializedShape: shape)
        Kernels.map(storage.pointer, out.storage.pointer, count: count) { Foundation.pow($0, exponent) }
        return Tensor.result(out, op: "pow", inputs: [x]) { g in
            if exponent == 0 { return [Tensor.zeros(like: x)] }
            return [g * x.pow(exponent - 1) * exponent]
        }
    }

    /// Raises every element to the matching (broadcast) element of `exponent`.
    public func pow(_ exponent: Tensor) -> Tensor {
        let x = self
        let out = Tensor.broadcastApply(PowFunctor.self, x, exponent, op: "pow")
        let saved = out.detached()
        return Tensor.result(out, op: "pow", inputs: [x, exponent]) { g in
            [x.requiresGrad ? (g * exponent * x.pow(exponent - 1)).summed(toShape: x.shape) : nil,
             exponent.requiresGrad ? (g * saved * x.log()).summed(toShape: exponent.shape) : nil]
        }
    }

    /// Elementwise maximum with broadcasting (the gradient goes to the larger; ties split evenly).
    public func maximum(_ other: Tensor) -> Tensor {
        let a = self, b = other
        let out = Tensor.broadcastApply(MaxFunctor.self, a, b, op: "maximum")
        return Tensor.result(out, op: "maximum", inputs: [a, b]) { g in
            let aWins = Tensor.broadcastApply(GreaterFunctor.self, a, b, op: "maximum")
            let tie = Tensor.broadcastApply(EqualFunctor.self, a, b, op: "maximum")
            let wa = aWins + tie * 0.5
            return [a.requiresGrad ? (g * wa).summed(toShape: a.shape) : nil,
                    b.requiresGrad ? (g * (1 - wa)).summed(toShape: b.shape) : nil]
        }
    }

    /// Elementwise minimum with broadcasting (the gradient goes to the smaller; ties split evenly).
    public func minimum(_ other: Tensor) -> Tensor { -((-self).maximum(-other)) }
}
