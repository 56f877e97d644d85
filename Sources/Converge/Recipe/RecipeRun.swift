import ConvergeCore
import Foundation

/// Runs a recipe end to end (what `converge train` does) and writes the run folder:
/// `model.safetensors`, `checkpoint/`, `history.csv`, `history.jsonl`, `tensorboard/`,
/// `training.svg`, `summary.json`, plus `recipe.yaml`, `model.json` and `standardizer.json`
/// so that `converge predict` can rebuild the model.
public enum RecipeRun {
    /// Why a run could not start or continue.
    public enum RunError: Error, CustomStringConvertible, Equatable {
        /// The output folder already holds files and no resume was asked for.
        case outputNotEmpty(String)
        /// `--resume` names a folder without a checkpoint.
        case noCheckpoint(String)
        /// `--overwrite` names a folder that is not a converge run folder.
        case notARunFolder(String)
        /// The checkpoint was made with a different recipe or data (what differs).
        case fingerprintMismatch(String, differences: [String])
        /// The loss became NaN or infinite; the last good checkpoint is kept.
        case diverged(epoch: Int, step: Int, batch: Int, loss: Float, output: String, hasCheckpoint: Bool)
        /// Ctrl-C stopped the run at a step boundary; a checkpoint was written.
        case interrupted(epoch: Int, step: Int, batch: Int, output: String, recipe: String)

        /// One line.
        public var description: String {
            switch self {
            case .outputNotEmpty(let path):
                return "output folder \(path) already holds files; nothing was changed (use --resume \(path) to continue that run, --overwrite to replace it, or choose another --output)"
            case .noCheckpoint(let path): return "resume: no checkpoint in \(path) (expected \(path)/checkpoint/state.json)"
            case .notARunFolder(let path):
                return "--overwrite: \(path) is not a converge run folder (no run-state.json, recipe.yaml or checkpoint); nothing was removed"
            case .fingerprintMismatch(let path, let differences):
                return "resume: the checkpoint in \(path) was made with a different recipe or data: \(differences.joined(separator: "; ")); nothing was changed (pass --allow-changes to continue with the changes)"
            case .diverged(let epoch, let step, let batch, let loss, let output, let hasCheckpoint):
                let kept = hasCheckpoint ? "the last good checkpoint is kept in \(output)/checkpoint" : "no checkpoint was reached"
                return "training diverged: the loss became \(loss.isNaN ? "NaN" : "\(loss)") at epoch \(epoch), batch \(batch) (step \(step)); no model was written and \(kept). Hint: lower optimizer.lr (try `converge lr-find`), add training.clip_norm, check the data for extreme values, or run `converge doctor` on the recipe"
            case .interrupted(let epoch, let step, let batch, let output, let recipe):
                return "interrupted at epoch \(epoch), batch \(batch) (step \(step)); checkpoint written to \(output)/checkpoint; continue with: converge train \(recipe) --resume \(output)"
            }
        }
    }

    /// Options that override or complement the recipe.
    public struct Options {
        /// The output folder (default: the recipe's `output`, else `runs/<recipe name>`).
        public var output: URL?
        /// Replaces `training.epochs`.
        public var epochs: Int?
        /// Continue the run in this folder from its checkpoint.
        public var resume: URL?
        /// Print nothing while training.
        public var quiet = false
        /// Extra callbacks (tests use this to interrupt a run).
        public var extraCallbacks: [Callback] = []
        /// Replace an existing run folder (only one that `converge train` wrote).
        public var overwrite = false
        /// Resume although the recipe or data differ from the checkpoint's.
        public var allowChanges = false
        /// Catch Ctrl-C (SIGINT) while training: finish the step, write a checkpoint and throw
        /// ``RunError/interrupted(epoch:step:batch:output:recipe:)`` (one process only; `converge
        /// train` turns it on).
        public var catchesInterrupts = false
        /// Train data-parallel over this group (every rank calls ``RecipeRun/train(_:options:)``;
        /// rank 0 writes the run folder). Nil: one process.
        public var processGroup: ProcessGroup?
        /// Receives the model summary and notes about the run (not in quiet mode); default:
        /// standard error, beside the progress lines.
        public var report: (String) -> Void = ProgressReporter.writeToStandardError

        /// Default options.
        public init(output: URL? = nil, epochs: Int? = nil, resume: URL? = nil, quiet: Bool = false) {
            self.output = output
            self.epochs = epochs
            self.resume = resume
            self.quiet = quiet
        }
    }

