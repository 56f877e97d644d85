/// A float32 value or a vector of them, so one generic update rule serves both the 8-wide body
/// and the scalar tail of an optimizer's loop.
protocol OptimizerLanes {
    /// Every lane set to `value`.
    init(splat value: Float)
    /// The lanes starting at `pointer[index]`.
    static func load(_ pointer: UnsafeMutablePointer<Float>, _ index: Int) -> Self
    /// Writes the lanes to `pointer[index…]`.
    func store(_ pointer: UnsafeMutablePointer<Float>, _ index: Int)
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    static func / (a: Self, b: Self) -> Self
    func squareRoot() -> Self
    /// The larger of `self` and `other` per lane, NaN when `self` is NaN (`torch.maximum`).
    func maximumPropagatingNaN(_ other: Self) -> Self
}

extension Float: OptimizerLanes {
    @inline(__always) init(splat value: Float) { self = value }
    @inline(__always) static func load(_ pointer: UnsafeMutablePointer<Float>, _ index: Int) -> Float { pointer[index] }
    @inline(__always) func store(_ pointer: UnsafeMutablePointer<Float>, _ index: Int) { pointer[index] = self }
    @inline(__always) func maximumPropagatingNaN(_ other: Float) -> Float { (self > other || isNaN) ? self : other }
}

extension SIMD8: OptimizerLanes where Scalar == Float {
    @inline(__always) init(splat value: Float) { self.init(repeating: value) }
    @inline(__always) static func load(_ pointer: UnsafeMutablePointer<Float>, _ index: Int) -> SIMD8<Float> {
        UnsafeRawPointer(pointer + index).loadUnaligned(as: SIMD8<Float>.self)
    }
    @inline(__always) func store(_ pointer: UnsafeMutablePointer<Float>, _ index: Int) {
        UnsafeMutableRawPointer(pointer + index).storeBytes(of: self, as: SIMD8<Float>.self)
    }
    @inline(__always) func maximumPropagatingNaN(_ other: SIMD8<Float>) -> SIMD8<Float> {
        other.replacing(with: self, where: (self .> other) .| (self .!= self))
    }
}

/// An elementwise update over raw buffers: ``apply(_:_:)`` updates the lanes at one index.
protocol OptimizerKernel {
    /// Updates elements `index ..< index + width of V`.
    func apply<V: OptimizerLanes>(_ index: Int, _ lanes: V.Type)
}

extension OptimizerKernel {
    /// Runs the update over `count` elements: 8 at a time, then one at a time.
    @inline(__always)
    func run(count: Int) { run(from: 0, to: count) }

    /// Runs the update over elements `start ..< end`: 8 at a time, then one at a time. With
    /// `start` a multiple of 8 every element takes the same path (vector or scalar) as in
    /// `run(count:)`, so splitting a tensor into such blocks changes no bit.
    @inline(__always)
    func run(from start: Int, to end: Int) {
        var i = start
        while i + 8 <= end {
            apply(i, SIMD8<Float>.self)
            i += 8
        }
        while i < end {
            apply(i, Float.self)
            i += 1
        }
    }
}
