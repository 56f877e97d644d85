import Converge
import Foundation

/// Number formatting shared by the demos' tables and logs.
public enum DemoFormat {
    /// `value` with `digits` decimals (`"nan"` for NaN).
    public static func fixed(_ value: Double, _ digits: Int) -> String {
        value.isFinite ? String(format: "%.\(digits)f", value) : "\(value)"
    }

    /// `value` in scientific notation with 2 decimals (`1.23e-04`).
    public static func scientific(_ value: Double) -> String {
        value.isFinite ? String(format: "%.2e", value) : "\(value)"
    }

    /// A percentage with `digits` decimals (`97.50%`) of a fraction in [0, 1].
    public static func percent(_ fraction: Double, _ digits: Int = 2) -> String {
        fixed(100 * fraction, digits) + "%"
    }

    /// Seconds as `12.3 s`, or `2 min 05 s` from a minute on.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "\(seconds)" }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds.rounded())
        return String(format: "%d min %02d s", whole / 60, whole % 60)
    }

    /// A signed change: `+0.0123` / `-0.0040`.
    public static func signed(_ value: Double, _ digits: Int) -> String {
        (value >= 0 ? "+" : "") + fixed(value, digits)
    }
}
