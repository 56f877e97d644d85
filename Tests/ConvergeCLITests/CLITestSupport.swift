import ArgumentParser
import Foundation
import XCTest
@testable import converge
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a command printed, and the error it ended with, if any.
struct CommandResult {
    var standardOutput: String
    var standardError: String
    var error: Error?
}

extension XCTestCase {
    /// Parses `arguments` as `converge …` and runs the command in this process, capturing its
    /// standard output and standard error.
    func runConverge(_ arguments: [String]) throws -> CommandResult {
        let folder = try makeCaptureFolder()
        let outURL = folder.appendingPathComponent("stdout"), errURL = folder.appendingPathComponent("stderr")
        var failure: Error?
        capturing(1, into: outURL) {
            capturing(2, into: errURL) {
                do {
                    var command = try ConvergeCommand.parseAsRoot(arguments)
                    try command.run()
                } catch { failure = error }
            }
        }
        return CommandResult(standardOutput: try String(contentsOf: outURL, encoding: .utf8),
                             standardError: try String(contentsOf: errURL, encoding: .utf8), error: failure)
    }

    private func makeCaptureFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("converge-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    private func capturing(_ descriptor: Int32, into url: URL, _ body: () -> Void) {
        fflush(nil)
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let file = open(url.path, O_WRONLY | O_TRUNC)
        let saved = dup(descriptor)
        dup2(file, descriptor)
        close(file)
        body()
        fflush(nil)
        dup2(saved, descriptor)
        close(saved)
    }

    /// A folder with a small two-class CSV (`train.csv`, `test.csv`) and `recipe.yaml` training on it.
    func makeRecipeFolder(extra: String = "training: { epochs: 2, batch_size: 16 }") throws -> URL {
        let folder = try makeCaptureFolder()
        var lines = ["x1,x2,label"]
        for i in 0..<64 {
            let label = i % 2
            lines.append("\(Double(label) * 2 - 1 + Double(i % 7) * 0.05),\(Double(i % 5) * 0.2),\(label)")
        }
        try lines.joined(separator: "\n").write(to: folder.appendingPathComponent("train.csv"), atomically: true, encoding: .utf8)
        try lines.prefix(21).joined(separator: "\n").write(to: folder.appendingPathComponent("test.csv"), atomically: true, encoding: .utf8)
        try """
        seed: 1
        data: { train: train.csv, validation: 0.25, test: test.csv }
        model: { mlp: { hidden: [8], batchnorm: true } }
        optimizer: { name: adamw, lr: 0.01 }
        \(extra)
        output: out
        """.write(to: folder.appendingPathComponent("recipe.yaml"), atomically: true, encoding: .utf8)
        return folder
    }
}
