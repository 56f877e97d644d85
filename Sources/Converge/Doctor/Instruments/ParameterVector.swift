import ConvergeCore
import Foundation

/// A flat, preallocated copy of every trainable parameter (or of their gradients), one
/// contiguous buffer with an offset per parameter, and the vectorized reductions the instruments
/// need on it. Filling it again reuses the buffer: an instrument that keeps its vectors measures
/// without allocating.
struct ParameterVector {
    /// The values, parameter after parameter.
    var storage: [Float]
    /// Where each parameter starts in ``storage`` (one more entry than parameters: the end).
    let offsets: [Int]

    /// A zero vector shaped like `parameters`.
    init(shapedLike parameters: [Tensor]) {
        var offsets = [0]
        for p in parameters { offsets.append(offsets.last! + p.count) }
        self.offsets = offsets
        storage = [Float](repeating: 0, count: offsets.last!)
    }

    /// The number of parameters.
    var parameterCount: Int { offsets.count - 1 }

    /// Copies the values of `parameters` in.
    mutating func copyValues(of parameters: [Tensor]) {
        storage.withUnsafeMutableBufferPointer { s in
            for (i, p) in parameters.enumerated() {
                (s.baseAddress! + offsets[i]).update(from: p.storage.pointer, count: p.count)
            }
        }
    }

    /// Copies the gradients of `parameters` in (zeros where a parameter has none).
    mutating func copyGradients(of parameters: [Tensor]) {
        storage.withUnsafeMutableBufferPointer { s in
            for (i, p) in parameters.enumerated() {
                let target = s.baseAddress! + offsets[i]
                if let g = p.grad { target.update(from: g.storage.pointer, count: p.count) } else { target.update(repeating: 0, count: p.count) }
            }
        }
    }

    /// Writes `self + scale · direction` into the parameters' values.
    func write(to parameters: [Tensor], plus scale: Float = 0, direction: ParameterVector? = nil) {
        storage.withUnsafeBufferPointer { v in
            if let direction, scale != 0 {
                direction.storage.withUnsafeBufferPointer { d in
                    for (i, p) in parameters.enumerated() {
                        let x = p.storage.pointer, start = offsets[i]
                        for j in 0..<p.count { x[j] = v[start + j] + scale * d[start + j] }
                    }
                }
            } else {
                for (i, p) in parameters.enumerated() { p.storage.pointer.update(from: v.baseAddress! + offsets[i], count: p.count) }
            }
        }
        for p in parameters { p.storage.markModified() }
    }

    /// Fills the vector with uniform draws in [−1, 1) from a generator seeded with `seed`.
    mutating func randomize(seed: UInt64) {
        let g = RandomGenerator(seed: seed)
        for j in storage.indices { storage[j] = Float(g.nextUniformDouble() * 2 - 1) }
    }

    /// The squared Euclidean norm.
    var squaredNorm: Double { storage.withUnsafeBufferPointer { ParameterVector.dot($0.baseAddress!, $0.baseAddress!, $0.count) } }

    /// Scales to unit length (left alone when the norm is 0 or not finite).
    mutating func normalize() {
        let norm = Float(squaredNorm.squareRoot())
        guard norm > 0, norm.isFinite else { return }
        let inverse = 1 / norm
        storage.withUnsafeMutableBufferPointer { s in for j in s.indices { s[j] *= inverse } }
    }

    /// The dot product with `other`.
    func dot(_ other: ParameterVector) -> Double {
        storage.withUnsafeBufferPointer { a in other.storage.withUnsafeBufferPointer { b in ParameterVector.dot(a.baseAddress!, b.baseAddress!, a.count) } }
    }

    // MARK: - Vectorized kernels (two independent 16-lane accumulators, Float within a parameter, Double across)

