import Foundation

/// Makes a report's advice hold together (the last step of the checklist):
///
/// - a remedy the recipe already applies is dropped (no `clip_norm: 1.0` for a recipe that
///   clips at 1.0; no BatchNorm for a model that has it), and the finding says so;
/// - the learning rate moves one way only: when some findings say lower and others raise, the
///   most serious finding decides (a tie goes to lowering, the safe side), the others' contrary
///   advice is removed, and every finding that agrees points at the same value (the LR finder's,
///   when it agrees);
/// - the remaining remedies become the report's recommendations, one per kind of change.
public enum DoctorAdvice {
    /// Whether the recipe already does what `remedy` asks (or it cannot apply to the recipe), with the reason.
    public static func alreadyApplied(_ remedy: Remedy, in recipe: Recipe) -> String? {
        let activation: String? = { if case .mlp(let m) = recipe.model { return m.activation } else { return nil } }()
        switch remedy {
        case .clipGradients(let norm):
            if let c = recipe.training.clipNorm, c <= norm { return "the recipe already clips the gradient norm at \(DoctorFormat.number(c))" }
        case .batchNorm:
            switch recipe.model {
            case .mlp(let m): if m.batchNorm { return "the model already has BatchNorm" }
            case .layers(let l): if l.contains(where: { $0.kind.hasSuffix("norm") }) { return "the model already has normalization layers" }
            }
        case .matchedInitializer:
            guard case .mlp(let m) = recipe.model else { return "a layer list has no init key" }
            if m.initialization.hasPrefix(RecipeRepairs.matchedInitializer(for: m.activation)) { return "the recipe already uses init: \(m.initialization) with \(m.activation)" }
        case .leakyReLU:
            switch recipe.model {
            case .mlp: if activation != "relu" { return "the model has no ReLU" }
            case .layers(let l): if !l.contains(where: { $0.kind == "relu" }) { return "the model has no ReLU" }
            }
        case .optimizer(let name):
            if recipe.optimizer.name == name || (name == "adam" && recipe.optimizer.name == "adamw") { return "the recipe already uses \(recipe.optimizer.name)" }
        case .warmup:
            if let s = recipe.schedule, ["one-cycle", "warmup-cosine"].contains(s.name) { return "the \(s.name) schedule already warms up" }
        case .standardizeInputs:
            if recipe.data.standardize { return "the recipe already standardizes the inputs" }
        case .shuffle:
            if recipe.training.shuffle { return "the recipe already shuffles" }
        case .learningRate, .lowerLearningRate, .raiseLearningRate:
            break
        }
        return nil
    }

    /// The recipe's peak learning rate: one-cycle's `max_lr`, a schedule's `base_lr`, else the optimizer's `lr`.
    public static func peakLearningRate(of recipe: Recipe) -> Double {
        let map = RecipeSourceMap(source: recipe.source)
        return (map.scalar(at: "schedule.max_lr") ?? map.scalar(at: "schedule.base_lr")).flatMap(Double.init) ?? recipe.optimizer.learningRate
    }

    /// The field that holds the peak learning rate.
    static func learningRateField(of recipe: Recipe) -> String {
        let map = RecipeSourceMap(source: recipe.source)
        return map.contains("schedule.max_lr") ? "schedule.max_lr" : map.contains("schedule.base_lr") ? "schedule.base_lr" : "optimizer.lr"
    }

    private static func rank(_ s: DoctorFinding.Status) -> Int { s == .fail ? 2 : s == .warn ? 1 : 0 }

    /// The advice of `report` reconciled with `recipe` and with itself (see the type's description).
    public static func reconcile(_ report: DoctorReport, recipe: Recipe) -> DoctorReport {
        var report = report
        let peak = peakLearningRate(of: recipe)
        let field = learningRateField(of: recipe)
        let f: (Double) -> String = DoctorFormat.number

        // The learning-rate direction: the most serious finding decides; ties lower.
        var strongest: [Int: (rank: Int, check: String)] = [:]
        for finding in report.findings where finding.status != .ok {
            for remedy in finding.remedies {
                let d = remedy.learningRateDirection(peak: peak)
                guard d != 0 else { continue }
                if rank(finding.status) > (strongest[d]?.rank ?? -1) { strongest[d] = (rank(finding.status), finding.check) }
            }
        }
        let direction: Int? = {
            switch (strongest[-1], strongest[1]) {
            case (nil, nil): return nil
            case (.some, nil): return -1
            case (nil, .some): return 1
            case (.some(let lower), .some(let raise)): return raise.rank > lower.rank ? 1 : -1
            }
        }()
        let decidedBy = direction.flatMap { strongest[$0]?.check } ?? ""
        // The value: the LR finder's when it agrees, else 10× the other way.
        let finderRate = report.findings.filter { $0.check == "lr-finder" }.flatMap(\.remedies).compactMap { r -> Double? in
            if case .learningRate(let x) = r, r.learningRateDirection(peak: peak) == direction { return x }
            return nil
        }.first
        let target = finderRate ?? (direction == -1 ? peak / 10 : peak * 10)
        let lrText = direction.map { d in
            "\(d < 0 ? "reduce" : "increase") the learning rate from \(f(peak)) to \(String(format: "%.3g", target)) (\(field))"
                + (finderRate != nil ? ", the LR finder's suggestion" : "")
        } ?? ""

        var recommendations: [String: DoctorRecommendation] = [:]
        var order: [String] = []
        for s in report.sections.indices {
            for i in report.sections[s].findings.indices {
                var finding = report.sections[s].findings[i]
                guard !finding.remedies.isEmpty else { continue }
                var kept: [Remedy] = [], texts: [String] = [], notes: [String] = []
                for remedy in finding.remedies {
                    let d = remedy.learningRateDirection(peak: peak)
                    if case .learningRate = remedy, d == 0 {
                        notes.append("the recipe's learning rate \(f(peak)) already matches")
                        continue
                    }
                    if d != 0 {
                        guard d == direction else {
                            notes.append("the learning rate is not \(d < 0 ? "lowered" : "raised") here: \(decidedBy) calls for the opposite, and it is more serious")
                            continue
                        }
                        let unified = Remedy.learningRate(target)
                        if !kept.contains(unified) { kept.append(unified); texts.append(lrText) }
                        continue
                    }
                    if let reason = alreadyApplied(remedy, in: recipe) {
                        notes.append(reason)
                        continue
                    }
                    kept.append(remedy)
                    texts.append(RecipeRepairs.advice(remedy, recipe: recipe))
                }
                let note = ([finding.note] + notes.map { "(\($0))" }).filter { !$0.isEmpty }.joined(separator: " ")
                finding.setRemedies(kept, texts: texts, note: note)
                report.sections[s].findings[i] = finding
                guard finding.status != .ok else { continue }
                for (remedy, text) in zip(kept, texts) {
                    if var existing = recommendations[remedy.kind] {
                        if !existing.checks.contains(finding.check) { existing.checks.append(finding.check) }
                        if rank(finding.status) > rank(existing.status) { existing.status = finding.status }
                        recommendations[remedy.kind] = existing
                    } else {
                        recommendations[remedy.kind] = DoctorRecommendation(remedy: remedy, text: text, checks: [finding.check], status: finding.status)
                        order.append(remedy.kind)
                    }
                }
            }
        }
        report.recommendations = order.compactMap { recommendations[$0] }.enumerated()
            .sorted { rank($0.element.status) != rank($1.element.status) ? rank($0.element.status) > rank($1.element.status) : $0.offset < $1.offset }
            .map(\.element)
        return report
    }
}
