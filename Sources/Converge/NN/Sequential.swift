import ConvergeCore

/// Collects modules for ``Sequential``'s trailing-closure syntax.
@resultBuilder
public enum ModuleBuilder {
    /// One module.
    public static func buildExpression(_ module: Module) -> [Module] { [module] }
    /// An array of modules, spliced in order.
    public static func buildExpression(_ modules: [Module]) -> [Module] { modules }
    /// The statements of a block, in order.
    public static func buildBlock(_ parts: [Module]...) -> [Module] { parts.flatMap { $0 } }
    /// An `if` without `else`: its modules, or none.
    public static func buildOptional(_ part: [Module]?) -> [Module] { part ?? [] }
    /// The `if` branch of an `if`/`else`.
    public static func buildEither(first: [Module]) -> [Module] { first }
    /// The `else` branch of an `if`/`else`.
    public static func buildEither(second: [Module]) -> [Module] { second }
    /// The modules of a `for` loop, in order.
    public static func buildArray(_ parts: [[Module]]) -> [Module] { parts.flatMap { $0 } }
}

/// Runs modules one after another. Children are named `0`, `1`, … as in PyTorch's
/// `nn.Sequential`, so state dictionaries carry the same keys.
///
/// ```swift
/// let model = Sequential {
///     Linear(128, 256); ReLU()
///     Linear(256, 1)
/// }
/// ```
public final class Sequential: Module {
    /// The modules in order.
    public private(set) var layers: [Module]

    /// Creates a sequence from a builder block.
    public init(@ModuleBuilder _ build: () -> [Module]) {
        layers = build()
        super.init()
    }

    /// Creates a sequence from an array.
    public init(_ layers: [Module]) {
        self.layers = layers
        super.init()
    }

    /// Appends a module.
    public func append(_ module: Module) {
        layers.append(module)
        invalidateStructure()
    }

    /// The module at `index`.
    public subscript(index: Int) -> Module { layers[index] }

    /// Number of modules.
    public var count: Int { layers.count }

    /// The layers, named by their index.
    public override func namedChildren() -> [(String, Module)] {
        layers.enumerated().map { (String($0.offset), $0.element) }
    }

    /// Feeds `input` through every layer in order. A `BatchNorm → ReLU → Dropout` run (no hooks,
    /// (N, C) input) goes through one fused op with the same result (``BatchNorm/fusedForward(_:at:_:)``),
    /// and so does `Linear → ReLU` (``Linear/fusedForward(_:at:_:)``).
    public override func forward(_ input: Tensor) -> Tensor {
        var x = input
        var index = 0
        while index < layers.count {
            if let fused = BatchNorm.fusedForward(layers, at: index, x) {
                x = fused
                index += 3
            } else if let fused = Linear.fusedForward(layers, at: index, x) {
                x = fused
                index += 2
            } else {
                x = layers[index](x)
                index += 1
            }
        }
        return x
    }
}

/// A residual connection `y = x + f(x)` around a block (He et al. 2016).
public final class Residual: Module {
    /// The residual branch `f`.
    public let block: Module

    /// Wraps `block`; its output must have the input's shape.
    public init(_ block: Module) {
        self.block = block
        super.init()
    }

    /// Wraps the modules of a builder block in a ``Sequential``.
    public convenience init(@ModuleBuilder _ build: () -> [Module]) {
        self.init(Sequential(build()))
    }

    /// `input + block(input)`.
    public override func forward(_ input: Tensor) -> Tensor {
        let out = block(input)
        precondition(out.shape == input.shape,
                     "Residual: block output shape \(out.shape) differs from input shape \(input.shape)")
        return input + out
    }
}
