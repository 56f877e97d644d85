import ConvergeCore
import Foundation

/// Anomaly mode in the training loop: stops training at the first NaN or Inf and reports the op,
/// the module path and the phase (forward or backward) that produced it, with the step.
///
/// It works in two ways:
/// - **Every op checked.** Run the fit inside `Anomaly.detect(_:)`, or call
///   ``Trainer/fitDetectingAnomalies(train:validation:epochs:)``: every op then checks its output
///   and every backward rule its gradients, and this callback throws a ``TrainingAnomaly`` right
///   after the step (before the optimizer applies anything) in which the first one appeared.
/// - **Replay on failure** (anomaly mode off, no overhead): after each backward pass the callback
///   checks that the loss and the gradient norm are finite; the first time one is not, it replays
///   that batch's forward and backward passes under anomaly detection, from the same weights, to
///   name the op, and throws a ``TrainingAnomaly``.
///
/// ```swift
/// let trainer = Trainer(model: model, optimizer: optimizer, loss: .crossEntropy, callbacks: [AnomalyDetection()])
/// do { try trainer.fit(train: loader, epochs: 10) } catch let anomaly as TrainingAnomaly { print(anomaly) }
/// ```
/// Put it first among the callbacks, so that it sees the gradients before clipping changes them.
public final class AnomalyDetection: Callback {
    /// Creates the callback.
    public init() {}

    /// Throws a ``TrainingAnomaly`` at the step's first NaN/Inf, before the optimizer applies it.
    public func afterBackward(_ trainer: Trainer) throws {
        if Anomaly.isEnabled {
            if let anomaly = Anomaly.firstAnomaly { throw report(anomaly, trainer: trainer) }
            return
        }
        let norm = trainer.lastGradientNorm ?? gradNorm(trainer.model.trainableParameters)
        if trainer.lastGradientNorm == nil { trainer.lastGradientNorm = norm }
        guard !trainer.lastLoss.isFinite || !norm.isFinite, let batch = trainer.lastBatch else { return }
        var found: AnomalyError?
        do {
            try Anomaly.detect {
                trainer.optimizer.zeroGrad()
                let value = trainer.loss(trainer.model(batch.inputs), batch.targets)
                value.backward()
            }
        } catch let anomaly as AnomalyError {
            found = anomaly
        }
        throw report(found, trainer: trainer)
    }

    /// Throws a ``TrainingAnomaly`` for a NaN/Inf seen during validation (every-op mode).
    public func afterEpoch(_ trainer: Trainer) throws {
        // Validation runs between the last step and this event.
        if Anomaly.isEnabled, let anomaly = Anomaly.firstAnomaly {
            throw TrainingAnomaly(anomaly: anomaly, epoch: trainer.epoch - 1, batch: nil, step: trainer.globalStep,
                                  loss: Double(trainer.lastLoss), nonFiniteParameters: nonFiniteParameters(trainer.model))
        }
    }

    private func report(_ anomaly: AnomalyError?, trainer: Trainer) -> TrainingAnomaly {
        TrainingAnomaly(anomaly: anomaly, epoch: trainer.epoch, batch: trainer.batchIndex, step: trainer.globalStep,
                        loss: Double(trainer.lastLoss), nonFiniteParameters: nonFiniteParameters(trainer.model))
    }

    private func nonFiniteParameters(_ model: Module) -> [String] {
        model.namedParameters().filter { _, p in p.withUnsafeBufferPointer { $0.contains { !$0.isFinite } } }.map(\.0)
    }
}

/// The first NaN or Inf of a training run, found by ``AnomalyDetection``.
public struct TrainingAnomaly: Error, Equatable, CustomStringConvertible {
    /// The op, module path and phase, when anomaly detection could name them.
    public var anomaly: AnomalyError?
    /// The epoch (0-based).
    public var epoch: Int
    /// The batch within the epoch (nil: during validation).
    public var batch: Int?
    /// The optimizer step about to be taken (steps taken so far).
    public var step: Int
    /// The batch's loss.
    public var loss: Double
    /// Parameters that already held NaN/Inf (the previous update produced them).
    public var nonFiniteParameters: [String]

    /// Creates a report.
    public init(anomaly: AnomalyError?, epoch: Int, batch: Int?, step: Int, loss: Double, nonFiniteParameters: [String] = []) {
        self.anomaly = anomaly
        self.epoch = epoch
        self.batch = batch
        self.step = step
        self.loss = loss
        self.nonFiniteParameters = nonFiniteParameters
    }

    /// E.g. `step 12 (epoch 1, batch 12): anomaly: NaN in the forward output of log in module layers.1 (…)`.
    public var description: String {
        let place = batch.map { "step \(step) (epoch \(epoch + 1), batch \($0))" } ?? "validation after epoch \(epoch + 1)"
        var text = "\(place): " + (anomaly.map { "\($0)" }
            ?? "the loss (\(DoctorFormat.number(loss))) or the gradients became NaN/Inf, but replaying the step under anomaly detection found no op producing it")
        if !nonFiniteParameters.isEmpty {
            text += "; parameters already non-finite: " + nonFiniteParameters.joined(separator: ", ")
        }
        return text
    }
}

extension Trainer {
    /// Trains like ``fit(train:validation:epochs:)`` with anomaly mode on: every op checks its
    /// forward output and every backward rule its gradients, and the first NaN/Inf stops training
    /// with a ``TrainingAnomaly`` naming the op, the module path, the phase and the step. An
    /// ``AnomalyDetection`` callback is added for the duration of the fit when none is installed.
    @discardableResult
    public func fitDetectingAnomalies(train: BatchProvider, validation: BatchProvider? = nil, epochs: Int) throws -> History {
        let added = !callbacks.contains { $0 is AnomalyDetection }
        if added { callbacks.insert(AnomalyDetection(), at: 0) }
        defer { if added { callbacks.removeAll { $0 is AnomalyDetection } } }
        do {
            return try Anomaly.detect { try fit(train: train, validation: validation, epochs: epochs) }
        } catch let anomaly as AnomalyError {
            // Seen after the last callback event (e.g. in the final validation).
            throw TrainingAnomaly(anomaly: anomaly, epoch: Swift.max(0, epoch - 1), batch: nil, step: globalStep,
                                  loss: Double(lastLoss))
        }
    }
}
