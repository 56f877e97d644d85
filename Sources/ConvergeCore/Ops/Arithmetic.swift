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

    /// A contiguous copy of `self` broadcast to `target` without recording (`self` when the shape
    /// already matches). Used by backward rules that need operands in the output's shape.
    func broadcastRaw(to target: [Int]) -> Tensor {
        if shape == target { return self }
        if count == Shape.count(target) { return Tensor(shape: target, storage: storage) }
        return stridedCopy(strides: Shape.broadcastStrides(shape, to: target), shape: target)
    }

    /// Sums `self` down to `shape` (undoing broadcasting): the gradient rule of every broadcasting op.
    ///
    /// Leading dimensions are summed away and dimensions where `target` has size 1 are summed with
    /// the dimension kept. Returns `self` when nothing broadcast, and a view when only size-1
    /// dimensions differ.
    public func summed(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let x = self
        let offset = rank - target.count
        precondition(offset >= 0, "summed(toShape:): cannot reduce shape \(shape) to \(target)")
        var axes: [Int] = []
        for i in 0..<offset where shape[i] != 1 { axes.append(i) }
        for i in 0..<target.count {
            let d = shape[i + offset]
            if target[i] == d { continue }
            precondition(target[i] == 1, "summed(toShape:): cannot reduce shape \(shape) to \(target)")
            axes.append(i + offset)
        }
        let out: Tensor
        if axes.isEmpty {
            out = Tensor(shape: target, storage: storage)
        } else {
            out = Tensor(shape: target, storage: reduceRaw(.sum, axes: axes).storage)
        }
        return Tensor.result(out, op: "sum", inputs: [x]) { g in [g.broadcastRaw(to: x.shape)] }
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
            [a.requiresGrad ? broadcastApply(MulFunctor.self, g, b, op: "mul").summed(toShape: a.shape) : nil,
             b.requiresGrad ? broadcastApply(MulFunctor.self, g, a, op: "mul").summed(toShape: b.shape) : nil]
        }
    }

    /// Elementwise quotient with broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let out = broadcastApply(DivFunctor.self, a, b, op: "div")
        let y = out.detached()
        return result(out, op: "div", inputs: [a, b]) { g in
            var gb: Tensor?
            if b.requiresGrad {
                // −g · (a / b) / b, with a / b the saved output.
                let t = broadcastApply(DivFunctor.self, y, b, op: "div")
                let pt = t.storage.pointer, pg = g.storage.pointer
                Kernels.zip(pg, pt, pt, count: t.count) { g, q in -g * q }
                gb = t.summed(toShape: b.shape)
            }
            return [a.requiresGrad ? broadcastApply(DivFunctor.self, g, b, op: "div").summed(toShape: a.shape) : nil, gb]
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
    public static func - (a: Tensor, s: Float) -> Tensor {
        let out = Tensor(uninitializedShape: a.shape)
        Kernels.map(a.storage.pointer, out.storage.pointer, count: a.count) { $0 - s }
        return result(out, op: "sub", inputs: [a]) { g in [g] }
    }
    /// Subtracts from a scalar.
    public static func - (s: Float, a: Tensor) -> Tensor {
        let out = Tensor(uninitializedShape: a.shape)
        Kernels.map(a.storage.pointer, out.storage.pointer, count: a.count) { s - $0 }
        return result(out, op: "sub", inputs: [a]) { g in [-g] }
    }

    /// Multiplies by a scalar.
    public static func * (a: Tensor, s: Float) -> Tensor {
        let out = Tensor(uninitializedShape: a.shape)
        Kernels.map(a.storage.pointer, out.storage.pointer, count: a.count) { $0 * s }
        return result(out, op: "mul", inputs: [a]) { g in [g * s] }
    }
    /// Multiplies by a scalar.
    public static func * (s: Float, a: Tensor) -> Tensor { a * s }
    /// Divides by a scalar (true division, as PyTorch's float32 `x / s`).
    public static func / (a: Tensor, s: Float) -> Tensor {
        let out = Tensor(uninitializedShape: a.shape)
        Kernels.map(a.storage.pointer, out.storage.pointer, count: a.count) { $0 / s }
        return result(out, op: "div", inputs: [a]) { g in [g / s] }
    }
    /// Divides a scalar by a tensor.
    public static func / (s: Float, a: Tensor) -> Tensor {
        let out = Tensor(uninitializedShape: a.shape)
        Kernels.map(a.storage.pointer, out.storage.pointer, count: a.count) { s / $0 }
        let y = out.detached()
        return result(out, op: "div", inputs: [a]) { g in
            // −g · (s / a) / a
            let gx = Tensor(uninitializedShape: a.shape)
            Kernels.zip(g.storage.pointer, y.storage.pointer, a.storage.pointer, gx.storage.pointer, count: a.count) { g, q, x in
                -g * (q / x)
            }
            return [gx]
        }
    }

    // MARK: Powers

    /// `x^e` for one element, with the exact special cases PyTorch uses (x², x³, √x, 1/x, …).
    @inline(__always)
    static func power(_ x: Float, _ e: Float) -> Float {
        switch e {
        case 2: return x * x
        case 3: return x * x * x
        case 1: return x
        case 0: return 1
        case 0.5: return x.squareRoot()
        case -0.5: return 1 / x.squareRoot()
        case -1: return 1 / x
        case -2: return 1 / (x * x)
        default: return Foundation.pow(x, e)
        }
    }

    /// Raises every element to the power `exponent`.
    public func pow(_ exponent: Float) -> Tensor {
        let x = self
        let out = Tensor(uninitializedShape: shape)
        Kernels.map(storage.pointer, out.storage.pointer, count: count) { Tensor.power($0, exponent) }
        return Tensor.result(out, op: "pow", inputs: [x]) { g in
            let gx = Tensor(uninitializedShape: x.shape)
            if exponent == 0 {
                gx.fill(0)
            } else {
                let e1 = exponent - 1
                Kernels.zip(g.storage.pointer, x.storage.pointer, gx.storage.pointer, count: x.count) { g, x in
                    g * (exponent * Tensor.power(x, e1))
                }
            }
            return [gx]
        }
    }

    /// Raises every element to the matching (broadcast) element of `exponent`.
    ///
    /// Gradients follow PyTorch: none flows to `self` where the exponent is 0, and none to the
    /// exponent where the base is 0 and the exponent is non-negative.
    public func pow(_ exponent: Tensor) -> Tensor {
        let x = self
        let out = Tensor.broadcastApply(PowFunctor.self, x, exponent, op: "pow")
        let y = out.detached()
        return Tensor.result(out, op: "pow", inputs: [x, exponent]) { g in
            let bx = x.broadcastRaw(to: g.shape), be = exponent.broadcastRaw(to: g.shape)
            let px = bx.storage.pointer, pe = be.storage.pointer, pg = g.storage.pointer
            var gx: Tensor?, ge: Tensor?
            if x.requiresGrad {
                let t = Tensor(uninitializedShape: g.shape)
                Kernels.zip(pg, px, pe, t.storage.pointer, count: t.count) { g, x, e in
                    e == 0 ? 0 : g * (e * Foundation.pow(x, e - 1))
                }
                gx = t.summed(toShape: x.shape)
            }
            if exponent.requiresGrad {
                let t = Tensor(uninitializedShape: g.shape)
                let py = y.storage.pointer, pt = t.storage.pointer
                Parallel.forChunks(t.count) { r in
                    for i in r { pt[i] = (px[i] == 0 && pe[i] >= 0) ? 0 : pg[i] * (py[i] * Foundation.log(px[i])) }
                }
                ge = t.summed(toShape: exponent.shape)
            }
            return [gx, ge]
        }
    }

    // MARK: Maximum and minimum

    /// Elementwise maximum with broadcasting (NaN propagates). The gradient goes to the larger
    /// operand; at ties each side gets half, as in PyTorch.
    public func maximum(_ other: Tensor) -> Tensor { extremum(other, op: "maximum", larger: true) }

    /// Elementwise minimum with broadcasting (NaN propagates). The gradient goes to the smaller
    /// operand; at ties each side gets half.
    public func minimum(_ other: Tensor) -> Tensor { extremum(other, op: "minimum", larger: false) }

    private func extremum(_ other: Tensor, op: String, larger: Bool) -> Tensor {
        let a = self, b = other
        let out = larger ? Tensor.broadcastApply(MaxFunctor.self, a, b, op: op)
                         : Tensor.broadcastApply(MinFunctor.self, a, b, op: op)
        return Tensor.result(out, op: op, inputs: [a, b]) { g in
            let ea = a.broadcastRaw(to: g.shape), eb = b.broadcastRaw(to: g.shape)
            let pa = ea.storage.pointer, pb = eb.storage.pointer, pg = g.storage.pointer
            func share(_ first: Bool) -> Tensor {
                let t = Tensor(uninitializedShape: g.shape)
                let pt = t.storage.pointer
                Parallel.forChunks(t.count) { r in
                    for i in r {
                        let x = first ? pa[i] : pb[i], y = first ? pb[i] : pa[i]
                        let loses = larger ? x < y : x > y
                        pt[i] = x == y ? pg[i] / 2 : (loses ? 0 : pg[i])
                    }
                }
                return t
            }
            return [a.requiresGrad ? share(true).summed(toShape: a.shape) : nil,
                    b.requiresGrad ? share(false).summed(toShape: b.shape) : nil]
        }
    }
}
