import Foundation

/// Classifies a training run's loss curves into the seed's patterns (§7.8.1) and gives the
/// evidence — the epochs and values — that led to it, with the likely causes and fixes.
///
/// ```swift
/// let history = try trainer.fit(train: loader, validation: validation, epochs: 30)
/// for d in CurveDiagnosis.diagnose(history) { print(d.finding) }
/// ```
///
/// The rules, in order (values are per-epoch mean losses, "first" is the first epoch's; the loss
/// before training, when ``Thresholds`` has it, only serves to see an explosion within the first
/// epoch):
/// 1. **diverging** — a loss is NaN/Inf, rises above `explosionFactor` × its best so far and
///    above the first value, or (with a known initial loss) every epoch stays above
///    `worseThanInitial` × the loss before training;
/// 2. **flat** — the best training loss is less than `flatImprovement` below the first (and,
///    when the loss before training is known, less than 25 % below that);
/// 3. **overfitting** — validation bottoms out at least two epochs before the end, ends more
///    than `overfitRise` above its minimum (and averages more than half that above it since),
///    while the training loss keeps falling and ends below the validation loss;
/// 4. **memorizing** — the training loss ends below `nearZero` × first, with validation above
///    it by a gap of more than a tenth of the first value (and not rising);
/// 5. **oscillating** — over the second half, at least 40 % of the epoch-to-epoch changes are
///    rises, the swings average more than `oscillation` of the level, and they are at least 3×
///    the net progress;
/// 6. **underfitting** — over the last third the training loss improves by less than
///    `plateauImprovement` while staying above `highPlateau` × the larger of the first and the
///    initial loss (validation, if any, also flat);
/// 7. otherwise **healthy**. Overfitting or memorizing can come with oscillation; underfitting
///    is only reported alone.
public struct CurveDiagnosis: Equatable, Sendable {
    /// Tunable limits of the rules.
    public struct Thresholds: Equatable, Sendable {
        /// The loss before any training, when known (best the mean over a few batches: one batch is noisy).
        public var initialLoss: Double?
        /// Relative improvement below which the curve is flat.
        public var flatImprovement = 0.02
        /// How far above its best a loss must rise to count as exploding.
        public var explosionFactor = 10.0
        /// With a known initial loss: a run whose every epoch stays above this multiple of it made
        /// things worse throughout, and counts as diverging.
        public var worseThanInitial = 1.5
        /// Relative rise of the validation loss above its minimum that counts as overfitting.
        public var overfitRise = 0.1
        /// Fraction of the first loss below which the training loss is "near zero".
        public var nearZero = 0.05
        /// Mean relative swing above which changes count as oscillation.
        public var oscillation = 0.05
        /// Relative improvement over the last third below which the curve has plateaued.
        public var plateauImprovement = 0.02
        /// Fraction of the first loss above which a plateau is "high".
        public var highPlateau = 0.5
        /// Epochs needed to judge anything but divergence.
        public var minimumEpochs = 3

        /// Default limits.
        public init(initialLoss: Double? = nil) { self.initialLoss = initialLoss }
    }

    /// The pattern.
    public var pattern: LossCurvePattern
    /// The values and epochs that led to the pattern.
    public var evidence: String
    /// The 1-based epochs the evidence points at.
    public var epochs: [Int]

    /// Creates a diagnosis.
    public init(pattern: LossCurvePattern, evidence: String, epochs: [Int] = []) {
        self.pattern = pattern
        self.evidence = evidence
        self.epochs = epochs
    }

    /// The diagnosis as a doctor finding (check `loss-curve`): the evidence, the likely causes,
    /// and the fixes as the suggestion.
    public var finding: DoctorFinding {
        let causes = pattern.causes.isEmpty ? "" : " Likely: " + pattern.causes.joined(separator: "; or ") + "."
        return DoctorFinding(check: "loss-curve", status: pattern.status,
                             message: "\(pattern.title): \(evidence).\(causes)",
                             suggestion: pattern.otherFixes.joined(separator: "; "), remedies: pattern.remedies)
    }

    /// Diagnoses the `train_loss` and `val_loss` series of `history`.
    public static func diagnose(_ history: History, trainKey: String = "train_loss", validationKey: String = "val_loss",
                                thresholds: Thresholds = Thresholds()) -> [CurveDiagnosis] {
        let validation = history.keys.contains(validationKey) ? history.series(validationKey) : nil
        return diagnose(train: history.series(trainKey), validation: validation, thresholds: thresholds)
    }

