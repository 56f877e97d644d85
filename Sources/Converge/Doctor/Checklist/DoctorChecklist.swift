import ConvergeCore
import Foundation

/// The seed's debugging checklist (§7.8.5), run automatically on a recipe's data and model:
///
/// 1. **Data pipeline** — labels, scaling, NaN/Inf, batch and output shapes, validation split;
/// 2. **Overfit one batch** — with dropout and weight decay off, the model must drive one
///    batch's loss to near zero, or the architecture or loss has a bug;
/// 3. **NaN/Inf hunt** — the first training steps run with anomaly mode on (every op checked);
/// 4. **Initialization and gradient flow** — the loss at initialization against chance,
///    per-layer gradient norms (vanishing/exploding), activation statistics (dead ReLUs, saturation);
/// 5. **Learning-rate finder** — a sweep (``LRFinder``) and its suggestion against the recipe's rate;
/// 6. **Short training run** — a few epochs of the recipe with every instrument on (anomaly
///    detection, gradient and activation monitors, loss-spike detector), then the loss-curve
///    diagnosis (``CurveDiagnosis``);
/// 7. **Schedule and regularization** — advice from the checklist's later steps.
///
/// Every check builds a fresh model from the recipe (same seed), so checks do not influence each
/// other. Step counts are small: on a small tabular recipe the whole checklist takes seconds.
///
/// ```swift
/// let session = try RecipeSession(Recipe.load(from: url))
/// let report = try DoctorChecklist(session: session).run()
/// print(report.text())
/// try report.write(to: URL(fileURLWithPath: "runs/doctor"))
/// ```
public struct DoctorChecklist {
    /// How much work each check does.
    public struct Options {
        /// Most optimizer steps for overfitting one batch.
        public var overfitSteps = 300
        /// Steps run under anomaly mode in the NaN/Inf hunt.
        public var anomalySteps = 50
        /// The learning-rate sweep.
        public var lrFinder = LRFinder()
        /// Epochs of the short training run (at most the recipe's).
        public var trainingEpochs = 10

        /// Default options.
        public init() {}
    }

    /// The recipe, loaded.
    public let session: RecipeSession
    /// The options.
    public var options: Options

    /// Creates a checklist for a loaded recipe.
    public init(session: RecipeSession, options: Options = Options()) {
        self.session = session
        self.options = options
    }

    /// Runs every check in order and returns the report; `progress` is told when each starts.
    public func run(progress: ((String) -> Void)? = nil) throws -> DoctorReport {
        try session.validateBatches(for: try session.makeModel())
        var report = DoctorReport(subject: session.recipe.file.relativePath)
        let steps: [(String, () throws -> DoctorReport.Section)] = [
            ("Lint (static checks on the recipe and its data)", lintRecipe),
            ("Data pipeline", checkData),
            ("Overfit one batch (regularization off)", overfitOneBatch),
            ("NaN/Inf hunt (anomaly mode)", huntAnomalies),
            ("Initialization and gradient flow", checkGradientFlow),
            ("Learning-rate finder", findLearningRate),
            ("Short training run and loss-curve diagnosis", trainBriefly),
            ("Schedule and regularization", adviseOnSchedule),
        ]
        let savedRandom = Random.generator.state
        defer { Random.generator.state = savedRandom }
        for (title, check) in steps {
            progress?(title)
            var section = try check()
            section.title = title
            report.sections.append(section)
        }
        return DoctorAdvice.reconcile(report, recipe: session.recipe)
    }

    /// Step 0: ``RecipeLint`` on the recipe and its data.
    func lintRecipe() throws -> DoctorReport.Section {
        let lint = RecipeLint().lint(session.recipe)
        var findings = lint.findings.filter { $0.severity != .info }.map(\.doctorFinding)
        if findings.isEmpty {
            findings.append(DoctorFinding(check: "lint", status: .ok, message: "no problems in the recipe and a sample of its data (\(lint.findings.count) remark\(lint.findings.count == 1 ? "" : "s"))"))
        }
        return DoctorReport.Section(title: "", findings: findings, details: lint.findings.filter { $0.severity == .info }.map { "- \($0)" })
    }

    // MARK: - Shared helpers

    /// A fresh model, optimizer and clipping callback built from the recipe (seeded).
    func makeTrainingSetup(from session: RecipeSession? = nil) throws -> (model: Sequential, optimizer: Optimizer, clipping: GradientClipping?) {
        let s = session ?? self.session
        let model = try s.makeModel()
        _ = model.namedParameters()
        let optimizer = s.makeOptimizer(for: model)
        let t = s.recipe.training
        let clipping = t.clipNorm != nil || t.clipValue != nil ? GradientClipping(maxNorm: t.clipNorm, clipValue: t.clipValue) : nil
        return (model, optimizer, clipping)
    }

    /// The first training batch (epoch 0 order).
    func firstBatch() -> Batch {
        session.makeTrainLoader().batches(epoch: 0)[0]
    }

    /// Up to 256 training examples (in file order) for activation statistics.
    func activationSample() -> Tensor {
        session.train.batch(indices: Array(0..<Swift.min(256, session.train.count))).inputs
    }

    /// The loss a model that knows nothing would get: ln 2 (binary), ln k (k classes), the
    /// label variance (regression).
    func chanceLoss() -> Double {
        switch session.outputKind {
        case .binaryLogits, .binaryProbabilities: return Foundation.log(2.0)
        case .multiclass(let k): return Foundation.log(Double(k))
        case .regression:
            let labels = session.train.labels.scalars.map(Double.init)
            let mean = labels.reduce(0, +) / Double(Swift.max(labels.count, 1))
            return labels.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(Swift.max(labels.count, 1))
        }
    }

    /// The recipe's largest learning rate: one-cycle's `max_lr`, a schedule's `base_lr`, else the optimizer's.
    func peakLearningRate() -> Double {
        session.recipe.schedule?.learningRate ?? session.recipe.optimizer.learningRate
    }

    static func f(_ x: Double) -> String { DoctorFormat.number(x) }
}

/// Stops a trainer after a number of optimizer steps.
final class StepLimit: Callback {
    let steps: Int
    init(steps: Int) { self.steps = steps }
    func afterStep(_ trainer: Trainer) throws { if trainer.globalStep >= steps { trainer.shouldStop = true } }
}
