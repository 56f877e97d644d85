/// The linear scaling rule (Goyal et al., 2017): when the batch size is multiplied by k, multiply
/// the learning rate by k. `baseLearningRate` is tuned for `baseBatchSize`.
///
/// Large scaled rates are unstable in the first epochs; pair them with a warmup, e.g.
/// `LinearWarmup(schedule, warmupSteps: suggestedWarmupSteps(...))`.
public func linearScaledLearningRate(baseLearningRate: Double, baseBatchSize: Int, batchSize: Int) -> Double {
    precondition(baseBatchSize > 0 && batchSize > 0,
                 "linearScaledLearningRate: batch sizes must be positive (base \(baseBatchSize), new \(batchSize))")
    return baseLearningRate * Double(batchSize) / Double(baseBatchSize)
}

/// The warmup the linear scaling rule calls for: `warmupEpochs` epochs (Goyal et al. use 5) when
/// the batch grows beyond the base batch size, none otherwise.
public func suggestedWarmupSteps(baseBatchSize: Int, batchSize: Int, stepsPerEpoch: Int, warmupEpochs: Double = 5) -> Int {
    precondition(baseBatchSize > 0 && batchSize > 0 && stepsPerEpoch >= 0 && warmupEpochs >= 0,
                 "suggestedWarmupSteps: sizes must be positive (base \(baseBatchSize), new \(batchSize), steps per epoch \(stepsPerEpoch))")
    guard batchSize > baseBatchSize else { return 0 }
    return Int((warmupEpochs * Double(stepsPerEpoch)).rounded(.up))
}
