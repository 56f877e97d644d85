import ArgumentParser
import Converge

/// `converge bench`: release-build benchmarks.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Run benchmarks (build with -c release).")
    func run() throws {}
}
