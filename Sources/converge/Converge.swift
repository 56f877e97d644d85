import ArgumentParser
import Converge
import ConvergeExamples

/// The `converge` command-line tool.
@main
struct ConvergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "converge",
        abstract: "Train deep neural networks that converge.",
        discussion: "Shell completions: converge --generate-completion-script bash|zsh|fish (see the README).",
        version: ConvergeVersion.current,
        subcommands: [TrainCommand.self, EvaluateCommand.self, PredictCommand.self, SummaryCommand.self,
                      DoctorCommand.self, LRFindCommand.self,
                      InitCheckCommand.self, ScheduleCommand.self, DemoCommand.self, BenchCommand.self]
    )
}
