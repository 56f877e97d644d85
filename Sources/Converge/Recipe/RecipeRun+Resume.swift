import Foundation

extension RecipeRun {
    /// What a run was started with, kept in the run folder as `run.json`: the number of epochs
    /// the schedule was fitted to.
    ///
    /// Resuming with more epochs (`--epochs`) continues the run past that length without
    /// re-fitting the schedule, so the learning rate does not jump: the extra epochs keep the
    /// rate (and momentum) the schedule reached at the end of the planned length — one-cycle's
    /// final rate, cosine's `eta_min`, a step decay's last value. A plateau schedule adapts as
    /// before. To fit a schedule to a longer run, start a new run.
    struct RunPlan: Codable, Equatable {
        /// Epochs the run was started with.
        var epochs: Int

        static let fileName = "run.json"

        func write(to folder: URL) throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(try encoder.encode(self), to: folder.appendingPathComponent(Self.fileName))
        }

        /// The plan in `folder`, or nil for a run folder written before plans were kept.
        static func read(from folder: URL) -> RunPlan? {
            guard let data = try? Data(contentsOf: folder.appendingPathComponent(fileName)) else { return nil }
            return try? JSONDecoder().decode(RunPlan.self, from: data)
        }
    }

    /// The summary of a restored run that has nothing left to do: early stopping ended it, or it
    /// has run `epochs` epochs. Nil when there is training left.
    static func completedRun(_ trainer: Trainer, stopper: EarlyStopping?, epochs: Int, output: URL) -> Summary? {
        let stopped = stopper?.stoppedEpoch
        guard stopped != nil || trainer.epoch >= epochs else { return nil }
        let records = trainer.history.records
        var bestEpoch = stopper.flatMap { $0.bestEpoch > 0 ? $0.bestEpoch : nil }
        var test: [(String, Double)]?
        if let data = try? Data(contentsOf: output.appendingPathComponent("summary.json")),
           let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            bestEpoch = bestEpoch ?? (json["best_epoch"] as? Int)
            if let t = json["test"] as? [String: Any] {
                test = t.keys.sorted().compactMap { key in (t[key] as? Double).map { (key, $0) } }
            }
        }
        let best = bestEpoch.flatMap { e in records.first { $0.epoch == e }?.values } ?? []
        var summary = Summary(output: output, epochs: records.count, bestEpoch: bestEpoch,
                              final: records.last?.values ?? [], best: best, test: test)
        summary.stoppedEarlyAt = stopped
        summary.alreadyComplete = true
        return summary
    }
}

/// A schedule that follows `schedule` up to `lastStep` and keeps its value there afterwards:
/// how a resumed run continues a schedule past the length it was fitted to.
struct HeldAfterEnd: LearningRateSchedule {
    let schedule: any LearningRateSchedule
    let lastStep: Int

    func learningRate(atStep step: Int) -> Double { schedule.learningRate(atStep: min(step, lastStep)) }
    func momentum(atStep step: Int) -> Double? { schedule.momentum(atStep: min(step, lastStep)) }
}

extension RecipeRun {
    /// `callback` with its schedule held at its value after `scheduleEpochs` epochs, when it is a
    /// ``LearningRateScheduler`` (a plateau schedule adapts by itself and is left alone).
    static func holdingSchedule(_ callback: Callback, after scheduleEpochs: Int, batchesPerEpoch: Int) -> Callback {
        guard let scheduler = callback as? LearningRateScheduler else { return callback }
        let last = scheduler.interval == .batch ? scheduleEpochs * batchesPerEpoch : scheduleEpochs
        return LearningRateScheduler(HeldAfterEnd(schedule: scheduler.schedule, lastStep: last), interval: scheduler.interval)
    }
}
