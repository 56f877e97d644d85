import Converge
import Foundation

/// The doctor's corpus (`examples/doctor-corpus`, written by `scripts/doctor/make_corpus.py`):
/// buggy recipes on small generated data, each with the bug class the doctor must report, and
/// healthy recipes it must not flag. ``run(_:in:options:repairing:progress:)`` diagnoses them
/// (and repairs the repairable ones) and ``table(_:)`` tallies detection, false positives and
/// repairs per class.
public enum DoctorCorpus {
    /// One recipe of the manifest.
    public struct Entry: Decodable, Sendable {
        /// A short name.
        public var name: String
        /// The recipe's path inside the corpus folder.
        public var recipe: String
        /// The bug class the doctor must report (`healthy` for healthy recipes).
        public var `class`: String
        /// Whether `--repair` is expected to fix it.
        public var repairable: Bool
        /// The healthy recipe whose metric the repaired one is compared with.
        public var reference: String?
    }

    /// What the doctor did with one recipe.
    public struct Outcome: Sendable {
        public var entry: Entry
        /// The bug classes the report shows (``classes(of:)``).
        public var classes: Set<String>
        /// Whether the expected class is among them (healthy: whether no check failed).
        public var detected: Bool
        /// Whether any check failed.
        public var failing: Bool
        /// The checks that failed.
        public var failingChecks: [String]
        /// Seconds the diagnosis took.
        public var seconds: Double
        /// For repaired entries: the repaired and the reference metric, whether it is within the
        /// margin, and the seconds the repair took.
        /// `needed` is false when the buggy recipe's metric was already within the margin of the
        /// healthy one's (the bug did not hurt a short run): such entries are counted apart, and
        /// `within` says whether the repaired recipe is still within the margin.
        public var repair: (metric: Double, reference: Double, initial: Double, repaired: Bool, needed: Bool, within: Bool, seconds: Double)?
    }

    /// The repair margin: a repaired classification recipe's validation accuracy must be within
    /// 0.1 of the healthy reference's (after equally short runs); a regression recipe's MSE within 1.5× of it.
    public static let accuracyMargin = 0.1
    public static let mseFactor = 1.5

    /// The manifest's entries.
    public static func entries(in directory: URL) throws -> [Entry] {
        struct Manifest: Decodable { var recipes: [Entry] }
        let data = try Data(contentsOf: directory.appendingPathComponent("manifest.json"))
        return try JSONDecoder().decode(Manifest.self, from: data).recipes
    }

    /// The bug classes a report's warn/fail findings point to.
    public static func classes(of report: DoctorReport) -> Set<String> {
        var result = Set<String>()
        for f in report.findings where f.status != .ok {
            let m = f.message
            switch f.check {
            case "gradient-flow":
                if m.contains("vanishing") { result.insert("vanishing-gradients") }
                if m.contains("exploding") { result.insert("exploding-gradients") }
                if m.contains("no gradient") { result.insert("dying-relu") }
            case "activations", "saturation": result.insert("vanishing-gradients")
            case "dead-relu": result.insert("dying-relu")
            case "nan-hunt": result.insert("exploding-gradients")
            case "gradient-norm": result.insert(f.status == .fail ? "exploding-gradients" : "oscillating-loss")
            case "overfit-one-batch": if m.contains("NaN") || m.contains("Inf") { result.insert("exploding-gradients") }
            case "loss-curve":
                if m.hasPrefix(LossCurvePattern.diverging.title) { result.insert("exploding-gradients") }
                if m.hasPrefix(LossCurvePattern.oscillating.title) { result.insert("oscillating-loss") }
                if m.hasPrefix(LossCurvePattern.flat.title) || m.hasPrefix(LossCurvePattern.underfitting.title) { result.insert("slow-convergence") }
                if m.hasPrefix(LossCurvePattern.overfitting.title) || m.hasPrefix(LossCurvePattern.memorizing.title) { result.insert("overfitting") }
            case "loss-spikes", "sharpness", "step-size": result.insert("oscillating-loss")
            case "update-ratio": result.insert(m.contains("barely move") ? "slow-convergence" : "oscillating-loss")
            case "lr-finder": if m.contains("below the suggestion") { result.insert("slow-convergence") }
            case "data-finite", "lint-data-finite": result.insert("nan-data")
            case "lint-unshuffled-sorted": result.insert("unshuffled-sorted")
            case "lint-label-leakage": result.insert("label-leakage")
            case "lint-capacity": result.insert("overfitting")
            default: if f.check.hasPrefix("lint-") { result.insert(f.check) }
            }
        }
        return result
    }