    /// What a finished run reports (also written as `summary.json`).
    public struct Summary {
        /// The run folder.
        public var output: URL
        /// Epochs run.
        public var epochs: Int
        /// 1-based epoch with the best monitored value.
        public var bestEpoch: Int?
        /// The last epoch's record.
        public var final: [(String, Double)]
        /// The best epoch's record.
        public var best: [(String, Double)]
        /// Test metrics (loss and the task's metrics), when the recipe has a test set.
        public var test: [(String, Double)]?
        /// The 1-based epoch at which early stopping ended the run, if it did.
        public var stoppedEarlyAt: Int? = nil
        /// Whether a resumed run had nothing left to do (it had reached its epochs or stopped
        /// early); nothing was trained or written.
        public var alreadyComplete = false
        /// Processes that trained the model (data-parallel world size).
        public var worldSize = 1
    }

    /// Validates everything, trains and writes the run folder.
    @discardableResult
    public static func train(_ recipe: Recipe, options: Options = Options()) throws -> Summary {
        let parallel = options.processGroup.map(DataParallelRun.init)
        let writes = parallel?.writes ?? true
        func agreeing<T>(_ body: () throws -> T) throws -> T { try parallel?.agreeing(body) ?? body() }
        let output = options.resume ?? options.output ?? recipe.output.map { recipe.resolve($0) }
            ?? URL(fileURLWithPath: "runs").appendingPathComponent(recipe.file.deletingPathExtension().lastPathComponent)
        let checkpointURL = output.appendingPathComponent("checkpoint")
        // Everything that can fail on bad input happens before anything is written.
        let session = try agreeing { try RecipeSession(recipe) }
        var model = try agreeing { () -> Sequential in
            let model = try session.makeModel()
            try session.validateBatches(for: model)
            return model
        }
        let synchronizer = try parallel.map { parallel -> DataParallelSynchronizer in
            let prepared = try parallel.prepare(model, recipe: recipe)
            model = prepared.0
            return prepared.1
        }
        let optimizer = session.makeOptimizer(for: model)
        let loader = session.makeTrainLoader()
        let trainData: BatchProvider = parallel.map { DistributedDataLoader(loader, group: $0.group) } ?? loader
        let epochs = options.epochs ?? recipe.training.epochs
        func say(_ text: String) { if !options.quiet { options.report(text + "\n") } }
        // The schedule is fitted once, to the length the run started with (run.json), so that
        // resuming with more epochs continues the same schedule instead of re-fitting it.
        let plan = options.resume != nil ? RunPlan.read(from: output) : nil
        let scheduleEpochs = try parallel?.fromRankZero(plan?.epochs ?? epochs) ?? plan?.epochs ?? epochs
        let fingerprint = try agreeing { try RunFingerprint(recipe: recipe, epochs: epochs) }
        let validationLoader = session.validation.map(session.makeEvaluationLoader)
        var callbacks: [Callback] = []
        if recipe.training.clipNorm != nil || recipe.training.clipValue != nil {
            callbacks.append(GradientClipping(maxNorm: recipe.training.clipNorm, clipValue: recipe.training.clipValue))
        }
        if let schedule = try agreeing({ try session.makeScheduleCallback(epochs: scheduleEpochs, batchesPerEpoch: trainData.batchesPerEpoch) }) {
            callbacks.append(epochs > scheduleEpochs
                             ? holdingSchedule(schedule, after: scheduleEpochs, batchesPerEpoch: trainData.batchesPerEpoch) : schedule)
        }
        var stopper: EarlyStopping?
        if let es = recipe.training.earlyStopping {
            let monitor = session.validation == nil && es.monitor == "val_loss" ? "train_loss" : es.monitor
            let recorded = ["train_loss"] + (session.validation == nil ? [] : ["val_loss"] + session.metrics.map { "val_" + $0.name })
            guard recorded.contains(monitor) else {
                throw RecipeError(file: recipe.file.path, line: es.monitorLine, field: "training.early_stopping.monitor",
                                  message: "'\(es.monitor)' is not recorded by this run (valid: \(recorded.joined(separator: ", ")))")
            }
            let s = EarlyStopping(monitor: monitor, patience: es.patience, minDelta: es.minDelta,
                                  mode: monitor.hasSuffix("loss") || monitor.hasSuffix("mse") || monitor.hasSuffix("mae") ? .min : .max,
                                  restoreBestWeights: es.restoreBest)
            stopper = s
            callbacks.append(s)
        }
        if let dtype = DType(rawValue: recipe.training.precision), dtype != .float32 {
            callbacks.append(MixedPrecision(dtype: dtype))
        }
        if writes {
            callbacks.append(HistoryLogger(directory: output, stepInterval: recipe.training.tensorBoardEverySteps))
            callbacks.append(TrainingPlotWriter(url: output.appendingPathComponent("training.svg")))
            callbacks.append(Checkpointing(directory: checkpointURL, everySteps: recipe.training.checkpointEverySteps,
                                           metadata: fingerprint.metadata))
            if !options.quiet { callbacks.append(ProgressCallback()) }
        }
        callbacks += options.extraCallbacks
        let trainer = Trainer(model: model, optimizer: optimizer, loss: session.loss, callbacks: callbacks,
                              metrics: session.metrics, outputKind: session.outputKind,
                              accumulationSteps: recipe.training.accumulationSteps)
        trainer.synchronizer = synchronizer
        if let parallel, writes, !options.quiet { print("data-parallel over \(parallel.group.worldSize) processes") }

        // Claim the folder (rank 0): lock it for the life of the run, then decide what its
        // contents allow.
        let lock = try agreeing { () -> RunFolderLock? in
            guard writes else { return nil }
            return try RunFolderClaim.claim(output, checkpoint: checkpointURL, resume: options.resume != nil,
                                            overwrite: options.overwrite)
        }
        defer { lock?.release() }
        let hasCheckpoint = writes && Checkpoint.exists(checkpointURL)
        let agreedCheckpoint = try parallel?.fromRankZero(hasCheckpoint ? 1 : 0) ?? (hasCheckpoint ? 1 : 0)
        let resuming = options.resume != nil && agreedCheckpoint == 1
        try agreeing {
            guard writes, resuming, !options.allowChanges, let metadata = try Checkpoint.metadata(of: checkpointURL),
                  let saved = RunFingerprint(metadata: metadata) else { return }
            let differences = fingerprint.differences(from: saved)
            guard differences.isEmpty else { throw RunError.fingerprintMismatch(output.path, differences: differences) }
        }
        let divergence = DivergenceGuard(maxSkippedSteps: 100)
        trainer.callbacks.insert(divergence, at: 0)
        let interrupt = options.catchesInterrupts && parallel == nil && writes
            ? InterruptGuard(checkpoint: checkpointURL, metadata: fingerprint.metadata) : nil
        if let interrupt {
            trainer.callbacks.append(interrupt)
            interrupt.install()
        }
        defer { interrupt?.uninstall() }
        if resuming {
            // A checkpoint that cannot be restored leaves the folder as it was.
            try agreeing {
                if let parallel { try parallel.restore(trainer, from: checkpointURL) } else { try Checkpoint.restore(trainer, from: checkpointURL) }
                guard trainer.resumeBatch < max(1, trainData.batchesPerEpoch) else {
                    throw TrainingError.badCheckpoint(path: checkpointURL.appendingPathComponent("state.json").path,
                                                      reason: "nextBatch: \(trainer.resumeBatch) is out of range for \(trainData.batchesPerEpoch) batches per epoch")
                }
            }
            // A run killed after its last checkpoint but before its final artifacts were written
            // has nothing left to train, but must still publish them (below, with no epochs run).
            let published = RunFolderState.read(in: output)?.state == "complete"
                && FileManager.default.fileExists(atPath: output.appendingPathComponent("model.safetensors").path)
            if let done = completedRun(trainer, stopper: stopper, epochs: epochs, output: output), published || !writes {
                say(done.stoppedEarlyAt.map { "already complete: stopped early at epoch \($0) (best \(done.bestEpoch ?? 0)); nothing to do" }
                    ?? "already complete: \(done.epochs) of \(epochs) epochs trained; nothing to do (raise --epochs to train more)")
                return done
            }
            if let plan, epochs > plan.epochs, recipe.schedule != nil {
                say("note: the schedule keeps the length the run started with (\(plan.epochs) epochs); "
                    + "epochs \(plan.epochs + 1)-\(epochs) keep the rate it ended with")
            }
        }
        var state = RunFolderState.starting()
        if writes { try state.write(in: output) }
        FaultPoint.reach("run.started")
        do {
            if !resuming {
                try agreeing {
                    guard writes else { return }
                    try writeModelDescription(session, to: output)
                    try RunPlan(epochs: epochs).write(to: output)
                }
            }
            if writes && !options.quiet { options.report(ModelSummary(model, inputShape: session.inputShape).table) }
            let finished = resuming && completedRun(trainer, stopper: stopper, epochs: epochs, output: output) != nil
            try trainer.fit(train: trainData, validation: validationLoader, epochs: finished ? trainer.epoch : epochs)
        } catch {
            state.state = "failed"
            state.reason = "\(error)"
            var failure = error
            if let stop = interrupt?.stop {
                state.state = "interrupted"
                failure = RunError.interrupted(epoch: stop.epoch, step: stop.step, batch: stop.batch, output: output.path,
                                               recipe: recipe.file.path)
                state.reason = "\(failure)"
            } else if let stop = divergence.stop {
                state.state = "diverged"
                failure = RunError.diverged(epoch: stop.epoch + 1, step: stop.step, batch: stop.batch + 1, loss: stop.loss,
                                            output: output.path, hasCheckpoint: Checkpoint.exists(checkpointURL))
                state.reason = "\(failure)"
            }
            if writes { try? state.write(in: output) }
            guard let parallel else { throw failure }
            parallel.failAlone(failure)
        }

        // Final artifacts: weights (best weights when early stopping restored them) and summary.
        // A model with a NaN or infinite weight is never published.
        if let bad = model.stateDict().first(where: { $0.1.scalars.contains { !$0.isFinite } }) {
            let failure = RunError.diverged(epoch: trainer.epoch, step: trainer.globalStep, batch: trainer.batchIndex + 1,
                                            loss: .nan, output: output.path, hasCheckpoint: Checkpoint.exists(checkpointURL))
            state.state = "diverged"
            state.reason = "the trained weights hold NaN or infinite values (\(bad.0)); " + failure.description
            if writes { try? state.write(in: output) }
            throw failure
        }
        if writes { try model.saveSafetensors(to: output.appendingPathComponent("model.safetensors")) }
        FaultPoint.reach("run.model-written")
        let history = trainer.history
        let bestIndex: Int? = {
            guard let monitor = stopper?.monitor ?? (session.validation != nil ? "val_loss" : "train_loss") as String?,
                  !history.records.isEmpty else { return nil }
            let values = history.series(monitor)
            let maximize = stopper?.mode == .max
            let order = values.indices.filter { !values[$0].isNaN }
            return maximize ? order.max { values[$0] < values[$1] } : order.min { values[$0] < values[$1] }
        }()
        var summary = Summary(output: output, epochs: history.records.count, bestEpoch: bestIndex.map { $0 + 1 },
                              final: history.records.last?.values ?? [], best: bestIndex.map { history.records[$0].values } ?? [],
                              test: nil)
        summary.worldSize = parallel?.group.worldSize ?? 1
        if let test = session.test {
            summary.test = trainer.evaluate(session.makeEvaluationLoader(test))
        }
        summary.stoppedEarlyAt = stopper?.stoppedEpoch
        if let stopper, stopper.stoppedEpoch != nil, stopper.bestEpoch > 0 { summary.bestEpoch = stopper.bestEpoch }
        if writes {
            try writeSummary(summary, to: output.appendingPathComponent("summary.json"))
            state.state = "complete"
            try state.write(in: output)
        }
        return summary
    }

