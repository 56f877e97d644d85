import ArgumentParser
import Converge
import ConvergeExamples
import Foundation

/// `converge lr-find RECIPE [--start-lr 1e-7] [--end-lr 10] [--steps 100] [--svg FILE]`: the
/// learning-rate range test (seed §7.8.2) on the recipe's data, model and optimizer.
struct LRFindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lr-find",
        abstract: "Sweep the learning rate exponentially and suggest one (prints CSV lr,loss).",
        discussion: """
        Trains the recipe's model with its optimizer (and gradient clipping) for up to --steps batches \
        while the learning rate grows from --start-lr to --end-lr, and stops early once the smoothed \
        loss exceeds 4× its best. The weights are discarded afterwards. Prints `lr,loss` (the loss \
        smoothed by an exponential moving average, β = 0.98, bias-corrected) and a last line \
        `suggested learning rate: <value> (<rule>)`, using fastai's valley rule; the steepest-descent \
        and minimum/10 suggestions go to standard error.
        """)

    @Argument(help: "The recipe file.")
    var recipe: String

    @Option(name: .customLong("start-lr"), parsing: .unconditional, help: "The first learning rate.")
    var startLR: Double = 1e-7

    @Option(name: .customLong("end-lr"), parsing: .unconditional, help: "The learning rate reached after --steps steps.")
    var endLR: Double = 10

    @Option(parsing: .unconditional, help: "Number of steps (batches) in the sweep.")
    var steps: Int = 100

    @Option(help: "Also draw the loss against the learning rate into this SVG file.")
    var svg: String?

    func run() throws {
        try reportingErrors("lr-find") {
            guard startLR > 0, endLR > startLR else {
                throw ValidationError("need 0 < --start-lr < --end-lr, got \(startLR) and \(endLR)")
            }
            guard steps >= 2, steps <= 1_000_000 else { throw ValidationError("--steps must be from 2 to 1000000, got \(steps)") }
            let session = try RecipeSession(Recipe.load(from: URL(fileURLWithPath: recipe)))
            let model = try session.makeModel()
            try session.validateBatches(for: model)
            let optimizer = session.makeOptimizer(for: model)
            let finder = LRFinder(startLearningRate: startLR, endLearningRate: endLR, steps: steps,
                                  maxGradientNorm: session.recipe.training.clipNorm)
            let result = try finder.run(model: model, optimizer: optimizer, loss: session.loss, data: session.makeTrainLoader())
            if let svg { try result.chart(title: "Learning-rate finder: \(session.recipe.file.lastPathComponent)").write(to: svg) }
            print(result.csv(), terminator: "")
            for s in result.suggestions where s.rule != .valley {
                FileHandle.standardError.write(Data("\(s.rule.rawValue): \(String(format: "%.3g", s.learningRate))\n".utf8))
            }
            if result.isFlat { throw LRFindError.flat(fall: result.relativeFall) }
            guard let suggestion = result.suggestion else {
                throw LRFindError.tooShort(steps: result.learningRates.count)
            }
            print("suggested learning rate: \(String(format: "%.3g", suggestion.learningRate)) (\(suggestion.rule.rawValue))")
        }
    }
}

/// Why `lr-find` could not suggest a learning rate.
enum LRFindError: Error, CustomStringConvertible {
    case tooShort(steps: Int)
    case flat(fall: Double)

    var description: String {
        switch self {
        case .tooShort(let steps):
            return "the loss diverged after \(steps) steps, too early to suggest a learning rate; try a lower --start-lr or more --steps"
        case .flat(let fall):
            return "the loss never moved during the sweep (its best is \(String(format: "%.1f", fall * 100))% below its start): no learning rate is suggested, because the model is not learning at any rate; run converge doctor (gradient flow, dead units)"
        }
    }
}
