/// Sizes computed from untrusted numbers (file headers, recipes, flags) with overflow checks:
/// a shape whose element or byte count does not fit in `Int` is reported, never wrapped or
/// trapped on.
public enum CheckedSize {
    /// The number of elements of `shape`, or nil when a dimension is negative or the product
    /// overflows.
    public static func count(_ shape: [Int]) -> Int? {
        var n = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            guard !overflow else { return nil }
            n = p
        }
        return n
    }

    /// `count(shape) * itemSize`, or nil on overflow.
    public static func bytes(_ shape: [Int], itemSize: Int) -> Int? {
        guard let n = count(shape) else { return nil }
        let (b, overflow) = n.multipliedReportingOverflow(by: itemSize)
        return overflow ? nil : b
    }

    /// `a * b`, or nil on overflow.
    public static func product(_ a: Int, _ b: Int) -> Int? {
        let (p, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : p
    }

    /// `a + b`, or nil on overflow.
    public static func sum(_ a: Int, _ b: Int) -> Int? {
        let (s, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : s
    }
}
