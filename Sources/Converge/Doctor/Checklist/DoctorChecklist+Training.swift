import ConvergeCore
import Foundation

extension DoctorChecklist {
    /// Step 6: a few epochs of the recipe (its optimizer, schedule fitted to the shorter run,
    /// clipping; no early stopping) with anomaly detection, the gradient monitor and the
    /// loss-spike detector on, then the loss-curve diagnosis and the trained model's activation
    /// statistics.
    func trainBriefly() throws -> DoctorReport.Section {
        let (model, optimizer, clipping) = try makeTrainingSetup()
        let loader = session.makeTrainLoader()
        let epochs = Swift.max(1, Swift.min(options.trainingEpochs, session.recipe.training.epochs))
        // The loss before training: the mean over up to 10 batches, on a copy of the model (a
        // training-mode pass moves BatchNorm statistics).
        let probe = try session.makeModel()
        let probeBatches = loader.batches(epoch: 0).prefix(10)
        let initialLoss = withNoGrad {
            probeBatches.reduce(0.0) { $0 + Double(session.loss(probe($1.inputs), $1.targets).item()) } / Double(probeBatches.count)
        }
        let gradients = GradientMonitor(interval: Swift.max(1, loader.count))
        let spikes = LossSpikeDetector()
        // The instruments before clipping (they read the unclipped batch gradient), about 40 measurements.
        let panel = InstrumentPanel(interval: Swift.max(1, epochs * loader.count / Swift.max(1, session.recipe.training.accumulationSteps) / 40))
        var callbacks: [Callback] = [AnomalyDetection(), panel]
        if let clipping { callbacks.append(clipping) }
        if let schedule = try session.makeScheduleCallback(epochs: epochs, batchesPerEpoch: loader.count) { callbacks.append(schedule) }
        callbacks += [gradients, spikes]
        let trainer = Trainer(model: model, optimizer: optimizer, loss: session.loss, callbacks: callbacks,
                              metrics: session.metrics, outputKind: session.outputKind,
                              accumulationSteps: session.recipe.training.accumulationSteps)
        var findings: [DoctorFinding] = []
        let validation = session.validation.map(session.makeEvaluationLoader)
        do {
            try trainer.fit(train: loader, validation: validation, epochs: epochs)
        } catch let anomaly as TrainingAnomaly {
            findings.append(DoctorFinding(check: "nan-hunt", status: .fail, message: "during training, " + anomaly.description,
                                          suggestion: "fix the op named", remedies: [.lowerLearningRate, .clipGradients(maxNorm: 1)]))
        }
        let history = trainer.history
        let thresholds = CurveDiagnosis.Thresholds(initialLoss: initialLoss.isFinite ? initialLoss : nil)
        if history.records.isEmpty {
            findings.append(DoctorFinding(check: "loss-curve", status: .fail, message: "training stopped before the first epoch ended"))
        } else {
            findings += CurveDiagnosis.diagnose(history, thresholds: thresholds).map(\.finding)
        }
        findings.append(spikes.finding)
        findings += gradients.findings()
        findings += panel.findings()
        if !history.records.isEmpty {
            let sample = activationSample()
            findings += ActivationStatistics.findings(ActivationStatistics.profile(model, input: sample),
                                                      context: "after training, on \(sample.shape[0]) training examples")
        }

        let f = DoctorChecklist.f
        var details = ["\(history.records.count) epochs of \(loader.count) batches (the recipe asks for \(session.recipe.training.epochs); the schedule is fitted to this shorter run, early stopping is off). Loss before training (mean of \(probeBatches.count) batches): \(f(initialLoss)).",
                       "", "| epoch | train loss | val loss | lr | grad norm |", "|---|---|---|---|---|"]
        for r in history.records {
            details.append("| \(r.epoch) | \(f(r["train_loss"] ?? .nan)) | \(f(r["val_loss"] ?? .nan)) | \(f(r["lr"] ?? .nan)) | \(f(r["grad_norm"] ?? .nan)) |")
        }
        var figures: [DoctorReport.Figure] = []
        if !history.records.isEmpty {
            figures.append(DoctorReport.Figure(file: "training.svg", caption: "Short training run: loss curves, learning rate, gradient norm",
                                               chart: TrainingPlot.monitorChart(history)))
        }
        if gradients.norms.count >= 2 {
            let steps = gradients.norms.map { Double($0.step) }
            let chart = LineChart(title: "Global gradient norm per step", xLabel: "step", yLabel: "‖g‖",
                                  series: [LineChart.Series("before clipping", x: steps, y: gradients.norms.map(\.beforeClipping)),
                                           LineChart.Series("after clipping", x: steps, y: gradients.norms.map(\.afterClipping), isDashed: true)],
                                  logScaleY: gradients.norms.allSatisfy { $0.beforeClipping > 0 })
            figures.append(DoctorReport.Figure(file: "gradient_norms.svg", caption: "Global gradient norm before and after clipping", chart: chart))
        }
        let instruments = panel.chart()
        if !instruments.panels.isEmpty {
            figures.append(DoctorReport.Figure(file: "instruments.svg", caption: "Instruments: gradient signal-to-noise and update-to-weight ratio per layer, sharpness against the stability edge, step-size quality α",
                                               chart: instruments))
            details.append("")
            details.append("Instruments (every \(panel.interval) steps, on \(DoctorFormat.percent(panel.probeFraction)) of the step's batch, at least \(panel.minimumProbeRows) examples): \(String(format: "%.2f", panel.secondsSpent)) s spent measuring.")
        }
        return DoctorReport.Section(title: "", findings: findings, details: details, figures: figures)
    }
}
