import ConvergeCore
import Foundation

/// A training-loop instrument that measures layer outputs through forward hooks on Linear,
/// Conv, normalization and activation layers (see ``ActivationStatistics/observation(of:)``):
/// every ``interval`` steps it keeps the statistics of that training batch.
///
/// ```swift
/// let activations = ActivationMonitor(interval: 20)
/// let trainer = Trainer(model: model, optimizer: optimizer, loss: .crossEntropy, callbacks: [activations])
/// try trainer.fit(train: loader, epochs: 5)
/// print(ActivationStatistics.findings(activations.snapshots.last?.statistics ?? []))
/// ```
///
/// Outside a trainer, ``attach(to:)`` and ``detach()`` install and remove the hooks; ``latest``
/// holds the statistics of the last forward pass (what ``ActivationStatistics/profile(_:input:)`` uses).
public final class ActivationMonitor: Callback {
    /// The statistics of one recorded batch.
    public struct Snapshot: Equatable, Sendable {
        /// The optimizer step whose forward pass was measured.
        public var step: Int
        /// The epoch (0-based).
        public var epoch: Int
        /// One entry per watched module, in the order they ran.
        public var statistics: [ActivationStatistics]
    }

    /// Steps between recorded batches (1: every batch).
    public let interval: Int
    /// The recorded batches.
    public private(set) var snapshots: [Snapshot] = []
    /// The statistics of the last measured forward pass.
    public private(set) var latest: [ActivationStatistics] = []

    private var hooks: [(Module, Int)] = []
    private var recording = true
    private var recordingStep = 0

    /// Creates a monitor recording every `interval` training steps.
    public init(interval: Int = 50) {
        precondition(interval >= 1, "ActivationMonitor: interval must be at least 1, got \(interval)")
        self.interval = interval
    }

    /// Installs forward hooks on every watched module of `model` (paths are assigned first).
    /// Every forward pass then refreshes ``latest`` while recording is on.
    public func attach(to model: Module) {
        detach()
        for (path, module) in model.namedModules() {
            guard let (kind, axis) = ActivationStatistics.observation(of: module) else { continue }
            let layer = String(describing: type(of: module))
            let id = module.addForwardHook { [weak self] _, _, output in
                guard let self, self.recording else { return }
                self.latest.append(ActivationStatistics(path: path, layer: layer, kind: kind, output: output, unitAxis: axis))
            }
            hooks.append((module, id))
        }
        latest = []
    }

    /// Removes the hooks installed by ``attach(to:)``.
    public func detach() {
        for (module, id) in hooks { module.removeForwardHook(id) }
        hooks.removeAll()
    }

    /// Forgets earlier runs and installs the hooks.
    public func beforeFit(_ trainer: Trainer) throws {
        snapshots.removeAll()
        attach(to: trainer.model)
    }

    /// Records this batch when its step is a multiple of ``interval``.
    public func beforeBatch(_ trainer: Trainer) throws {
        latest = []
        recordingStep = trainer.globalStep
        recording = trainer.globalStep % interval == 0
    }

    /// Keeps the recorded batch's statistics; nothing more is recorded until the next batch (so not validation).
    public func afterBatch(_ trainer: Trainer) throws {
        if recording && !latest.isEmpty {
            snapshots.append(Snapshot(step: recordingStep, epoch: trainer.epoch, statistics: latest))
        }
        recording = false
    }

    /// Removes the hooks.
    public func afterFit(_ trainer: Trainer) throws {
        detach()
        recording = true
    }
}
