import ConvergeCore
import Foundation

/// `converge doctor --repair`: when the checklist finds a problem, tries the fixes of the
/// catalogue (``Remedy``) that match the diagnosis, in the order of the reconciled
/// recommendations, each as a short training run from the same start (same seed: same
/// initialization, split and batch order), repeated with a second seed. A fix is accepted only
/// when the validation metric (the mean over the two seeds) improves by more than its noise: the
/// mean difference between the two seeds of the recipe before and with the fix (and at least
/// ``Options/minimumImprovement``). Then the recipe is re-diagnosed and the next round begins,
/// within a time budget.
///
/// The result holds the repaired recipe text (the original with each accepted change marked by
/// a `# doctor:` comment), every attempt with its metric and the reason it was accepted or
/// rejected, and whether the repaired recipe is healthy (no failing check).
public struct DoctorRepair {
    /// How much work the repair does.
    public struct Options {
        /// Wall-clock budget for the whole repair, in seconds.
        public var timeBudget: TimeInterval = 300
        /// Epochs of each short training run (at most the recipe's).
        public var trialEpochs = 10
        /// Most rounds of diagnose → try fixes → accept one.
        public var maxRounds = 4
        /// The checklist options of each re-diagnosis.
        public var checklist = DoctorChecklist.Options()
        /// The smallest improvement accepted whatever the noise: 0.01 of accuracy, or 2% of the
        /// mean squared error for regression.
        public var minimumImprovement = 0.01

        /// Default options.
        public init() {}
    }

    /// One fix tried.
    public struct Attempt: Sendable {
        /// The round (1-based).
        public var round: Int
        /// The remedy.
        public var remedy: Remedy
        /// What changed in the recipe (`optimizer.lr: 0.003 (was 0.3)`), or why nothing could.
        public var change: String
        /// The checks that called for it.
        public var checks: [String]
        /// The metric of the recipe before the fix, and with it.
        public var baseline: Double
        public var metric: Double
        /// The noise the improvement had to beat.
        public var margin: Double
        /// Whether it was accepted.
        public var accepted: Bool
        /// Why it was accepted or rejected.
        public var reason: String
        /// Seconds the trial took.
        public var seconds: Double
    }

    /// What the repair did.
    public struct Result {
        /// The recipe as given.
        public var original: Recipe
        /// The repaired recipe's text (the original when nothing was accepted).
        public var repairedSource: String
        /// Every attempt, in order.
        public var attempts: [Attempt]
        /// The validation metric's name (`validation accuracy`, `validation MSE`).
        public var metricName: String
        /// Whether larger values of the metric are better.
        public var higherIsBetter: Bool
        /// The metric of the original and of the repaired recipe (short runs).
        public var initialMetric: Double
        public var finalMetric: Double
        /// The diagnosis of the original and of the repaired recipe.
        public var initialReport: DoctorReport
        public var finalReport: DoctorReport
        /// Whether the repaired recipe is healthy (no failing check).
        public var isHealthy: Bool { finalReport.worstStatus != .fail }
        /// Whether any fix was accepted.
        public var improved: Bool { attempts.contains { $0.accepted } }
        /// Wall-clock seconds.
        public var seconds: Double
    }

    /// The options.
    public var options: Options

    /// Creates a repair.
    public init(options: Options = Options()) {
        self.options = options
    }

    /// The short training run's validation metric for `recipe` with `seed`: accuracy for
    /// classification, mean squared error for regression; the worst value when the run fails
    /// or its loss is not finite.
    public func metric(of recipe: Recipe, seed: UInt64? = nil) -> Double {
        var recipe = recipe
        if let seed { recipe.seed = seed }
        let classification = recipe.data.task == .classification
        let worst = classification ? 0 : Double.infinity
        guard let session = try? RecipeSession(recipe), let model = try? session.makeModel(),
              (try? session.validateBatches(for: model)) != nil else { return worst }
        let optimizer = session.makeOptimizer(for: model)
        let loader = session.makeTrainLoader()
        let epochs = Swift.max(1, Swift.min(options.trialEpochs, recipe.training.epochs))
        var callbacks: [Callback] = []
        let t = recipe.training
        if t.clipNorm != nil || t.clipValue != nil { callbacks.append(GradientClipping(maxNorm: t.clipNorm, clipValue: t.clipValue)) }
        if let schedule = try? session.makeScheduleCallback(epochs: epochs, batchesPerEpoch: loader.count) { callbacks.append(schedule) }
        let trainer = Trainer(model: model, optimizer: optimizer, loss: session.loss, callbacks: callbacks,
                              metrics: session.metrics, outputKind: session.outputKind, accumulationSteps: t.accumulationSteps)
        let saved = Random.generator.state
        defer { Random.generator.state = saved }
        guard (try? trainer.fit(train: loader, epochs: epochs)) != nil else { return worst }
        let data = session.validation ?? session.train
        let results = Dictionary(trainer.evaluate(session.makeEvaluationLoader(data)), uniquingKeysWith: { a, _ in a })
        guard let loss = results["loss"], loss.isFinite else { return worst }
        return classification ? (results["accuracy"] ?? worst) : (results["mean_squared_error"] ?? results["mse"] ?? loss)
    }

