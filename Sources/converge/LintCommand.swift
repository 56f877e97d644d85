import ArgumentParser
import Converge
import Foundation

/// `converge lint RECIPE [--json] [--strict]`: static checks on a recipe and a sample of its data
/// before training (``RecipeLint``).
struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check a recipe and a sample of its data for mistakes, before training.",
        discussion: """
        Checks the output layer against the loss (an activation before a loss that expects logits, \
        the output size against the classes, regression targets with a classification loss), the \
        data (NaN/Inf, unnormalized, constant or integer-coded features, the label range, leaking \
        features, a label-sorted file without shuffling), the initializer against the activation, \
        BatchNorm with tiny batches, dropout at the output, weight decay on bias and normalization \
        parameters, the learning rate against the optimizer's usual range and the schedule's length \
        against the run. Prints one line per finding (FILE:LINE: severity: [check] … → fix). \
        Exits with status 1 when there is an error (with --strict, also a warning).
        """)

    @Argument(help: "The recipe file.")
    var recipe: String

    @Flag(help: "Print the findings as JSON instead of text.")
    var json = false

    @Flag(help: "Exit with status 1 on warnings too.")
    var strict = false

    func run() throws {
        var failed = false
        try reportingErrors("lint") {
            let loaded = try Recipe.load(from: URL(fileURLWithPath: recipe))
            let report = RecipeLint().lint(loaded)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print(report.text(), terminator: "")
            }
            failed = report.hasErrors || (strict && report.worst >= .warning)
        }
        if failed { throw ExitCode(1) }
    }
}
