import ConvergeCore
import Foundation

extension InitCheck {
    /// The seed's table (§7.2.5) extended: every scheme in `schemes` × every activation in
    /// `activations`, through `depth` layers of `width` (the seed uses 20 layers of 512 and
    /// 1000 samples), one ``Result`` per pair, schemes outermost.
    public static func seedTable(schemes: [Scheme] = [.normalSmall, .normalLarge, .xavier, .he, .orthogonal, .default],
                                 activations: [Activation] = [.relu, .tanh], depth: Int = 20, width: Int = 512,
                                 samples: Int = 1000, seed: UInt64 = 42) -> [Result] {
        schemes.flatMap { scheme in
            activations.map { run(scheme: scheme, activation: $0, depth: depth, width: width, samples: samples, seed: seed) }
        }
    }

    /// The results as an aligned text table: scheme, activation, the last layer's mean and
    /// variance, and the verdict, e.g.
    ///
    /// ```
    /// init         activation  layer 20 mean    layer 20 variance  verdict
    /// normal-0.01  relu        1.000240e-16     2.437097e-32       vanishing
    /// ```
    public static func renderTable(_ results: [Result]) -> String {
        let depthLabel = results.first.map { "layer \($0.depth)" } ?? "last layer"
        let header = ["init", "activation", "\(depthLabel) mean", "\(depthLabel) variance", "verdict"]
        let rows = results.map { r in
            [r.scheme.rawValue, r.activation.description == "identity" ? "linear" : r.activation.description,
             format(r.layers.last?.mean ?? .nan), format(r.finalVariance), r.verdict.rawValue]
        }
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = Swift.max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i == cells.count - 1 ? c : c.padding(toLength: widths[i] + 2, withPad: " ", startingAt: 0) }
                .joined()
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }
}
