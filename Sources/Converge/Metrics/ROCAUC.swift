/// The area under the ROC curve of `scores` for binary `labels` (positive when at least 0.5),
/// computed exactly.
///
/// It is the Mann–Whitney statistic: the probability that a random positive scores higher than a
/// random negative, with ties counting one half. Tied scores get their average rank, which gives
/// the same value as scikit-learn's `roc_auc_score` (trapezoids over the ROC curve). Scores may
/// be logits or probabilities: only their order matters.
///
/// - Returns: nil when the labels hold only one class (the area is undefined); NaN when a score
///   is NaN.
public func rocAUC(scores: [Float], labels: [Float]) -> Double? {
    precondition(scores.count == labels.count, "rocAUC: \(scores.count) scores for \(labels.count) labels")
    let positive = labels.map { $0 >= 0.5 }
    let positives = positive.filter { $0 }.count, negatives = positive.count - positives
    guard positives > 0 && negatives > 0 else { return nil }
    if scores.contains(where: { $0.isNaN }) { return .nan }
    let order = scores.indices.sorted { scores[$0] < scores[$1] }
    var positiveRankSum = 0.0
    var start = 0
    while start < order.count {
        var end = start + 1
        while end < order.count && scores[order[end]] == scores[order[start]] { end += 1 }
        // Ranks start..<end (0-based) share the average 1-based rank.
        let averageRank = Double(start + end + 1) / 2
        for i in start..<end where positive[order[i]] { positiveRankSum += averageRank }
        start = end
    }
    let p = Double(positives), n = Double(negatives)
    return (positiveRankSum - p * (p + 1) / 2) / (p * n)
}
