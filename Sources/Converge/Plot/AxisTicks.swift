import Foundation

/// Tick positions and labels for chart axes.
public enum AxisTicks {
    /// About `count` "nice" ticks (steps of 1, 2 or 5 × 10ᵏ) covering `low…high`; the first tick
    /// is ≤ `low` and the last ≥ `high`. A degenerate range is widened around its value.
    public static func linear(_ low: Double, _ high: Double, count: Int = 5) -> (ticks: [Double], step: Double) {
        precondition(low.isFinite && high.isFinite, "AxisTicks.linear: range \(low)…\(high) is not finite")
        var lo = min(low, high), hi = max(low, high)
        if hi - lo <= abs(hi) * 1e-12 {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= pad
            hi += pad
        }
        let raw = (hi - lo) / Double(max(1, count))
        let magnitude = pow(10, floor(log10(raw)))
        let normalized = raw / magnitude
        let step = (normalized < 1.5 ? 1 : normalized < 3 ? 2 : normalized < 7 ? 5 : 10) * magnitude
        let first = floor(lo / step + 1e-9)
        let last = ceil(hi / step - 1e-9)
        let ticks = stride(from: first, through: last, by: 1).map { $0 * step }
        return (ticks, step)
    }

    /// Ticks at powers of ten covering `low…high` (both > 0), as exponents: `[-4, -3, …]`. At
    /// least one decade; every second (third, …) decade when there are more than `maxCount`.
    public static func logarithmic(_ low: Double, _ high: Double, maxCount: Int = 8) -> [Int] {
        precondition(low > 0 && high > 0 && low.isFinite && high.isFinite,
                     "AxisTicks.logarithmic: range \(low)…\(high) must be positive and finite")
        let lo = Int(floor(log10(min(low, high)) + 1e-9))
        var hi = Int(ceil(log10(max(low, high)) - 1e-9))
        if hi <= lo { hi = lo + 1 }
        let every = max(1, Int((Double(hi - lo + 1) / Double(maxCount)).rounded(.up)))
        var start = lo
        while start % every != 0 { start -= 1 }
        var end = hi
        while end % every != 0 { end += 1 }
        return Array(stride(from: start, through: end, by: every))
    }

    /// A label for tick `value` on an axis whose ticks are `step` apart: fixed-point with just
    /// enough decimals, or scientific (`2.5e-4`) for very small or large magnitudes.
    public static func label(_ value: Double, step: Double) -> String {
        if abs(value) < step * 1e-9 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e5 || magnitude < 1e-3 {
            let digits = max(1, min(6, Int(ceil(log10(magnitude / step) - 1e-9)) + 1))
            return cleanExponent(String(format: "%.\(digits - 1)e", value))
        }
        let decimals = max(0, Int(-floor(log10(step) + 1e-9)))
        return String(format: "%.\(decimals)f", value)
    }

    /// The label for 10^`exponent`: plain between 0.001 and 1000, else `1e-5`.
    public static func powerOfTenLabel(_ exponent: Int) -> String {
        if exponent >= 0 && exponent <= 3 { return String(Int(pow(10, Double(exponent)))) }
        if exponent < 0 && exponent >= -3 { return String(format: "%.\(-exponent)f", pow(10, Double(exponent))) }
        return "1e\(exponent)"
    }

    private static func cleanExponent(_ text: String) -> String {
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return text }
        var mantissa = String(text[..<e])
        if mantissa.contains(".") {
            while mantissa.hasSuffix("0") { mantissa.removeLast() }
            if mantissa.hasSuffix(".") { mantissa.removeLast() }
        }
        var exponent = String(text[text.index(after: e)...])
        var sign = ""
        if exponent.hasPrefix("+") { exponent.removeFirst() } else if exponent.hasPrefix("-") { sign = "-"; exponent.removeFirst() }
        while exponent.count > 1 && exponent.hasPrefix("0") { exponent.removeFirst() }
        return "\(mantissa)e\(sign)\(exponent)"
    }
}
