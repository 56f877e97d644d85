import Converge
import ConvergeCore
/// A plain-text table with a header row, columns padded to their widest cell: the first column
/// left-aligned (row labels), the others right-aligned (numbers).
///
/// ```swift
/// var table = TextTable(header: ["Metric", "Baseline", "Recipe"])
/// table.append(["Final validation AUC", "0.7412", "0.7713"])
/// print(table.rendered())
/// ```
public struct TextTable: CustomStringConvertible {
    /// The column titles.
    public let header: [String]
    /// The body rows, each with one cell per column.
    public private(set) var rows: [[String]] = []

    /// An empty table with these column titles.
    public init(header: [String]) {
        precondition(!header.isEmpty, "TextTable: the header has no columns")
        self.header = header
    }

    /// Appends a row, which must have one cell per column.
    public mutating func append(_ row: [String]) {
        precondition(row.count == header.count, "TextTable: row has \(row.count) cells for \(header.count) columns")
        rows.append(row)
    }

    /// The table as lines: the header, a rule of dashes, then the rows.
    public func rendered() -> String {
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
    }

    /// ``rendered()``.
    public var description: String { rendered() }
}