    /// Diagnoses every entry (and repairs those for which `repairing` says so).
    public static func run(_ entries: [Entry], in directory: URL, options: DoctorChecklist.Options,
                           repairOptions: DoctorRepair.Options, repairing: (Entry) -> Bool,
                           progress: ((String) -> Void)? = nil) throws -> [Outcome] {
        var references: [String: Double] = [:]
        let repair = DoctorRepair(options: repairOptions)
        return try entries.map { entry in
            let start = Date()
            let recipe = try Recipe.load(from: directory.appendingPathComponent(entry.recipe))
            let report: DoctorReport
            do {
                report = try DoctorChecklist(session: try RecipeSession(recipe), options: options).run()
            } catch {
                // The recipe does not load or build: the lint is the whole diagnosis.
                let lint = RecipeLint().lint(recipe)
                guard lint.hasErrors else { throw error }
                report = DoctorReport(subject: entry.recipe, sections: [.init(title: "Lint", findings: lint.findings.map(\.doctorFinding))])
            }
            let classes = Self.classes(of: report)
            let failing = report.worstStatus == .fail
            let detected = entry.class == "healthy" ? !failing : classes.contains(entry.class)
            var outcome = Outcome(entry: entry, classes: classes, detected: detected, failing: failing,
                                  failingChecks: report.findings.filter { $0.status == .fail }.map(\.check),
                                  seconds: Date().timeIntervalSince(start), repair: nil)
            if entry.repairable && entry.class != "healthy" && repairing(entry) {
                let repairStart = Date()
                let result = try repair.run(recipe, report: report)
                let reference: Double
                if let path = entry.reference {
                    if let known = references[path] { reference = known } else {
                        reference = repair.metric(of: try Recipe.load(from: directory.appendingPathComponent(path)))
                        references[path] = reference
                    }
                } else { reference = .nan }
                func within(_ value: Double) -> Bool { result.higherIsBetter ? value >= reference - accuracyMargin : value <= reference * mseFactor }
                outcome.repair = (result.finalMetric, reference, result.initialMetric, result.improved && within(result.finalMetric),
                                  !within(result.initialMetric), within(result.finalMetric), Date().timeIntervalSince(repairStart))
            }
            progress?("\(entry.name): \(outcome.detected ? "detected" : "MISSED") \(entry.class) [\(classes.sorted().joined(separator: ", "))] failing: \(outcome.failingChecks)"
                      + (outcome.repair.map { String(format: "; repair %@ (%.3g → %.3g, healthy %.3g, %.1f s)",
                                                                   !$0.needed ? ($0.within ? "not needed (already within the margin, still within)" : "not needed, but the repair left the margin")
                                                                       : $0.repaired ? "ok" : "FAILED", $0.initial, $0.metric, $0.reference, $0.seconds) } ?? ""))
            return outcome
        }
    }

    /// The table: class, count, detected, repaired (of the repaired entries), median time to repair.
    public static func table(_ outcomes: [Outcome]) -> String {
        var lines = ["| class | count | detected | repaired | median time to repair |", "|---|---|---|---|---|"]
        let classes = Array(Set(outcomes.map(\.entry.class))).sorted { ($0 == "healthy" ? 1 : 0, $0) < ($1 == "healthy" ? 1 : 0, $1) }
        for c in classes {
            let group = outcomes.filter { $0.entry.class == c }
            let all = group.compactMap(\.repair)
            let repaired = all.filter(\.needed)
            let already = all.count - repaired.count
            let kept = all.filter { !$0.needed && $0.within }.count
            let times = repaired.filter(\.repaired).map(\.seconds).sorted()
            let median = times.isEmpty ? "–" : String(format: "%.1f s", times[times.count / 2])
            let detected = c == "healthy" ? "\(group.filter { !$0.failing }.count) not flagged" : "\(group.filter(\.detected).count)"
            let repairText = all.isEmpty ? "–" : (repaired.isEmpty ? "" : "\(repaired.filter(\.repaired).count)/\(repaired.count)")
                + (already > 0 ? "\(repaired.isEmpty ? "" : " ")(+\(already) already within the margin, \(kept) still within after repair)" : "")
            lines.append("| \(c) | \(group.count) | \(detected) | \(repairText) | \(median) |")
        }
        let bugs = outcomes.filter { $0.entry.class != "healthy" }
        let healthy = outcomes.filter { $0.entry.class == "healthy" }
        let repairs = bugs.compactMap(\.repair).filter(\.needed)
        let already = bugs.compactMap(\.repair).filter { !$0.needed }
        lines.append(String(format: "\nbugs detected with the right class: %d/%d (%.0f%%); healthy recipes flagged failing: %d/%d; repaired to within the margin (accuracy within 0.1, MSE within 1.5× of the healthy recipe's): %d/%d (%.0f%%) of the repairable bugs that hurt a short run; %d more repairable bugs were already within the margin before repair (%d still within after it)",
                            bugs.filter(\.detected).count, bugs.count, 100 * Double(bugs.filter(\.detected).count) / Double(Swift.max(1, bugs.count)),
                            healthy.filter(\.failing).count, healthy.count, repairs.filter(\.repaired).count, repairs.count,
                            100 * Double(repairs.filter(\.repaired).count) / Double(Swift.max(1, repairs.count)),
                            already.count, already.filter(\.within).count))
        return lines.joined(separator: "\n") + "\n"
    }
}

extension DoctorCorpus {
    /// `converge bench doctor-corpus`: the whole corpus with the doctor's default settings and
    /// `--repair` on every repairable bug; prints the table (run it from the repository root, in
    /// a release build). `--size N` limits the trial epochs (default 10).
    public static let benchmark = Benchmark(
        name: "doctor-corpus",
        summary: "the doctor on examples/doctor-corpus: detection, false positives and repairs per class"
    ) { options, report in
        let directory = URL(fileURLWithPath: "examples/doctor-corpus")
        let entries = try entries(in: directory)
        var repair = DoctorRepair.Options()
        repair.trialEpochs = options.size ?? 10
        let start = Date()
        let outcomes = try run(entries, in: directory, options: DoctorChecklist.Options(), repairOptions: repair, repairing: { _ in true },
                               progress: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
        print(table(outcomes), terminator: "")
        let bugs = outcomes.filter { $0.entry.class != "healthy" }
        report(BenchmarkResult(label: "doctor-corpus detection", value: 100 * Double(bugs.filter(\.detected).count) / Double(Swift.max(1, bugs.count)),
                               unit: "% of bugs", note: String(format: "%d recipes in %.0f s", outcomes.count, Date().timeIntervalSince(start))))
    }
}
