import ConvergeCore
import Foundation

extension DoctorChecklist {
    /// Step 4: the loss at initialization, per-layer gradient norms and activation statistics of
    /// one training-mode forward/backward pass on the first batch.
    func checkGradientFlow() throws -> DoctorReport.Section {
        let f = DoctorChecklist.f
        let (model, _, _) = try makeTrainingSetup()
        let batch = firstBatch()
        model.train()
        let loss = session.loss(model(batch.inputs), batch.targets)
        loss.backward()
        // Activation statistics over a larger sample: a unit is dead when it is zero for all of it.
        let monitor = ActivationMonitor()
        monitor.attach(to: model)
        withNoGrad { _ = model(activationSample()) }
        monitor.detach()
        var findings: [DoctorFinding] = []

        let initial = Double(loss.item()), chance = chanceLoss()
        let chanceName = session.numClasses == nil ? "the label variance (predicting the mean)" : "chance (\(session.outputCount == 1 ? "ln 2" : "ln \(session.outputCount)"))"
        if !initial.isFinite {
            findings.append(DoctorFinding(check: "initial-loss", status: .fail, message: "the loss at initialization is \(f(initial))",
                                          suggestion: "see the NaN/Inf hunt; check the inputs and the loss function"))
        } else if chance > 0 && initial > 3 * chance {
            findings.append(DoctorFinding(check: "initial-loss", status: .warn,
                                          message: "the loss at initialization is \(f(initial)), \(f(initial / chance))× \(chanceName) \(f(chance)): the model starts confidently wrong",
                                          suggestion: "scale down the last layer's initialization (or zero it) so the first predictions are near chance"))
        } else {
            findings.append(DoctorFinding(check: "initial-loss", status: .ok,
                                          message: "the loss at initialization is \(f(initial)), close to \(chanceName) \(f(chance))"))
        }

        let flow = GradientFlow(model: model)
        findings.append(flow.finding)
        findings += ActivationStatistics.findings(monitor.latest, context: "at initialization, on \(activationSample().shape[0]) training examples")

        var details = ["| layer | weight-gradient norm | zero fraction |", "|---|---|---|"]
        for layer in flow.layers {
            details.append("| `\(layer.name)` | \(f(layer.norm)) | \(DoctorFormat.percent(layer.zeroFraction)) |")
        }
        details += ["", "| module | layer | mean | std | zeros | saturated | dead units |", "|---|---|---|---|---|---|---|"]
        for s in monitor.latest {
            details.append("| `\(s.path)` | \(s.layer) | \(f(s.mean)) | \(f(s.std)) | \(DoctorFormat.percent(s.zeroFraction)) | \(s.saturatedFraction.map(DoctorFormat.percent) ?? "–") | \(s.deadUnits.map { "\($0) of \(s.units)" } ?? "–") |")
        }
        var figures: [DoctorReport.Figure] = []
        if flow.layers.count >= 2 {
            let chart = LineChart(panels: [LineChart.Panel(
                title: "Gradient flow at initialization", xLabel: "layer (input → output)", yLabel: "‖∂L/∂W‖",
                series: [LineChart.Series("weight-gradient norm", values: flow.layers.map(\.norm))],
                logScaleY: flow.layers.allSatisfy { $0.norm > 0 && $0.norm.isFinite },
                xTickLabels: flow.layers.map(\.name))])
            figures.append(DoctorReport.Figure(file: "gradient_flow.svg", caption: "Weight-gradient norm per layer at initialization", chart: chart))
        }
        return DoctorReport.Section(title: "", findings: findings, details: details, figures: figures)
    }
}