    static func writeModelDescription(_ session: RecipeSession, to output: URL) throws {
        try AtomicFile.write(Data(session.recipe.source.utf8), to: output.appendingPathComponent("recipe.yaml"))
        let description = ModelDescription(inputShape: session.inputShape, featureNames: session.featureNames,
                                           labelColumn: session.recipe.data.label,
                                           task: session.recipe.data.task.rawValue, numClasses: session.numClasses,
                                           outputCount: session.outputCount, encoding: session.encoding)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(description), to: output.appendingPathComponent("model.json"))
        try session.standardizer?.save(to: output.appendingPathComponent("standardizer.json"))
        try session.writeVocabulary(to: output)
    }

    static func writeSummary(_ summary: Summary, to url: URL) throws {
        func object(_ values: [(String, Double)]) -> String {
            "{" + values.map { "\"\($0.0)\": \($0.1.isFinite ? String($0.1) : "null")" }.joined(separator: ", ") + "}"
        }
        var fields = ["\"epochs\": \(summary.epochs)",
                      "\"best_epoch\": \(summary.bestEpoch.map(String.init) ?? "null")",
                      "\"final\": \(object(summary.final))",
                      "\"best\": \(object(summary.best))",
                      "\"world_size\": \(summary.worldSize)"]
        if let test = summary.test { fields.append("\"test\": \(object(test))") }
        try AtomicFile.write(Data(("{\n  " + fields.joined(separator: ",\n  ") + "\n}\n").utf8), to: url)
    }
}

/// What `converge predict` needs to rebuild a trained model besides the recipe.
public struct ModelDescription: Codable, Equatable {
    /// Per-sample input shape.
    public var inputShape: [Int]
    /// Feature columns in order.
    public var featureNames: [String]
    /// The label column of the training data.
    public var labelColumn: String
    /// `classification` or `regression`.
    public var task: String
    /// Number of classes, for classification.
    public var numClasses: Int?
    /// Outputs per sample.
    public var outputCount: Int
    /// How CSV columns become features and labels (class names, one-hot columns, imputed
    /// values); nil for `.npy` data and for runs written before it existed.
    public var encoding: TableEncoding? = nil
}
