import ConvergeCore
import Foundation

extension DoctorChecklist {
    /// Step 3: the first training steps with anomaly mode on (every op checks its output and
    /// gradients for NaN/Inf).
    func huntAnomalies() throws -> DoctorReport.Section {
        let (model, optimizer, clipping) = try makeTrainingSetup()
        let loader = session.makeTrainLoader()
        let steps = Swift.min(options.anomalySteps, Swift.max(1, loader.count))
        let trainer = Trainer(model: model, optimizer: optimizer, loss: session.loss,
                              callbacks: [AnomalyDetection()] + (clipping.map { [$0] } ?? []) + [StepLimit(steps: steps)],
                              outputKind: session.outputKind)
        let finding: DoctorFinding
        do {
            try trainer.fitDetectingAnomalies(train: loader, epochs: 1)
            finding = DoctorFinding(check: "nan-hunt", status: .ok,
                                    message: "no NaN or Inf in \(trainer.globalStep) training steps with every op's output and gradient checked")
        } catch let anomaly as TrainingAnomaly {
            finding = DoctorFinding(check: "nan-hunt", status: .fail, message: anomaly.description,
                                    suggestion: "fix the op named (e.g. log/sqrt/division of values ≤ 0: add an epsilon or clamp)",
                                    remedies: [.lowerLearningRate, .clipGradients(maxNorm: 1)])
        }
        return DoctorReport.Section(title: "", findings: [finding])
    }
}
