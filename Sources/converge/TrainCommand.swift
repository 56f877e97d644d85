import ArgumentParser
import Converge
import ConvergeExamples
import Foundation

/// `converge train RECIPE [--output DIR] [--epochs N] [--resume DIR] [--set key=value …] [--print-recipe] [--quiet]`.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the model a recipe file (YAML or JSON) describes.",
        discussion: """
        Writes into the output folder: model.safetensors, checkpoint/, history.csv, history.jsonl,
        tensorboard/, training.svg and summary.json (with test metrics when the recipe names a test set).
        An existing, non-empty output folder is never overwritten; --resume DIR continues the run in DIR
        exactly where its last checkpoint left it. Resuming a finished run (all epochs done, or stopped
        early) does nothing. Resuming with more --epochs keeps the schedule the run started with: the
        extra epochs keep the rate it ended with.
        """)

    @Argument(help: "The recipe file.")
    var recipe: String

    @Option(help: "Output folder (default: the recipe's `output`, else runs/<recipe name>).")
    var output: String?

    @Option(parsing: .unconditional, help: "Number of epochs (overrides training.epochs).")
    var epochs: Int?

    @Option(help: "Continue the run in this folder from its checkpoint.")
    var resume: String?

    @OptionGroup var recipeOptions: RecipeOptions

    @Flag(help: "Print nothing while training.")
    var quiet = false

    @Flag(help: "Replace an existing run folder (only one written by converge train).")
    var overwrite = false

    @Flag(help: "With --resume: continue although the recipe or data differ from the checkpoint's.")
    var allowChanges = false

    @Option(help: "Train data-parallel over N local processes (starts Open MPI's mpirun; under mpirun, omit it).")
    var processes: Int?

    func run() throws {
        try reportingErrors("train") {
            if let epochs, epochs < 1 || epochs > Recipe.maxEpochs {
                throw ValidationError("--epochs must be from 1 to \(Recipe.maxEpochs), got \(epochs)")
            }
            if let processes, !recipeOptions.printRecipe {
                let status = try MPILauncher.relaunch(processes: processes)
                if status != 0 { throw ExitCode(status) }
                return
            }
            let group = ProcessGroup.launchedWorldSize != nil ? try ProcessGroup.world() : nil
            let load = { try recipeOptions.load(self.recipe) }
            let recipe = try group?.agreeing(load) ?? load()
            if recipeOptions.printRecipe {
                if group?.rank ?? 0 == 0 { print(recipe.resolvedYAML(), terminator: "") }
                return
            }
            var options = RecipeRun.Options(output: output.map { URL(fileURLWithPath: $0) }, epochs: epochs,
                                            resume: resume.map { URL(fileURLWithPath: $0) }, quiet: quiet)
            options.processGroup = group
            options.overwrite = overwrite
            options.allowChanges = allowChanges
            options.catchesInterrupts = true
            let summary = try RecipeRun.train(recipe, options: options)
            if let group, group.rank != 0 { return }
            print(Self.report(summary), terminator: "")
        }
    }

    /// What `train` prints on standard output when it is done.
    static func report(_ summary: RecipeRun.Summary) -> String {
        func values(_ list: [(String, Double)]) -> String {
            list.map { "\($0.0) \(String(format: "%.4f", $0.1))" }.joined(separator: ", ")
        }
        let best = values(summary.best.filter { $0.0.hasPrefix("val_") || $0.0 == "train_loss" })
        let bestEpoch = summary.bestEpoch.map(String.init) ?? "-"
        var lines: [String] = []
        if summary.alreadyComplete {
            if let stopped = summary.stoppedEarlyAt {
                lines.append("already complete: stopped early at epoch \(stopped) (best \(bestEpoch)); nothing was trained")
            } else {
                lines.append("already complete: \(summary.epochs) epochs trained; nothing was trained (raise --epochs to continue)")
            }
        } else if let stopped = summary.stoppedEarlyAt {
            lines.append("stopped early at epoch \(stopped) (best \(bestEpoch))")
        } else {
            lines.append("trained \(summary.epochs) epochs")
        }
        lines.append("best epoch \(bestEpoch): \(best)")
        if let test = summary.test { lines.append("test: " + values(test)) }
        if !summary.alreadyComplete {
            lines.append("wrote \(summary.output.path)/ (model.safetensors, history.csv, training.svg, summary.json, …)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