    /// Σ xⱼ·yⱼ over `count` elements.
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ count: Int) -> Double {
        var a0 = SIMD16<Float>(), a1 = SIMD16<Float>()
        var j = 0
        let rx = UnsafeRawPointer(x), ry = UnsafeRawPointer(y)
        let stride = MemoryLayout<Float>.stride
        while j + 32 <= count {
            a0 += rx.loadUnaligned(fromByteOffset: j * stride, as: SIMD16<Float>.self) * ry.loadUnaligned(fromByteOffset: j * stride, as: SIMD16<Float>.self)
            a1 += rx.loadUnaligned(fromByteOffset: (j + 16) * stride, as: SIMD16<Float>.self) * ry.loadUnaligned(fromByteOffset: (j + 16) * stride, as: SIMD16<Float>.self)
            j += 32
        }
        var tail: Float = 0
        while j < count { tail += x[j] * y[j]; j += 1 }
        return Double((a0 + a1).sum()) + Double(tail)
    }

    /// Σ (xⱼ − yⱼ)² over `count` elements.
    static func squaredDistance(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ count: Int) -> Double {
        var a0 = SIMD16<Float>(), a1 = SIMD16<Float>()
        var j = 0
        let rx = UnsafeRawPointer(x), ry = UnsafeRawPointer(y)
        let stride = MemoryLayout<Float>.stride
        while j + 32 <= count {
            let d0 = rx.loadUnaligned(fromByteOffset: j * stride, as: SIMD16<Float>.self) - ry.loadUnaligned(fromByteOffset: j * stride, as: SIMD16<Float>.self)
            let d1 = rx.loadUnaligned(fromByteOffset: (j + 16) * stride, as: SIMD16<Float>.self) - ry.loadUnaligned(fromByteOffset: (j + 16) * stride, as: SIMD16<Float>.self)
            a0 += d0 * d0
            a1 += d1 * d1
            j += 32
        }
        var tail: Float = 0
        while j < count { let d = x[j] - y[j]; tail += d * d; j += 1 }
        return Double((a0 + a1).sum()) + Double(tail)
    }

    /// Σ gⱼ·(aⱼ − bⱼ) over `count` elements.
    static func dotWithDifference(_ g: UnsafePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Double {
        var a0 = SIMD16<Float>(), a1 = SIMD16<Float>()
        var j = 0
        let rg = UnsafeRawPointer(g), ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        let stride = MemoryLayout<Float>.stride
        while j + 32 <= count {
            let o0 = j * stride, o1 = (j + 16) * stride
            a0 += rg.loadUnaligned(fromByteOffset: o0, as: SIMD16<Float>.self)
                * (ra.loadUnaligned(fromByteOffset: o0, as: SIMD16<Float>.self) - rb.loadUnaligned(fromByteOffset: o0, as: SIMD16<Float>.self))
            a1 += rg.loadUnaligned(fromByteOffset: o1, as: SIMD16<Float>.self)
                * (ra.loadUnaligned(fromByteOffset: o1, as: SIMD16<Float>.self) - rb.loadUnaligned(fromByteOffset: o1, as: SIMD16<Float>.self))
            j += 32
        }
        var tail: Float = 0
        while j < count { tail += g[j] * (a[j] - b[j]); j += 1 }
        return Double((a0 + a1).sum()) + Double(tail)
    }

    /// (Σ (xⱼ − yⱼ)², Σ yⱼ²) in one pass.
    static func squaredDistanceAndNorm(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ count: Int) -> (distance: Double, norm: Double) {
        var d0 = SIMD16<Float>(), n0 = SIMD16<Float>()
        var j = 0
        let rx = UnsafeRawPointer(x), ry = UnsafeRawPointer(y)
        let stride = MemoryLayout<Float>.stride
        while j + 16 <= count {
            let b = ry.loadUnaligned(fromByteOffset: j * stride, as: SIMD16<Float>.self)
            let d = rx.loadUnaligned(fromByteOffset: j * stride, as: SIMD16<Float>.self) - b
            d0 += d * d
            n0 += b * b
            j += 16
        }
        var distance: Float = 0, norm: Float = 0
        while j < count { let d = x[j] - y[j]; distance += d * d; norm += y[j] * y[j]; j += 1 }
        return (Double(d0.sum()) + Double(distance), Double(n0.sum()) + Double(norm))
    }

    /// What one step did to a parameter, in one pass over its values after the step `p`, before
    /// it `t` and the gradient `g` at `t`: (Σ (pⱼ − tⱼ)², Σ tⱼ², Σ gⱼ·(pⱼ − tⱼ)).
    static func stepStatistics(_ p: UnsafePointer<Float>, _ t: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ count: Int)
        -> (change: Double, size: Double, slope: Double) {
        var c0 = SIMD16<Float>(), s0 = SIMD16<Float>(), g0 = SIMD16<Float>()
        var j = 0
        let rp = UnsafeRawPointer(p), rt = UnsafeRawPointer(t), rg = UnsafeRawPointer(g)
        let stride = MemoryLayout<Float>.stride
        while j + 16 <= count {
            let o = j * stride
            let before = rt.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
            let d = rp.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self) - before
            c0 += d * d
            s0 += before * before
            g0 += rg.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self) * d
            j += 16
        }
        var change: Float = 0, size: Float = 0, slope: Float = 0
        while j < count { let d = p[j] - t[j]; change += d * d; size += t[j] * t[j]; slope += g[j] * d; j += 1 }
        return (Double(c0.sum()) + Double(change), Double(s0.sum()) + Double(size), Double(g0.sum()) + Double(slope))
    }

    /// Writes hⱼ = (sⱼ − gⱼ)·`scale` into `h` and returns (Σ vⱼ·hⱼ, Σ hⱼ²): the finite-difference
    /// Hessian-vector product, its Rayleigh quotient against `v` and its squared norm, in one pass.
    static func differenceQuotient(_ s: UnsafePointer<Float>, _ g: UnsafePointer<Float>, scale: Float, into h: UnsafeMutablePointer<Float>,
                                   against v: UnsafePointer<Float>, _ count: Int) -> (dot: Double, norm: Double) {
        var a0 = SIMD16<Float>(), n0 = SIMD16<Float>()
        var j = 0
        let rs = UnsafeRawPointer(s), rg = UnsafeRawPointer(g), rv = UnsafeRawPointer(v), rh = UnsafeMutableRawPointer(h)
        let stride = MemoryLayout<Float>.stride
        while j + 16 <= count {
            let o = j * stride
            let q = (rs.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self) - rg.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)) * scale
            rh.storeBytes(of: q, toByteOffset: o, as: SIMD16<Float>.self)
            a0 += rv.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self) * q
            n0 += q * q
            j += 16
        }
        var dot: Float = 0, norm: Float = 0
        while j < count { let q = (s[j] - g[j]) * scale; h[j] = q; dot += v[j] * q; norm += q * q; j += 1 }
        return (Double(a0.sum()) + Double(dot), Double(n0.sum()) + Double(norm))
    }
}
