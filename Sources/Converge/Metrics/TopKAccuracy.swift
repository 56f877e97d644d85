import ConvergeCore

/// The fraction of rows of `scores` `[N, C]` whose target class (from `targets` `[N]`) is among
/// the `k` highest scores.
///
/// A target counts as found when fewer than `k` classes score strictly higher than it, so ties at
/// the boundary are resolved in the target's favour (a deterministic stand-in for `topk`'s
/// arbitrary tie order). A NaN score for the target counts as a miss.
public func topKAccuracy(scores: Tensor, targets: Tensor, k: Int) -> Double {
    let n = scores.rank == 2 ? scores.shape[0] : 0
    let hits = topKHits(scores: scores, targets: targets, k: k)
    return n > 0 ? Double(hits) / Double(n) : .nan
}

/// The number of rows whose target is in the top `k` (see ``topKAccuracy(scores:targets:k:)``).
func topKHits(scores: Tensor, targets: Tensor, k: Int) -> Int {
    precondition(scores.rank == 2 && targets.count == scores.shape[0],
                 "topKAccuracy: scores must be [N, C] and targets [N], got \(scores.shape) and \(targets.shape)")
    precondition(k >= 1, "topKAccuracy: k must be at least 1, got \(k)")
    let n = scores.shape[0], c = scores.shape[1]
    let labels = classLabels(targets)
    let p = scores.storage.pointer
    var hits = 0
    for i in 0..<n {
        precondition(labels[i] < c, "topKAccuracy: target \(labels[i]) is outside 0..<\(c)")
        let target = p[i * c + labels[i]]
        if target.isNaN { continue }
        var higher = 0
        for j in 0..<c where p[i * c + j] > target || p[i * c + j].isNaN { higher += 1 }
        if higher < k { hits += 1 }
    }
    return hits
}
