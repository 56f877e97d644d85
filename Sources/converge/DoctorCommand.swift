import ArgumentParser
import Converge
import ConvergeExamples
import Foundation

/// `converge doctor RECIPE [--output DIR]`: runs the seed's debugging checklist (§7.8.5) on a
/// recipe and writes `doctor.json`, `doctor.md` and its charts.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Run the training-debugging checklist on a recipe and report what is wrong.",
        discussion: """
        Checks, in order: the data (labels, scaling, NaN/Inf, shapes), overfitting one batch with \
        regularization off, a NaN/Inf hunt with anomaly mode on, the loss at initialization and the \
        gradient flow per layer (dead ReLUs, saturation), the learning-rate finder, and a short \
        training run with loss-curve diagnosis, loss-spike detection and gradient monitoring. \
        Prints a report and writes doctor.json (a list of findings {check, status, message, \
        suggestion}), doctor.md and SVG charts into the output folder (files from an earlier \
        doctor run there are replaced). Exits with status 1 when a check fails.
        """)

    @Argument(help: "The recipe file.")
    var recipe: String

    @Option(help: "Where to write the report (default: the recipe's output folder with -doctor appended, else runs/<recipe name>-doctor).")
    var output: String?

    @Option(parsing: .unconditional, help: "Epochs of the short training run (at most the recipe's).")
    var epochs: Int = 10

    @Flag(help: "Try fixes from the catalogue matched to the diagnosis; write repaired.yaml, repair.md and recipe.diff. Exit 0 when the repaired recipe is healthy.")
    var repair = false

    @Option(help: "Time budget of --repair in seconds.")
    var budget: Double = 300

    @Option(name: .customLong("trial-epochs"), help: "Epochs of each --repair trial run (at most the recipe's).")
    var trialEpochs: Int = 10

    @Flag(help: "Do not print progress to standard error.")
    var quiet = false

    func run() throws {
        var failed = false
        try reportingErrors("doctor") {
            guard epochs >= 1, epochs <= Recipe.maxEpochs else {
                throw ValidationError("--epochs must be from 1 to \(Recipe.maxEpochs), got \(epochs)")
            }
            let loaded = try Recipe.load(from: URL(fileURLWithPath: recipe))
            var options = DoctorChecklist.Options()
            options.trainingEpochs = epochs
            let start = Date()
            let report: DoctorReport
            do {
                report = try DoctorChecklist(session: try RecipeSession(loaded), options: options).run { step in
                    if !quiet { FileHandle.standardError.write(Data("doctor: \(step)…\n".utf8)) }
                }
            } catch {
                // The recipe does not load: the lint says why (and what else is wrong) before any training.
                let lint = RecipeLint().lint(loaded)
                guard lint.hasErrors else { throw error }
                print(lint.text(), terminator: "")
                failed = true
                return
            }
            let directory = output.map { URL(fileURLWithPath: $0) } ?? DoctorCommand.defaultOutput(for: loaded)
            try report.write(to: directory)
            print(report.text(), terminator: "")
            print("wrote \(directory.path)/doctor.md and doctor.json (\(String(format: "%.1f", Date().timeIntervalSince(start))) s)")
            failed = report.worstStatus == .fail
            guard repair else { return }
            guard budget > 0, trialEpochs >= 1 else { throw ValidationError("--budget must be positive and --trial-epochs at least 1") }
            guard failed || !report.recommendations.isEmpty else {
                print("repair: nothing to repair (no failing check, no recommendation)")
                return
            }
            var repairOptions = DoctorRepair.Options()
            repairOptions.timeBudget = budget
            repairOptions.trialEpochs = trialEpochs
            repairOptions.checklist = options
            let result = try DoctorRepair(options: repairOptions).run(loaded, report: report) { line in
                if !quiet { FileHandle.standardError.write(Data("repair: \(line)\n".utf8)) }
            }
            try result.write(to: directory)
            let f: (Double) -> String = { String(format: "%.4g", $0) }
            print("repair: \(result.attempts.filter(\.accepted).count) of \(result.attempts.count) fixes accepted; \(result.metricName) \(f(result.initialMetric)) → \(f(result.finalMetric)); "
                  + (result.isHealthy ? "the repaired recipe is healthy" : result.improved ? "improved, but a check still fails" : "no fix helped"))
            print("wrote \(directory.path)/repaired.yaml, repair.md and recipe.diff (\(String(format: "%.1f", result.seconds)) s)")
            failed = !result.isHealthy
        }
        if failed { throw ExitCode(1) }
    }

    static func defaultOutput(for recipe: Recipe) -> URL {
        if let output = recipe.output {
            let url = recipe.resolve(output).standardizedFileURL
            return url.deletingLastPathComponent().appendingPathComponent(url.lastPathComponent + "-doctor")
        }
        return URL(fileURLWithPath: "runs").appendingPathComponent(recipe.file.deletingPathExtension().lastPathComponent + "-doctor")
    }
}
