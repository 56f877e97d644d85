/// Ranking metrics used to calibrate and check the demo datasets.
enum DemoMetrics {
    /// The area under the ROC curve of `scores` for binary `labels` (1 = positive): the
    /// probability that a random positive scores above a random negative, ties counting half
    /// (the Mann–Whitney statistic with average ranks). `nil` if a class is missing.
    static func areaUnderROC(scores: [Double], labels: [Float]) -> Double? {
        precondition(scores.count == labels.count, "areaUnderROC: \(scores.count) scores for \(labels.count) labels")
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var positiveRankSum = 0.0
        var positives = 0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && scores[order[end + 1]] == scores[order[start]] { end += 1 }
            let averageRank = Double(start + end) / 2 + 1
            for k in start...end where labels[order[k]] == 1 {
                positiveRankSum += averageRank
                positives += 1
            }
            start = end + 1
        }
        let negatives = scores.count - positives
        guard positives > 0 && negatives > 0 else { return nil }
        let p = Double(positives)
        return (positiveRankSum - p * (p + 1) / 2) / (p * Double(negatives))
    }
}
