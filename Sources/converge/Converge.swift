import ArgumentParser
import Converge

/// The `converge` command-line tool.
@main
struct ConvergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "converge",
        abstract: "Train deep neural networks that converge.",
        subcommands: [TrainCommand.self, PredictCommand.self, ScheduleCommand.self, LRFindCommand.self, InitCheckCommand.self,
                      DoctorCommand.self, BenchCommand.self]
    )
}
