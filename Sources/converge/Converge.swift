import ArgumentParser
import Converge
import ConvergeExamples

/// The `converge` command-line tool.
@main
struct ConvergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "converge",
        abstract: "Train deep neural networks that converge.",
        subcommands: [TrainCommand.self, PredictCommand.self, DoctorCommand.self, LRFindCommand.self,
                      InitCheckCommand.self, ScheduleCommand.self, DemoCommand.self, BenchCommand.self,
                      GenerateCommand.self]
    )
}
