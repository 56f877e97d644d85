import Foundation
import XCTest
@testable import Converge

/// Checks the article Sources/Converge/Converge.docc/RecipeReference.md against the recipe
/// parser: every key the parser accepts is documented, and every documented key is accepted.
final class RecipeReferenceTests: XCTestCase {
    let file = URL(fileURLWithPath: "/tmp/reference.yaml")

    /// The article's tables: section heading → the backticked names in the first column, and for
    /// two-column tables the backticked names of the second column too.
    func article() throws -> [String: [(String, [String])]] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/Converge/Converge.docc/RecipeReference.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        var sections: [String: [(String, [String])]] = [:]
        var current = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("### ") { current = String(line.dropFirst(4)); continue }
            guard line.hasPrefix("| `") else { continue }
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            let name = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            let names = cells.count > 1 ? backticked(cells[1]) : []
            sections[current, default: []].append((name, names))
        }
        return sections
    }

    func backticked(_ cell: String) -> [String] {
        let parts = cell.components(separatedBy: "`")
        return stride(from: 1, to: parts.count, by: 2).map { parts[$0] }
    }

    /// The error of parsing `base` with `--set path=value`, or nil when it parses.
    func problem(_ base: String, _ path: String, _ value: String = "1") -> String? {
        do {
            _ = try Recipe.parse(base, file: file, overrides: [try RecipeOverride("\(path)=\(value)")])
            return nil
        } catch { return "\(error)" }
    }

    /// The keys the parser lists as valid when `path` names an unknown key.
    func accepted(_ base: String, _ path: String) throws -> [String] {
        let message = try XCTUnwrap(problem(base, path), "\(path) should be rejected")
        let valid = try XCTUnwrap(message.range(of: "(valid: "), message)
        return message[valid.upperBound...].dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    func isUnknownKeyError(_ message: String?) -> Bool {
        guard let message else { return false }
        return message.contains("unknown key") || message.contains("not a parameter of schedule")
    }

    let base = "data: {train: a.csv}\nmodel: {mlp: {}}\n"

    func testEverySectionsKeysMatchTheParser() throws {
        let doc = try article()
        let sections: [(heading: String, prefix: String)] = [
            ("Top level", ""), ("data", "data."), ("model", "model."), ("model.mlp", "model.mlp."), ("optimizer", "optimizer."),
            ("training", "training."), ("training.early_stopping", "training.early_stopping."),
        ]
        let gptBase = "data: {train: a.txt, format: text, context: 8}\nmodel: {gpt: {}}\n"
        for (heading, prefix) in sections + [("model.gpt", "model.gpt.")] {
            let base = heading == "model.gpt" ? gptBase : self.base
            let documented = try XCTUnwrap(doc[heading], "no section \(heading)").map(\.0)
            let parser = try accepted(base, prefix + "zz_unknown")
            for key in parser { XCTAssertTrue(documented.contains(key), "\(prefix)\(key) is accepted but not documented") }
            for key in documented {
                XCTAssertFalse(isUnknownKeyError(problem(base, prefix + key)), "\(prefix)\(key) is documented but rejected")
            }
        }
    }

    func testEverySchedulesParametersMatchTheParser() throws {
        let doc = try article()
        let rows = try XCTUnwrap(doc["schedule"])
        XCTAssertEqual(rows.filter { $0.1.isEmpty || $0.0 == "name" || $0.0 == "interval" }.map(\.0).prefix(2), ["name", "interval"])
        let schedules = rows.filter { $0.0 != "name" && $0.0 != "interval" }
        XCTAssertEqual(schedules.map(\.0).sorted(), ScheduleSpec.names.sorted(), "every schedule is documented")
        for (name, parameters) in schedules {
            let scheduleBase = base + "schedule: {name: \(name)}\n"
            let parser = try accepted(scheduleBase, "schedule.zz_unknown")
            XCTAssertEqual(Set(parser), Set(["name", "interval"] + parameters), name)
        }
    }

    func testEveryLayerKindAndItsOptionsMatchTheParser() throws {
        let doc = try article()
        let rows = try XCTUnwrap(doc["model.layers"])
        let layersBase = "data: {train: a.csv}\nmodel: {layers: [{relu: {}}]}\n"
        let kinds = try accepted(layersBase, "model.layers[0].zz_unknown")
        XCTAssertEqual(Set(kinds), Set(rows.map(\.0)), "layer kinds")
        for (kind, options) in rows where kind != "reshape" {
            let kindBase = "data: {train: a.csv}\nmodel: {layers: [{\(kind): {}}]}\n"
            let parser = try accepted(kindBase, "model.layers[0].\(kind).zz_unknown")
            XCTAssertEqual(Set(parser), Set(options), kind)
        }
    }
}
