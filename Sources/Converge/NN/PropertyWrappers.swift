/// Marks a module property as a trainable parameter, discovered by ``Module`` and named by its
/// property name (`weight`, `bias`).
///
/// ```swift
/// final class Scale: Module {
///     @Parameter var gain = Tensor.ones([4])
///     override func forward(_ x: Tensor) -> Tensor { x * gain }
/// }
/// ```
/// Parameters require gradients unless frozen (``Module/freeze()``). A parameter may be `nil`
/// through ``OptionalParameter`` (e.g. a layer built with `bias: false`).
@propertyWrapper
public final class Parameter {
    /// The tensor; assigning a new one marks it as requiring a gradient.
    public var wrappedValue: Tensor {
        didSet { wrappedValue.requiresGrad = true }
    }
    /// Wraps `tensor` and marks it as requiring a gradient.
    public init(wrappedValue: Tensor) {
        wrappedValue.requiresGrad = true
        self.wrappedValue = wrappedValue
    }
}

/// A parameter that may be absent (e.g. `bias` in a layer built without one).
@propertyWrapper
public final class OptionalParameter {
    /// The tensor, or `nil`.
    public var wrappedValue: Tensor? {
        didSet { wrappedValue?.requiresGrad = true }
    }
    /// Wraps `tensor`, marking it as requiring a gradient.
    public init(wrappedValue: Tensor?) {
        wrappedValue?.requiresGrad = true
        self.wrappedValue = wrappedValue
    }
}

/// Marks a module property as a buffer: state saved in the state dictionary but not trained
/// (BatchNorm's running statistics).
@propertyWrapper
public final class Buffer {
    /// The tensor.
    public var wrappedValue: Tensor
    /// Wraps `tensor`.
    public init(wrappedValue: Tensor) { self.wrappedValue = wrappedValue }
}

/// A buffer that may be absent (BatchNorm's running statistics when it does not track them).
/// Absent buffers are not part of the state dictionary, as in PyTorch.
@propertyWrapper
public final class OptionalBuffer {
    /// The tensor, or `nil`.
    public var wrappedValue: Tensor?
    /// Wraps `tensor`.
    public init(wrappedValue: Tensor?) { self.wrappedValue = wrappedValue }
}
