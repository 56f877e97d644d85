import Foundation
@testable import Converge

/// A temporary folder holding a small two-feature classification CSV (`train.csv`, 96 rows) and
/// a `recipe.yaml`, for tests that run `converge train` as a process.
enum TinyRunFolder {
    /// Creates the folder; `dataSeed` draws the rows, `recipe` is written as given.
    static func make(prefix: String, dataSeed: UInt64, recipe: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var rows = ["x1,x2,label"]
        let g = RandomGenerator(seed: dataSeed)
        for i in 0..<96 {
            let label = i % 2
            rows.append("\(Float(label == 1 ? 1 : -1) + g.nextUniform() - 0.5),\(g.nextUniform() * 3),\(label)")
        }
        try Data((rows.joined(separator: "\n") + "\n").utf8).write(to: folder.appendingPathComponent("train.csv"))
        try Data(recipe.utf8).write(to: folder.appendingPathComponent("recipe.yaml"))
        return folder
    }
}
