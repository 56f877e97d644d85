/// A pair of sizes for 2-D layers (kernel size, stride, padding, dilation): height first, then
/// width. Written as a single integer for a square value (`3`) or as a two-element array
/// (`[3, 5]`), as PyTorch accepts `3` or `(3, 5)`.
public struct Size2D: Equatable, Hashable, Sendable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral, CustomStringConvertible {
    /// The vertical size.
    public var height: Int
    /// The horizontal size.
    public var width: Int

    /// The same size in both directions.
    public init(_ size: Int) { height = size; width = size }
    /// Separate vertical and horizontal sizes.
    public init(_ height: Int, _ width: Int) { self.height = height; self.width = width }
    /// `3` means `(3, 3)`.
    public init(integerLiteral value: Int) { self.init(value) }
    /// `[3, 5]` means height 3, width 5; exactly two elements are required.
    public init(arrayLiteral elements: Int...) {
        precondition(elements.count == 2, "Size2D: expected [height, width], got \(elements)")
        self.init(elements[0], elements[1])
    }

    /// `(h, w)`.
    public var description: String { "(\(height), \(width))" }
}
