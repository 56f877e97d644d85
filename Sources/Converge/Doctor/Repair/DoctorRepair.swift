import ConvergeCore
import Foundation

/// `converge doctor --repair`: when the checklist finds a problem, tries the fixes of the
/// catalogue (``Remedy``) that match the diagnosis, in the order of the reconciled
/// recommendations, each as a short training run from the same start (same seed: same
/// initialization, split and batch order), repeated with a second seed. Each fix is tried with
/// its learning rate: a small sweep (``Options/learningRateFactors``, on a third seed that the
/// acceptance test does not use) picks the rate that suits the fixed recipe, because a new
/// initializer, normalization or optimizer changes which rate works. A fix is accepted only
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
        /// The learning-rate multipliers tried with every fix (the first, 1, is the fix as
        /// recommended): the variant with the best metric on the tuning seed is the one judged.
        /// `[1]` turns the learning-rate search off.
        public var learningRateFactors: [Double] = [1, 1.0 / 3, 3, 0.1, 10]
        /// The tuning seed is the recipe's seed plus this (the acceptance test uses the recipe's
        /// seed and the next).
        public var tuningSeedOffset: UInt64 = 2

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
        /// The learning-rate factors each fix was tried with.
        public var learningRateFactors: [Double] = [1]
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

    /// One edit of the recipe under trial: the fix (and the learning rate chosen with it).
    struct Trial {
        var editor: RecipeEditor
        var recipe: Recipe
        var change: String
    }

    /// The edits to try for `remedy` on `recipe` (whose text is `editor`'s): the fix with the
    /// learning rate scaled by each of ``Options/learningRateFactors`` (a fix changes the
    /// landscape, so the rate that suited the old recipe may not suit the new one). A
    /// learning-rate remedy scales its own target instead, and keeps its direction: a remedy that
    /// lowers the rate never raises it. The first edit is the fix as recommended.
    func variants(of remedy: Remedy, on recipe: Recipe, editor: RecipeEditor) -> [Trial] {
        let peak = DoctorAdvice.peakLearningRate(of: recipe)
        let factors = options.learningRateFactors.isEmpty ? [1] : options.learningRateFactors
        var trials: [Trial] = []
        func parse(_ e: RecipeEditor) -> Recipe? { try? Recipe.parse(e.source, file: recipe.file) }
        switch remedy {
        case .learningRate, .lowerLearningRate, .raiseLearningRate:
            var first = editor
            guard let change = try? RecipeRepairs.apply(remedy, to: recipe, editor: &first), let fixed = parse(first) else { return [] }
            trials.append(Trial(editor: first, recipe: fixed, change: change))
            let direction = remedy.learningRateDirection(peak: peak)
            let target = DoctorAdvice.peakLearningRate(of: fixed)
            for factor in factors where factor != 1 {
                let rate = target * factor
                guard Remedy.learningRate(rate).learningRateDirection(peak: peak) == direction else { continue }
                var e = editor
                if let change = try? RecipeRepairs.apply(.learningRate(rate), to: recipe, editor: &e), let r = parse(e) {
                    trials.append(Trial(editor: e, recipe: r, change: change))
                }
            }
        default:
            var first = editor
            guard let change = try? RecipeRepairs.apply(remedy, to: recipe, editor: &first), let fixed = parse(first) else { return [] }
            trials = withLearningRates(Trial(editor: first, recipe: fixed, change: change))
        }
        return trials
    }

    /// `trial` and `trial` with its peak learning rate scaled by each factor other than 1.
    func withLearningRates(_ trial: Trial) -> [Trial] {
        let rate = DoctorAdvice.peakLearningRate(of: trial.recipe)
        var trials = [trial]
        for factor in options.learningRateFactors where factor != 1 {
            var e = trial.editor
            if let more = try? RecipeRepairs.apply(.learningRate(rate * factor), to: trial.recipe, editor: &e),
               let r = try? Recipe.parse(e.source, file: trial.recipe.file) {
                trials.append(Trial(editor: e, recipe: r, change: "\(trial.change); \(more)"))
            }
        }
        return trials
    }

    /// Of `trials`, the one with the best metric on the tuning seed (the recipe's seed +
    /// ``Options/tuningSeedOffset``, a seed the acceptance test does not use, so that picking
    /// the best of several does not inflate the metric the fix is judged by). Ties keep the
    /// earlier trial (the fix as recommended).
    func bestOf(_ trials: [Trial], higherIsBetter: Bool) -> Trial? {
        guard trials.count > 1 else { return trials.first }
        var best: (trial: Trial, value: Double)?
        for trial in trials {
            let value = metric(of: trial.recipe, seed: trial.recipe.seed &+ options.tuningSeedOffset)
            guard let current = best else { best = (trial, value); continue }
            let gain = higherIsBetter ? value - current.value : current.value - value
            if gain > 0 { best = (trial, value) }
        }
        return best?.trial
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
        func outOfTime() -> Bool { Date().timeIntervalSince(start) >= options.timeBudget }
        for round in 1...Swift.max(1, options.maxRounds) {
            let candidates = diagnosis.recommendations.filter { $0.status != .ok && !tried.contains("\($0.remedy)") }
            guard !candidates.isEmpty, !outOfTime() else { break }
            let floor = classification ? options.minimumImprovement : 2 * options.minimumImprovement * (baseline.isFinite ? baseline : 1)
            progress?("round \(round): metric \(DoctorFormat.number(baseline)) (two seeds differ by \(DoctorFormat.number(baselineSpread))); \(candidates.count) fix\(candidates.count == 1 ? "" : "es") to try")
            var acceptedOne = false
            var promising: [(gain: Double, trial: Trial, remedy: Remedy, checks: [String])] = []
            /// Measures `trial` against the baseline and records the attempt; true when accepted.
            func judge(_ trial: Trial, remedy: Remedy, change: String, checks: [String], started: Date, together: String? = nil) -> (accepted: Bool, gain: Double) {
                let (value, spread) = pair(trial.recipe)
                let margin = Swift.max(floor, (baselineSpread + spread) / 2)
                let gain = baseline.isFinite ? better(value, baseline) : (value.isFinite ? .infinity : 0)
                let accepted = gain > margin && (classification || value.isFinite)
                let what = together == nil ? "" : "together "
                var reason = accepted
                    ? "\(what)improved by \(DoctorFormat.number(gain)), more than the noise margin \(DoctorFormat.number(margin))"
                    : (gain > 0 ? "\(what)improved by only \(DoctorFormat.number(gain)), within the noise margin \(DoctorFormat.number(margin))" : "\(what)did not improve (\(DoctorFormat.number(gain)))")
                if let together { reason += " (\(together))" }
                attempts.append(Attempt(round: round, remedy: remedy, change: change, checks: checks, baseline: baseline,
                                        metric: value, margin: margin, accepted: accepted, reason: reason,
                                        seconds: Date().timeIntervalSince(started)))
                progress?("  \(accepted ? "accepted" : "rejected") \(change): \(DoctorFormat.number(value)) (\(reason))")
                if accepted {
                    editor = trial.editor
                    current = trial.recipe
                    baseline = value
                    baselineSpread = spread
                }
                return (accepted, gain)
            }
            for candidate in candidates {
                guard !outOfTime() else { break }
                tried.insert("\(candidate.remedy)")
                let trialStart = Date()
                guard let trial = bestOf(variants(of: candidate.remedy, on: current, editor: editor), higherIsBetter: classification) else {
                    attempts.append(Attempt(round: round, remedy: candidate.remedy, change: "not applicable to this recipe", checks: candidate.checks,
                                            baseline: baseline, metric: .nan, margin: floor, accepted: false,
                                            reason: "the catalogue has no edit for this recipe's form (e.g. a layer list)", seconds: 0))
                    continue
                }
                let (accepted, gain) = judge(trial, remedy: candidate.remedy, change: trial.change, checks: candidate.checks, started: trialStart)
                if accepted { acceptedOne = true; break }
                if gain.isFinite { promising.append((gain, trial, candidate.remedy, candidate.checks)) }
            }
            // No single fix beat the noise: try the most promising (it improved) with the next best
            // together, the learning rate tuned again for the pair.
            let ranked = promising.sorted { $0.gain > $1.gain }
            if !acceptedOne, ranked.count >= 2, ranked[0].gain > 0, !outOfTime() {
                let first = ranked[0], second = ranked[1]
                let trialStart = Date()
                // The second fix as recommended (its own learning-rate choice is left out; the pair's is tuned).
                var base = first.trial.editor
                if let change = try? RecipeRepairs.apply(second.remedy, to: first.trial.recipe, editor: &base),
                   let combined = try? Recipe.parse(base.source, file: recipe.file) {
                    let pairTrials = withLearningRates(Trial(editor: base, recipe: combined, change: "\(first.trial.change) + \(change)"))
                    if let trial = bestOf(pairTrials, higherIsBetter: classification) {
                        let result = judge(trial, remedy: second.remedy, change: trial.change,
                                           checks: first.checks + second.checks.filter { !first.checks.contains($0) }, started: trialStart,
                                           together: "\(first.remedy) with \(second.remedy)")
                        acceptedOne = result.accepted
                    }
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
                      seconds: Date().timeIntervalSince(start), learningRateFactors: options.learningRateFactors)
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
        md += ["", "Each metric is the mean of two short training runs from the same start (the recipe's seed and the next); the margin is the larger of the minimum improvement and the mean difference between the two seeds of the recipe before and with the fix. Each fix was tried at its learning rate scaled by \(learningRateFactors.map { DoctorFormat.number($0) }.joined(separator: ", ")) on a third seed (not one of the two), and the best of those is the one judged."]
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
