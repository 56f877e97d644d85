extension ScheduleSpec {
    /// One parameter of a schedule, as recipes spell it (`pct_start`; the command line uses
    /// `--pct-start`).
    public struct Parameter: Equatable, Sendable {
        /// The name in snake case.
        public let name: String
        /// The default, in words when it depends on the run (`steps/3`).
        public let defaultValue: String
        /// What it sets.
        public let help: String
    }

    /// One schedule of the catalogue.
    public struct Entry: Equatable, Sendable {
        /// The name, e.g. `one-cycle`.
        public let name: String
        /// One line about it, with PyTorch's name.
        public let summary: String
        /// Its parameters (besides `name` and `interval`), in order.
        public let parameters: [Parameter]
    }

    private static let baseRate = Parameter(name: "base_lr", defaultValue: "the optimizer's lr", help: "initial learning rate")
    private static let etaMin = Parameter(name: "eta_min", defaultValue: "0", help: "minimum learning rate")

    /// Every schedule a recipe or `converge schedule` can name, with its parameters and defaults.
    /// `steps` is the run's length in the schedule's interval (optimizer steps or epochs).
    public static let catalogue: [Entry] = [
        Entry(name: "constant", summary: "the rate times factor for the first total_iters steps (ConstantLR)",
              parameters: [baseRate, Parameter(name: "factor", defaultValue: "1", help: "factor for the first steps"),
                           Parameter(name: "total_iters", defaultValue: "0", help: "steps that use the factor")]),
        Entry(name: "step", summary: "multiply by gamma every step_size steps (StepLR)",
              parameters: [baseRate, Parameter(name: "step_size", defaultValue: "steps/3", help: "steps between decays"),
                           Parameter(name: "gamma", defaultValue: "0.1", help: "decay factor")]),
        Entry(name: "multi-step", summary: "multiply by gamma at each milestone (MultiStepLR)",
              parameters: [baseRate, Parameter(name: "milestones", defaultValue: "[steps/2, 3·steps/4]", help: "steps at which to decay"),
                           Parameter(name: "gamma", defaultValue: "0.1", help: "decay factor")]),
        Entry(name: "exponential", summary: "multiply by gamma every step (ExponentialLR)",
              parameters: [baseRate, Parameter(name: "gamma", defaultValue: "0.95", help: "per-step factor")]),
        Entry(name: "linear", summary: "linear from start_factor to end_factor of the rate over total_iters steps (LinearLR)",
              parameters: [baseRate, Parameter(name: "start_factor", defaultValue: "1", help: "factor at step 0"),
                           Parameter(name: "end_factor", defaultValue: "0", help: "factor from total_iters on"),
                           Parameter(name: "total_iters", defaultValue: "steps", help: "length of the ramp")]),
        Entry(name: "polynomial", summary: "polynomial decay to zero over total_iters steps (PolynomialLR)",
              parameters: [baseRate, Parameter(name: "total_iters", defaultValue: "steps", help: "steps to reach zero"),
                           Parameter(name: "power", defaultValue: "1", help: "exponent")]),
        Entry(name: "cosine", summary: "cosine annealing to eta_min over t_max steps (CosineAnnealingLR)",
              parameters: [baseRate, Parameter(name: "t_max", defaultValue: "steps", help: "steps from maximum to minimum"), etaMin]),
        Entry(name: "warm-restarts", summary: "cosine annealing restarted after t0, t0·t_mult, … steps (CosineAnnealingWarmRestarts)",
              parameters: [baseRate, Parameter(name: "t0", defaultValue: "steps/4", help: "first cycle length"),
                           Parameter(name: "t_mult", defaultValue: "1", help: "cycle length factor"), etaMin]),
        Entry(name: "warmup-cosine", summary: "linear warmup over warmup_steps, then cosine annealing (LinearWarmup + CosineAnnealingLR)",
              parameters: [baseRate, Parameter(name: "warmup_steps", defaultValue: "steps/10", help: "warmup length"),
                           Parameter(name: "start_factor", defaultValue: "0", help: "fraction of the base rate at step 0"),
                           Parameter(name: "t_max", defaultValue: "steps − warmup_steps", help: "cosine length after warmup"), etaMin]),
        Entry(name: "one-cycle", summary: "the one-cycle policy with momentum cycling (OneCycleLR)",
              parameters: [Parameter(name: "max_lr", defaultValue: "the optimizer's lr", help: "peak learning rate"),
                           Parameter(name: "total_steps", defaultValue: "steps", help: "cycle length"),
                           Parameter(name: "pct_start", defaultValue: "0.3", help: "fraction of the cycle spent rising"),
                           Parameter(name: "div_factor", defaultValue: "25", help: "initial rate = max_lr / div_factor"),
                           Parameter(name: "final_div_factor", defaultValue: "10000", help: "final rate = initial rate / final_div_factor"),
                           Parameter(name: "anneal_strategy", defaultValue: "cos", help: "annealing shape: cos or linear"),
                           Parameter(name: "three_phase", defaultValue: "false", help: "use three phases"),
                           Parameter(name: "cycle_momentum", defaultValue: "true", help: "cycle momentum (Adam's β₁) inversely to the rate"),
                           Parameter(name: "base_momentum", defaultValue: "0.85", help: "momentum at the peak rate"),
                           Parameter(name: "max_momentum", defaultValue: "0.95", help: "momentum at low rates")]),
        Entry(name: "plateau", summary: "reduce the rate when the validation loss stops improving, per epoch (ReduceLROnPlateau)",
              parameters: [Parameter(name: "mode", defaultValue: "min", help: "min or max: whether the watched value should fall or rise"),
                           Parameter(name: "factor", defaultValue: "0.1", help: "factor applied on a plateau"),
                           Parameter(name: "patience", defaultValue: "10", help: "epochs without improvement before reducing"),
                           Parameter(name: "threshold", defaultValue: "0.0001", help: "relative improvement that counts"),
                           Parameter(name: "cooldown", defaultValue: "0", help: "epochs to wait after a reduction"),
                           Parameter(name: "min_lr", defaultValue: "0", help: "lowest learning rate")]),
    ]

    /// The schedule names, in catalogue order.
    public static var names: [String] { catalogue.map(\.name) }

    /// The catalogue entry of this spec's schedule.
    public var entry: Entry { Self.catalogue.first { $0.name == name }! }

    /// Every parameter with the value this spec gives it, as YAML text, in catalogue order;
    /// nil where the default depends on the run (``Parameter/defaultValue`` says how).
    public var parameterValues: [(name: String, value: String?)] {
        func n(_ x: Double) -> String { ScheduleSpec.text(x) }
        func i(_ x: Int?) -> String? { x.map(String.init) }
        let rate = learningRate.map(n)
        var values: [String?]
        switch kind {
        case .constant(let factor, let total): values = [rate, n(factor), "\(total)"]
        case .step(let size, let gamma): values = [rate, i(size), n(gamma)]
        case .multiStep(let milestones, let gamma):
            values = [rate, milestones.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" }, n(gamma)]
        case .exponential(let gamma): values = [rate, n(gamma)]
        case .linear(let start, let end, let total): values = [rate, n(start), n(end), i(total)]
        case .polynomial(let total, let power): values = [rate, i(total), n(power)]
        case .cosine(let tMax, let etaMin): values = [rate, i(tMax), n(etaMin)]
        case .warmRestarts(let t0, let tMult, let etaMin): values = [rate, i(t0), "\(tMult)", n(etaMin)]
        case .warmupCosine(let warmup, let start, let tMax, let etaMin): values = [rate, i(warmup), n(start), i(tMax), n(etaMin)]
        case .oneCycle(let o):
            values = [rate, i(o.totalSteps), n(o.pctStart), n(o.divFactor), n(o.finalDivFactor), o.annealStrategy.rawValue,
                      "\(o.threePhase)", "\(o.cycleMomentum)", n(o.baseMomentum), n(o.maxMomentum)]
        case .plateau(let p):
            values = [p.mode.rawValue, n(p.factor), "\(p.patience)", n(p.threshold), "\(p.cooldown)", n(p.minLearningRate)]
        }
        return zip(entry.parameters, values).map { ($0.name, $1) }
    }

    /// A number as YAML reads it back exactly (always with a decimal point).
    static func text(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(format: "%.1f", value) }
        var text = "\(value)"
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }), !text[..<e].contains(".") {
            text.insert(contentsOf: ".0", at: e)
        }
        return text
    }
}

extension ScheduleSpec.Kind {
    /// The parameter that sets the base rate: `max_lr` for one-cycle, none for plateau, else `base_lr`.
    var rateParameter: String? {
        switch self {
        case .oneCycle: return "max_lr"
        case .plateau: return nil
        default: return "base_lr"
        }
    }
}
