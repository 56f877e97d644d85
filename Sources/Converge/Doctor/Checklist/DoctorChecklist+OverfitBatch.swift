import ConvergeCore
import Foundation

extension DoctorChecklist {
    /// The recipe with dropout and weight decay switched off (checklist step 2).
    func recipeWithoutRegularization() -> Recipe {
        var recipe = session.recipe
        switch recipe.model {
        case .mlp(var mlp):
            mlp.dropout = 0
            recipe.model = .mlp(mlp)
        case .layers(let layers):
            recipe.model = .layers(layers.filter { $0.kind != "dropout" })
        }
        recipe.optimizer.weightDecay = 0
        return recipe
    }

    /// Step 2: with regularization off, the model must drive one batch's loss to near zero.
    func overfitOneBatch() throws -> DoctorReport.Section {
        let f = DoctorChecklist.f
        let plain = try RecipeSession(recipeWithoutRegularization())
        let (model, optimizer, clipping) = try makeTrainingSetup(from: plain)
        let batch = firstBatch()
        model.train()
        var losses: [Double] = []
        var accuracy: Double?
        let target = 0.05
        for _ in 0..<options.overfitSteps {
            optimizer.zeroGrad()
            let output = model(batch.inputs)
            let loss = session.loss(output, batch.targets)
            losses.append(Double(loss.item()))
            if session.numClasses != nil {
                var metric = MetricAccumulator(outputs: session.outputKind, metrics: [.accuracy])
                metric.update(outputs: output.detached(), targets: batch.targets)
                accuracy = metric.results().first { $0.0 == "accuracy" }?.1
            }
            if !losses.last!.isFinite || losses.last! <= target * losses[0] { break }
            loss.backward()
            if let clipping {
                if let v = clipping.clipValue { clipGradValue(optimizer.parameters, clipValue: v) }
                if let n = clipping.maxNorm { _ = clipGradNorm(optimizer.parameters, maxNorm: n) }
            }
            withNoGrad { optimizer.step() }
        }
        let first = losses[0], last = losses.last!
        let accuracyText = accuracy.map { ", batch accuracy \(DoctorFormat.percent($0))" } ?? ""
        let what = "\(batch.count) examples, \(losses.count) steps of \(session.recipe.optimizer.name) at lr \(f(session.recipe.optimizer.learningRate)), dropout 0, weight decay 0"
        let finding: DoctorFinding
        if !last.isFinite {
            finding = DoctorFinding(check: "overfit-one-batch", status: .fail,
                                    message: "the loss on one batch became \(f(last)) after \(losses.count) steps (\(what))",
                                    suggestion: "the learning rate is too high even for one batch, or an op overflows: see the NaN/Inf hunt",
                                    remedies: [.lowerLearningRate])
        } else if last <= target * first {
            finding = DoctorFinding(check: "overfit-one-batch", status: .ok,
                                    message: "one batch memorized: loss \(f(first)) → \(f(last)) (below \(DoctorFormat.percent(target)) of the start) in \(losses.count) steps\(accuracyText) (\(what))")
        } else if last <= 0.25 * first {
            finding = DoctorFinding(check: "overfit-one-batch", status: .warn,
                                    message: "one batch not fully memorized: loss \(f(first)) → \(f(last)) (\(DoctorFormat.percent(last / first)) of the start)\(accuracyText) (\(what))",
                                    suggestion: "it is still falling: likely fine, but a larger learning rate or more capacity would get there faster")
        } else {
            finding = DoctorFinding(check: "overfit-one-batch", status: .fail,
                                    message: "cannot overfit one batch: loss \(f(first)) → \(f(last)) (\(DoctorFormat.percent(last / first)) of the start)\(accuracyText) (\(what))",
                                    suggestion: "a model that cannot memorize one batch has a bug or too little capacity: check the loss matches the output (logits vs probabilities), the labels, frozen layers, and the learning rate")
        }
        let chart = LineChart(title: "Overfitting one batch", xLabel: "step", yLabel: "loss",
                              series: [LineChart.Series("batch loss", values: losses)], logScaleY: losses.allSatisfy { $0 > 0 })
        return DoctorReport.Section(title: "", findings: [finding],
                                    figures: [DoctorReport.Figure(file: "overfit_one_batch.svg", caption: "Loss on one batch, regularization off", chart: chart)])
    }
}
