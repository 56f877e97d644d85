import ConvergeCore
import Foundation

/// Accumulates metrics over the batches of one epoch.
///
/// ```swift
/// var metrics = MetricAccumulator(outputs: .binaryLogits, metrics: [.loss, .accuracy, .rocAUC])
/// for batch in validationLoader {
///     let logits = model(batch.inputs)
///     metrics.update(outputs: logits, targets: batch.targets, loss: lossValue)
/// }
/// history.append(HistoryRecord(epoch: epoch, values: metrics.results()))
/// metrics.reset()
/// ```
///
/// Counts (accuracy, confusion matrix, error sums) are kept in integers and doubles; the ROC AUC
/// keeps every score of the epoch so it is exact.
public struct MetricAccumulator {
    /// How outputs are read.
    public let outputKind: ModelOutputKind
    /// The metrics computed, in result order.
    public let metrics: [Metric]

    private var loss = RunningMean()
    private var examples = 0
    private var correct = 0
    private var topKCorrect: [Int: Int] = [:]
    private var confusion: ConfusionMatrix?
    private var scores: [Float] = []
    private var labels: [Float] = []
    private var squaredError = 0.0, absoluteError = 0.0, regressionCount = 0

    /// Creates an accumulator. Metrics that do not fit the output kind (AUC for multiclass,
    /// top-k for binary, MSE for classification, accuracy for regression) are programmer errors.
    public init(outputs outputKind: ModelOutputKind, metrics: [Metric]) {
        for metric in metrics {
            switch (metric, outputKind) {
            case (.loss, _): break
            case (.accuracy, .regression), (.precision, .regression), (.recall, .regression), (.f1, .regression):
                preconditionFailure("MetricAccumulator: \(metric.name) needs a classification output, not regression")
            case (.topKAccuracy(let k), .multiclass):
                precondition(k >= 1, "MetricAccumulator: top-k accuracy needs k ≥ 1, got \(k)")
            case (.topKAccuracy, _):
                preconditionFailure("MetricAccumulator: \(metric.name) needs multiclass outputs")
            case (.rocAUC, .multiclass), (.rocAUC, .regression):
                preconditionFailure("MetricAccumulator: auc needs binary outputs")
            case (.meanSquaredError, .regression), (.meanAbsoluteError, .regression): break
            case (.meanSquaredError, _), (.meanAbsoluteError, _):
                preconditionFailure("MetricAccumulator: \(metric.name) needs regression outputs")
            default: break
            }
        }
        self.outputKind = outputKind
        self.metrics = metrics
        reset()
    }

    /// Forgets all batches (call at the start of each epoch).
    public mutating func reset() {
        loss.reset()
        examples = 0
        correct = 0
        topKCorrect = [:]
        scores = []
        labels = []
        squaredError = 0
        absoluteError = 0
        regressionCount = 0
        switch outputKind {
        case .binaryLogits, .binaryProbabilities: confusion = ConfusionMatrix(numClasses: 2)
        case .multiclass(let k): confusion = ConfusionMatrix(numClasses: k)
        case .regression: confusion = nil
        }
    }

    /// Adds one batch: the model's `outputs`, the `targets`, and optionally the batch's mean loss
    /// (weighted by the batch size, `outputs.shape[0]`).
    public mutating func update(outputs: Tensor, targets: Tensor, loss batchLoss: Double? = nil) {
        let n = outputs.rank == 0 ? 1 : outputs.shape[0]
        if let batchLoss { loss.add(batchLoss, weight: Double(n)) }
        examples += n
        switch outputKind {
        case .binaryLogits, .binaryProbabilities:
            precondition(outputs.count == n && targets.count == n,
                         "MetricAccumulator: binary outputs \(outputs.shape) and targets \(targets.shape) must hold one value per example")
            let values = outputs.scalars, truth = binaryLabels(targets.scalars)
            let predictions = outputKind == .binaryLogits ? binaryPredictions(logits: values) : binaryPredictions(probabilities: values)
            correct += zip(predictions, truth).filter { $0 == $1 }.count
            confusion!.add(predictions: predictions, targets: truth)
            if metrics.contains(.rocAUC) {
                scores += values
                labels += truth.map(Float.init)
            }
        case .multiclass(let k):
            precondition(outputs.rank == 2 && outputs.shape[1] == k && targets.count == n,
                         "MetricAccumulator: multiclass outputs must be [N, \(k)] with targets [N], got \(outputs.shape) and \(targets.shape)")
            let predictions = classPredictions(logits: outputs), truth = classLabels(targets)
            correct += zip(predictions, truth).filter { $0 == $1 }.count
            confusion!.add(predictions: predictions, targets: truth)
            for case .topKAccuracy(let topK) in metrics {
                topKCorrect[topK, default: 0] += topKHits(scores: outputs, targets: targets, k: topK)
            }
        case .regression:
            precondition(outputs.count == targets.count,
                         "MetricAccumulator: regression outputs \(outputs.shape) and targets \(targets.shape) differ in count")
            let p = outputs.scalars, t = targets.scalars
            for i in 0..<p.count {
                let d = Double(p[i]) - Double(t[i])
                squaredError += d * d
                absoluteError += abs(d)
            }
            regressionCount += p.count
        }
    }

    /// The epoch's values, named and in the order of ``metrics``. A value that is undefined
    /// (no batches, no loss given, an AUC with one class) is NaN.
    public func results() -> [(String, Double)] {
        metrics.map { metric in
            let value: Double
            switch metric {
            case .loss: value = loss.mean
            case .accuracy: value = examples > 0 ? Double(correct) / Double(examples) : .nan
            case .topKAccuracy(let k): value = examples > 0 ? Double(topKCorrect[k] ?? 0) / Double(examples) : .nan
            case .rocAUC: value = rocAUC(scores: scores, labels: labels) ?? .nan
            case .precision, .recall, .f1:
                guard let confusion, confusion.total > 0 else { value = .nan; break }
                let s = confusion.numClasses == 2 && outputKind != .multiclass(numClasses: 2) ? confusion.scores(of: 1) : confusion.macroScores
                value = metric == .precision ? s.precision : metric == .recall ? s.recall : s.f1
            case .meanSquaredError: value = regressionCount > 0 ? squaredError / Double(regressionCount) : .nan
            case .meanAbsoluteError: value = regressionCount > 0 ? absoluteError / Double(regressionCount) : .nan
            case .perplexity: value = Foundation.exp(loss.mean)
            }
            return (metric.name, value)
        }
    }
}
