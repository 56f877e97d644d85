import ArgumentParser
import Converge
import ConvergeExamples
import Foundation

/// `converge schedule NAME [--param value ...] --steps N [--svg FILE]`: prints a learning-rate
/// schedule as CSV (`step,lr,momentum`) and optionally draws it (seed §7.5.6).
struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Print a learning-rate schedule as CSV (step,lr,momentum); --svg FILE draws it.",
        discussion: ScheduleCommandLine.usage
    )

    /// Everything after `schedule`, parsed by ``ScheduleCommandLine`` so that an unknown
    /// schedule or flag gets a one-line error listing the valid ones.
    @Argument(parsing: .captureForPassthrough, help: "NAME [--param value ...] --steps N [--svg FILE]")
    var arguments: [String] = []

    func run() throws {
        if arguments.contains(where: { $0 == "--help" || $0 == "-h" }) {
            print(ScheduleCommand.helpMessage())
            return
        }
        let commandLine: ScheduleCommandLine
        do {
            commandLine = try ScheduleCommandLine.parse(arguments)
        } catch let error as ScheduleCommandLineError {
            FileHandle.standardError.write(Data("converge schedule: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if let path = commandLine.svgPath {
            do {
                try commandLine.chart().write(to: path)
            } catch {
                FileHandle.standardError.write(Data("converge schedule: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
        print(commandLine.csv(), terminator: "")
    }
}