    /// Diagnoses per-epoch training losses and, optionally, validation losses (same length).
    /// Returns the patterns found, most serious first (``LossCurvePattern/healthy`` alone when
    /// none is).
    public static func diagnose(train: [Double], validation: [Double]? = nil,
                                thresholds t: Thresholds = Thresholds()) -> [CurveDiagnosis] {
        let n = train.count
        let v = validation.flatMap { $0.count == n ? $0 : nil }
        func e(_ i: Int) -> String { "epoch \(i + 1)" }
        func f(_ x: Double) -> String { DoctorFormat.number(x) }
        guard n > 0 else { return [CurveDiagnosis(pattern: .inconclusive, evidence: "no epochs recorded")] }

        // 1. Diverging: non-finite values, or an explosion far above the best so far.
        if let k = train.firstIndex(where: { !$0.isFinite }) {
            if k == 0 {
                let start = t.initialLoss.map { " (it was \(f($0)) before training)" } ?? ""
                return [CurveDiagnosis(pattern: .diverging, evidence: "the training loss is \(f(train[0])) from \(e(0))\(start)", epochs: [1])]
            }
            let best = train[..<k].indices.min { train[$0] < train[$1] }!
            return [CurveDiagnosis(pattern: .diverging,
                                   evidence: "the training loss went from \(f(train[0])) (\(e(0))) to \(f(train[best])) (\(e(best))), then became \(f(train[k])) at \(e(k))",
                                   epochs: [best + 1, k + 1])]
        }
        if let v, let k = v.firstIndex(where: { !$0.isFinite }) {
            return [CurveDiagnosis(pattern: .diverging, evidence: "the validation loss became \(f(v[k])) at \(e(k)) (training loss \(f(train[k])))",
                                   epochs: [k + 1])]
        }
        let first = train[0]
        if let initial = t.initialLoss, initial > 0, train[0] > t.explosionFactor * initial {
            return [CurveDiagnosis(pattern: .diverging,
                                   evidence: "the training loss rose from \(f(initial)) before training to \(f(train[0])) in \(e(0))", epochs: [1])]
        }
        if let initial = t.initialLoss, initial > 0, let best = train.min(), best > t.worseThanInitial * initial {
            let b = train.firstIndex(of: best)!
            return [CurveDiagnosis(pattern: .diverging,
                                   evidence: "the training loss rose from \(f(initial)) before training to \(f(train[0])) in \(e(0)) and never came back (best \(f(best)) at \(e(b)), \(f(best / initial))× the start)",
                                   epochs: [1, b + 1])]
        }
        var bestSoFar = train[0]
        for i in train.indices.dropFirst() {
            if train[i] > t.explosionFactor * bestSoFar && train[i] > Swift.max(first, t.initialLoss ?? first) {
                let best = train[..<i].indices.min { train[$0] < train[$1] }!
                return [CurveDiagnosis(pattern: .diverging,
                                       evidence: "the training loss fell to \(f(train[best])) at \(e(best)), then rose to \(f(train[i])) at \(e(i)) (\(f(train[i] / train[best]))× its best)",
                                       epochs: [best + 1, i + 1])]
            }
            bestSoFar = Swift.min(bestSoFar, train[i])
        }
        guard n >= t.minimumEpochs else {
            return [CurveDiagnosis(pattern: .inconclusive, evidence: "only \(n) epoch\(n == 1 ? "" : "s") (need \(t.minimumEpochs))")]
        }

        // 2. Flat from the start.
        let bestIndex = train.indices.min { train[$0] < train[$1] }!
        let improvement = first > 0 ? (first - train[bestIndex]) / first : 0
        // A first epoch that already fell well below the loss before training is not flat.
        let learnedInFirstEpoch = t.initialLoss.map { initial in initial > 0 && train[bestIndex] < 0.75 * initial } ?? false
        if improvement < t.flatImprovement && !learnedInFirstEpoch {
            return [CurveDiagnosis(pattern: .flat,
                                   evidence: "over \(n) epochs the training loss went from \(f(first)) to \(f(train[n - 1])) (best \(f(train[bestIndex])) at \(e(bestIndex)), \(DoctorFormat.percent(Swift.max(improvement, 0))) below the start)",
                                   epochs: Array(1...n))]
        }

        var found: [CurveDiagnosis] = []
        // 3. Overfitting: validation rises from its minimum while training keeps falling.
        var overfitting = false
        if let v {
            let m = v.indices.min { v[$0] < v[$1] }!
            let rise = v[m] > 0 ? (v[n - 1] - v[m]) / v[m] : 0
            let after = v[(m + 1)...]
            let sustained = after.count >= 2 && after.reduce(0, +) / Double(after.count) > v[m] * (1 + t.overfitRise / 2)
            if sustained && rise > t.overfitRise && train[n - 1] < train[m] && train[n - 1] < v[n - 1] {
                overfitting = true
                found.append(CurveDiagnosis(pattern: .overfitting,
                                            evidence: "the validation loss bottomed at \(f(v[m])) at \(e(m)) and rose to \(f(v[n - 1])) by \(e(n - 1)) (+\(DoctorFormat.percent(rise))) while the training loss fell from \(f(train[m])) to \(f(train[n - 1]))",
                                            epochs: [m + 1, n]))
            }
        }
        // 4. Memorizing: training loss near zero, validation reasonable but well above it.
        var memorizing = false
        if !overfitting, let v, first > 0, train[n - 1] < t.nearZero * first,
           v[n - 1] - train[n - 1] > 0.1 * first, v[n - 1] > 2 * train[n - 1] {
            memorizing = true
            found.append(CurveDiagnosis(pattern: .memorizing,
                                        evidence: "the training loss fell to \(f(train[n - 1])) (\(DoctorFormat.percent(train[n - 1] / first)) of \(f(first))) while the validation loss is \(f(v[n - 1])) at \(e(n - 1)) (best \(f(v.min()!)))",
                                        epochs: [n]))
        }
        // 5. Oscillating over the second half.
        var oscillating = false
        let half = Array(train.suffix(Swift.max(5, n / 2)))
        if half.count >= 5 && half.count <= n {
            let diffs = zip(half.dropFirst(), half).map { $0 - $1 }
            let rises = diffs.filter { $0 > 0 }.count
            let variation = diffs.reduce(0) { $0 + Swift.abs($1) }
            let level = half.reduce(0, +) / Double(half.count)
            let net = Swift.abs(half.first! - half.last!)
            if Double(rises) >= 0.4 * Double(diffs.count), level > 0,
               variation / Double(diffs.count) > t.oscillation * level, variation >= 3 * net {
                let start = n - half.count
                oscillating = true
                found.append(CurveDiagnosis(pattern: .oscillating,
                                            evidence: "from \(e(start)) to \(e(n - 1)) the training loss rose in \(rises) of \(diffs.count) epochs, swinging \(DoctorFormat.percent(variation / Double(diffs.count) / level)) of its level on average (between \(f(half.min()!)) and \(f(half.max()!))) with a net change of only \(f(net))",
                                            epochs: Array((start + 1)...n)))
            }
        }
        // 6. Underfitting: both plateau high (an oscillating curve is explained by its oscillation).
        if !overfitting && !memorizing && !oscillating {
            let tail = Array(train.suffix(Swift.max(3, n / 3)))
            let gain = tail.first! > 0 ? (tail.first! - tail.last!) / tail.first! : 0
            let validationFlat: Bool = {
                guard let v else { return true }
                let vt = Array(v.suffix(tail.count))
                return vt.first! <= 0 || (vt.first! - vt.min()!) / vt.first! < 2 * t.plateauImprovement
            }()
            let reference = Swift.max(first, t.initialLoss ?? first)
            if gain < t.plateauImprovement && tail.last! > t.highPlateau * reference && validationFlat {
                let start = n - tail.count
                let vText = v.map { ", validation \(f($0[start])) → \(f($0[n - 1]))" } ?? ""
                found.append(CurveDiagnosis(pattern: .underfitting,
                                            evidence: "from \(e(start)) to \(e(n - 1)) the training loss moved only from \(f(tail.first!)) to \(f(tail.last!))\(vText), still \(DoctorFormat.percent(tail.last! / reference)) of the starting \(f(reference))",
                                            epochs: Array((start + 1)...n)))
            }
        }
        if found.isEmpty {
            let vText = v.map { "; validation loss \(f($0[0])) → \(f($0[n - 1])) (best \(f($0.min()!)))" } ?? ""
            found.append(CurveDiagnosis(pattern: .healthy,
                                        evidence: "the training loss fell from \(f(first)) to \(f(train[n - 1])) over \(n) epochs\(vText)"))
        }
        return found
    }
}
