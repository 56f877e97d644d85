import ConvergeCore
import Foundation

extension DoctorChecklist {
    /// Step 5: the learning-rate range test with the recipe's optimizer, and its suggestion
    /// against the recipe's (peak) learning rate.
    func findLearningRate() throws -> DoctorReport.Section {
        let f = DoctorChecklist.f
        let (model, optimizer, _) = try makeTrainingSetup()
        var finder = options.lrFinder
        finder.maxGradientNorm = session.recipe.training.clipNorm
        let result = try finder.run(model: model, optimizer: optimizer, loss: session.loss, data: session.makeTrainLoader())
        let peak = peakLearningRate()
        let finding: DoctorFinding
        if result.isFlat {
            finding = DoctorFinding(check: "lr-finder", status: .warn,
                                    message: "the loss never moved during the sweep from \(f(finder.startLearningRate)) to \(f(result.learningRates.last ?? finder.endLearningRate)) (its best is \(DoctorFormat.percent(result.relativeFall)) below its start): the model does not learn at any rate, so no learning rate is suggested",
                                    suggestion: "the learning rate is not the problem: see the gradient flow and activation checks")
        } else if let valley = result.suggestion, let minimum = result.suggestion(.minimumOverTen) {
            let atMinimum = minimum.learningRate * 10
            let others = result.suggestions.filter { $0.rule != .valley }.map(\.description).joined(separator: ", ")
            let what = "suggested learning rate \(String(format: "%.3g", valley.learningRate)) (valley; \(others)); the loss bottoms out at lr \(f(atMinimum))"
            if peak >= atMinimum {
                finding = DoctorFinding(check: "lr-finder", status: .warn,
                                        message: "\(what); the recipe's peak learning rate \(f(peak)) is at or beyond that minimum, where the loss starts to climb",
                                        remedies: [.learningRate(valley.learningRate)])
            } else if peak < valley.learningRate / 10 {
                finding = DoctorFinding(check: "lr-finder", status: .warn,
                                        message: "\(what); the recipe's peak learning rate \(f(peak)) is more than 10× below the suggestion: training will be slow",
                                        remedies: [.learningRate(valley.learningRate)])
            } else {
                finding = DoctorFinding(check: "lr-finder", status: .ok,
                                        message: "\(what); the recipe's peak learning rate \(f(peak)) lies in the range where the loss falls")
            }
        } else {
            finding = DoctorFinding(check: "lr-finder", status: .warn,
                                    message: "the sweep from \(f(finder.startLearningRate)) stopped after \(result.learningRates.count) steps (loss \(f(result.smoothedLosses.last ?? .nan))), too early to suggest a learning rate",
                                    suggestion: "start the sweep lower (--start-lr) or check the NaN/Inf hunt")
        }
        let details = ["Sweep: \(result.learningRates.count) steps from \(f(finder.startLearningRate)) toward \(f(finder.endLearningRate))" +
                       (result.diverged ? ", stopped when the smoothed loss exceeded \(f(finder.divergenceFactor))× its best." : ".")]
        return DoctorReport.Section(title: "", findings: [finding], details: details,
                                    figures: [DoctorReport.Figure(file: "lr_find.svg", caption: "Learning-rate finder: loss against learning rate",
                                                                  chart: result.chart())])
    }

    /// Step 7: the checklist's later advice (regularization one at a time, one-cycle).
    func adviseOnSchedule() throws -> DoctorReport.Section {
        let recipe = session.recipe
        var findings: [DoctorFinding] = []
        if let schedule = recipe.schedule {
            findings.append(DoctorFinding(check: "schedule", status: .ok, message: "the recipe uses the \(schedule.name) schedule"))
        } else {
            findings.append(DoctorFinding(check: "schedule", status: .ok, message: "the recipe uses a constant learning rate",
                                          suggestion: "try the one-cycle policy (schedule: { name: one-cycle, max_lr: <the lr-finder suggestion> }): often faster convergence than a hand-tuned schedule"))
        }
        var regularizers: [String] = []
        switch recipe.model {
        case .mlp(let mlp):
            if mlp.batchNorm { regularizers.append("batch norm") }
            if mlp.dropout > 0 { regularizers.append("dropout \(mlp.dropout)") }
        case .layers(let layers):
            if layers.contains(where: { $0.kind.hasSuffix("norm") }) { regularizers.append("normalization layers") }
            if layers.contains(where: { $0.kind == "dropout" }) { regularizers.append("dropout") }
        }
        let decay = recipe.optimizer.weightDecay ?? (recipe.optimizer.name == "adamw" ? 1e-2 : 0)
        if decay > 0 { regularizers.append("weight decay \(DoctorChecklist.f(decay))") }
        if recipe.training.earlyStopping != nil { regularizers.append("early stopping") }
        findings.append(DoctorFinding(check: "regularization", status: .ok,
                                      message: regularizers.isEmpty ? "no regularization" : "regularization: " + regularizers.joined(separator: ", "),
                                      suggestion: "add regularization one piece at a time (batch norm, then dropout, then weight decay) and compare the validation loss after each"))
        return DoctorReport.Section(title: "", findings: findings)
    }
}
