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
                      LintCommand.self, DoctorCommand.self, LRFindCommand.self,
                      InitCheckCommand.self, ScheduleCommand.self, DemoCommand.self, BenchCommand.self,
                      GenerateCommand.self]
    )

    /// Runs the command line, after the checks that need the whole argument list.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let error = ScheduleCommand.unknownSchedule(in: arguments) { exitWithOneLine(error, arguments: arguments) }
        runWithOneLineErrors(arguments)
    }
}
