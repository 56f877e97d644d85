extension ScheduleSpec {
    /// Reads a recipe's `schedule:` section: `name`, optional `interval` (`batch` or `epoch`;
    /// `plateau` is per epoch) and the schedule's parameters from ``catalogue``, each checked
    /// for its type and range with an error naming its field and line.
    static func parse(_ field: RecipeField) throws -> ScheduleSpec {
        let names = ScheduleSpec.names
        guard case .mapping(let mapping) = field.node else { throw field.error("expected a mapping") }
        let keys = mapping.compactMap { $0.key.string }
        let entries = try field.mapping(allowed: keys)
        guard let nameField = entries["name"] else {
            throw field.error("missing required key 'name' (one of \(names.joined(separator: ", ")))")
        }
        let name = try nameField.choice(names)
        let entry = catalogue.first { $0.name == name }!
        let valid = ["name", "interval"] + entry.parameters.map(\.name)
        for key in keys where !valid.contains(key) {
            throw entries[key]!.error("not a parameter of schedule '\(name)' (valid: \(valid.joined(separator: ", ")))")
        }
        func number(_ key: String, _ fallback: Double) throws -> Double { try entries[key]?.double() ?? fallback }
        func integer(_ key: String) throws -> Int? { try entries[key]?.int() }
        func integer(_ key: String, _ fallback: Int) throws -> Int { try entries[key]?.int() ?? fallback }
        let kind: Kind
        switch name {
        case "constant": kind = .constant(factor: try number("factor", 1), totalIterations: try integer("total_iters", 0))
        case "step": kind = .step(stepSize: try integer("step_size"), gamma: try number("gamma", 0.1))
        case "multi-step":
            kind = .multiStep(milestones: try entries["milestones"].map { m -> [Int] in
                if case .sequence = m.node { return try m.intList() }
                return [try m.int()]
            }, gamma: try number("gamma", 0.1))
        case "exponential": kind = .exponential(gamma: try number("gamma", 0.95))
        case "linear":
            kind = .linear(startFactor: try number("start_factor", 1), endFactor: try number("end_factor", 0),
                           totalIterations: try integer("total_iters"))
        case "polynomial": kind = .polynomial(totalIterations: try integer("total_iters"), power: try number("power", 1))
        case "cosine": kind = .cosine(tMax: try integer("t_max"), etaMin: try number("eta_min", 0))
        case "warm-restarts":
            kind = .warmRestarts(t0: try integer("t0"), tMult: try integer("t_mult", 1), etaMin: try number("eta_min", 0))
        case "warmup-cosine":
            kind = .warmupCosine(warmupSteps: try integer("warmup_steps"), startFactor: try number("start_factor", 0),
                                 tMax: try integer("t_max"), etaMin: try number("eta_min", 0))
        case "one-cycle":
            let strategy = try entries["anneal_strategy"].map { OneCycleLR.AnnealStrategy(rawValue: try $0.choice(["cos", "linear"]))! }
            kind = .oneCycle(OneCycle(totalSteps: try integer("total_steps"), pctStart: try number("pct_start", 0.3),
                                      divFactor: try number("div_factor", 25), finalDivFactor: try number("final_div_factor", 1e4),
                                      annealStrategy: strategy ?? .cosine, threePhase: try entries["three_phase"]?.bool() ?? false,
                                      cycleMomentum: try entries["cycle_momentum"]?.bool() ?? true,
                                      baseMomentum: try number("base_momentum", 0.85), maxMomentum: try number("max_momentum", 0.95)))
        default:
            let mode = try entries["mode"].map { ReduceLROnPlateau.Mode(rawValue: try $0.choice(["min", "max"]))! }
            kind = .plateau(Plateau(mode: mode ?? .min, factor: try number("factor", 0.1), patience: try integer("patience", 10),
                                    threshold: try number("threshold", 1e-4), cooldown: try integer("cooldown", 0),
                                    minLearningRate: try number("min_lr", 0)))
        }
        var interval: LearningRateScheduler.Interval?
        if let i = entries["interval"] {
            interval = LearningRateScheduler.Interval(rawValue: try i.choice(name == "plateau" ? ["epoch"] : ["batch", "epoch"]))
        }
        let rate = try kind.rateParameter.flatMap { try entries[$0]?.double() }
        let spec = ScheduleSpec(kind, learningRate: rate, interval: interval, path: field.path, line: field.line)
        if let problem = spec.validate() {
            throw (entries[problem.parameter] ?? field).error(problem.message)
        }
        return spec
    }
}
