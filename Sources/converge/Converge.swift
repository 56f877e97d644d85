import ArgumentParser
import Converge

/// The `converge` command-line tool.
@main
struct ConvergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "converge",
        abstract: "Train deep neural networks that converge.",
        subcommands: [BenchCommand.self, DemoCommand.self, ScheduleCommand.self]
    )
}