    /// Runs the repair on `recipe`, whose diagnosis is `report` (reconciled).
    public func run(_ recipe: Recipe, report: DoctorReport, progress: ((String) -> Void)? = nil) throws -> Result {
        let start = Date()
        let classification = recipe.data.task == .classification
        let better: (Double, Double) -> Double = { new, old in classification ? new - old : old - new }
        var current = recipe
        var editor = RecipeEditor(source: recipe.source)
        var diagnosis = report
        var attempts: [Attempt] = []
        var tried = Set<String>()
        // Every metric is the mean over two seeds (the recipe's and the next), and the noise the
        // mean half-spread of the two seeds of the baseline and of the candidate.
        func pair(_ r: Recipe) -> (mean: Double, spread: Double) {
            let a = metric(of: r), b = metric(of: r, seed: r.seed &+ 1)
            guard a.isFinite && b.isFinite else { return (classification ? (a + b) / 2 : .infinity, 0) }
            return ((a + b) / 2, Swift.abs(a - b))
        }
        var (baseline, baselineSpread) = pair(recipe)
        let initial = baseline
        for round in 1...Swift.max(1, options.maxRounds) {
            let candidates = diagnosis.recommendations.filter { $0.status != .ok && !tried.contains("\($0.remedy)") }
            guard !candidates.isEmpty, Date().timeIntervalSince(start) < options.timeBudget else { break }
            let floor = classification ? options.minimumImprovement : 2 * options.minimumImprovement * (baseline.isFinite ? baseline : 1)
            progress?("round \(round): metric \(DoctorFormat.number(baseline)) (two seeds differ by \(DoctorFormat.number(baselineSpread))); \(candidates.count) fix\(candidates.count == 1 ? "" : "es") to try")
            var acceptedOne = false
            for candidate in candidates {
                guard Date().timeIntervalSince(start) < options.timeBudget else { break }
                tried.insert("\(candidate.remedy)")
                let trialStart = Date()
                var trialEditor = editor
                let change: String?
                do { change = try RecipeRepairs.apply(candidate.remedy, to: current, editor: &trialEditor) } catch {
                    change = nil
                }
                guard let change, let trial = try? Recipe.parse(trialEditor.source, file: recipe.file) else {
                    attempts.append(Attempt(round: round, remedy: candidate.remedy, change: "not applicable to this recipe", checks: candidate.checks,
                                            baseline: baseline, metric: .nan, margin: floor, accepted: false,
                                            reason: "the catalogue has no edit for this recipe's form (e.g. a layer list)", seconds: 0))
                    continue
                }
                let (value, spread) = pair(trial)
                let margin = Swift.max(floor, (baselineSpread + spread) / 2)
                let gain = baseline.isFinite ? better(value, baseline) : (value.isFinite ? .infinity : 0)
                let accepted = gain > margin && (classification || value.isFinite)
                let reason = accepted
                    ? "improved by \(DoctorFormat.number(gain)), more than the noise margin \(DoctorFormat.number(margin))"
                    : (gain > 0 ? "improved by only \(DoctorFormat.number(gain)), within the noise margin \(DoctorFormat.number(margin))" : "did not improve (\(DoctorFormat.number(gain)))")
                attempts.append(Attempt(round: round, remedy: candidate.remedy, change: change, checks: candidate.checks, baseline: baseline,
                                        metric: value, margin: margin, accepted: accepted, reason: reason,
                                        seconds: Date().timeIntervalSince(trialStart)))
                progress?("  \(accepted ? "accepted" : "rejected") \(change): \(DoctorFormat.number(value)) (\(reason))")
                if accepted {
                    editor = trialEditor
                    current = trial
                    baseline = value
                    baselineSpread = spread
                    acceptedOne = true
                    break
                }
            }
            guard acceptedOne else { break }
            // Re-diagnose the repaired recipe.
            let session = try RecipeSession(current)
            diagnosis = try DoctorChecklist(session: session, options: options.checklist).run()
            if diagnosis.worstStatus != .fail && diagnosis.recommendations.allSatisfy({ $0.status == .ok }) { break }
        }
        let finalReport = attempts.contains { $0.accepted } ? diagnosis : report
        return Result(original: recipe, repairedSource: editor.source, attempts: attempts,
                      metricName: classification ? "validation accuracy" : "validation MSE", higherIsBetter: classification,
                      initialMetric: initial, finalMetric: baseline, initialReport: report, finalReport: finalReport,
                      seconds: Date().timeIntervalSince(start))
    }
}

