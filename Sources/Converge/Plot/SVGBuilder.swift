import Foundation

/// Accumulates SVG markup.
struct SVGBuilder {
    private(set) var markup = ""

    mutating func raw(_ text: String) {
        markup += text
        markup += "\n"
    }

    mutating func element(_ name: String, _ attributes: String) { raw("<\(name) \(attributes)/>") }

    mutating func text(_ content: String, x: Double, y: Double, anchor: String, attributes: String = "") {
        let extra = attributes.isEmpty ? "" : " " + attributes
        raw("<text x=\"\(SVGBuilder.number(x))\" y=\"\(SVGBuilder.number(y))\" text-anchor=\"\(anchor)\"\(extra)>\(SVGBuilder.escape(content))</text>")
    }
}

extension SVGBuilder {
    /// A coordinate with two decimals (trailing zeros dropped).
    static func number(_ value: Double) -> String {
        var s = String(format: "%.2f", value)
        while s.contains(".") && (s.hasSuffix("0") || s.hasSuffix(".")) { s.removeLast() }
        return s == "-0" ? "0" : s
    }

    /// `text` with XML's special characters escaped.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for c in text {
            switch c {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            default: result.append(c)
            }
        }
        return result
    }
}