extension DoctorRepair.Result {
    /// `repair.md`: the diagnosis, every attempt with its metric and why it was accepted or
    /// rejected, the outcome.
    public func markdown() -> String {
        let f: (Double) -> String = DoctorFormat.number
        var md = ["# Doctor repair", "", "Recipe: `\(original.file.relativePath)`. Metric: \(metricName) after a short training run (same seed: same start); \(higherIsBetter ? "higher" : "lower") is better.", "",
                  "- Before: \(f(initialMetric)) (\(initialReport.tally)).",
                  "- After: \(f(finalMetric)) (\(finalReport.tally)).",
                  "- Outcome: " + (isHealthy ? "the repaired recipe is healthy (no failing check)." : improved ? "improved, but a check still fails." : "no fix helped."),
                  String(format: "- Time: %.1f s.", seconds), "",
                  "| round | fix | change | for | before | after | margin | result | why | s |", "|---|---|---|---|---|---|---|---|---|---|"]
        for a in attempts {
            md.append("| \(a.round) | \(a.remedy) | \(a.change.replacingOccurrences(of: "|", with: "\\|")) | \(a.checks.joined(separator: ", ")) | \(f(a.baseline)) | \(f(a.metric)) | \(f(a.margin)) | \(a.accepted ? "**accepted**" : "rejected") | \(a.reason) | \(String(format: "%.1f", a.seconds)) |")
        }
        if attempts.isEmpty { md.append("| – | – | nothing to try: no recommendation from the diagnosis | | | | | | | |") }
        md += ["", "Each metric is the mean of two short training runs from the same start (the recipe's seed and the next); the margin is the larger of the minimum improvement and the mean difference between the two seeds of the recipe before and with the fix."]
        return md.joined(separator: "\n") + "\n"
    }

    /// Writes `repaired.yaml`, `repair.md` and `recipe.diff` into `directory`. Data and output
    /// paths in `repaired.yaml` are made absolute when the folder differs from the recipe's, so it
    /// trains from where it is written.
    @discardableResult
    public func write(to directory: URL) throws -> [URL] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var editor = RecipeEditor(source: repairedSource)
        let recipeFolder = original.file.deletingLastPathComponent().standardizedFileURL.path
        if directory.standardizedFileURL.path != recipeFolder {
            let map = RecipeSourceMap(source: repairedSource)
            for field in ["data.train", "data.validation", "data.test", "output"] {
                guard let value = map.scalar(at: field), Double(value) == nil, !value.hasPrefix("/") else { continue }
                try? editor.set(field, to: original.resolve(value).standardizedFileURL.path, comment: "doctor: path made absolute (was \(value))")
            }
        }
        let header = "# Repaired by converge doctor --repair from \(original.file.lastPathComponent): see repair.md\n"
        let files: [(String, String)] = [("repaired.yaml", header + editor.source), ("repair.md", markdown()),
                                         ("recipe.diff", RecipeEditor.diff(from: original.source, to: repairedSource, name: original.file.lastPathComponent))]
        return try files.map { name, text in
            let url = directory.appendingPathComponent(name)
            try AtomicFile.write(Data(text.utf8), to: url)
            return url
        }
    }
}
