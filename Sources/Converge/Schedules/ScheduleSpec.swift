/// A learning-rate schedule described by its name and typed parameters, as a recipe's
/// `schedule:` section and `converge schedule NAME` give it, before the run's length is known.
///
/// ```swift
/// let spec = ScheduleSpec(.oneCycle(.init(pctStart: 0.25)), learningRate: 1e-2)
/// let schedule = spec.makeSchedule(learningRate: 1e-3, steps: 1_000)   // OneCycleLR, max_lr 1e-2
/// ```
///
/// Parameters that default to a fraction of the run (a cosine's `t_max`, one-cycle's
/// `total_steps`, …) are `nil` until ``makeSchedule(learningRate:steps:)`` knows the number of
/// steps. ``catalogue`` lists every schedule with its parameters (PyTorch's argument names in
/// snake case) and their defaults.
public struct ScheduleSpec: Equatable {
    /// Which schedule, with its parameters.
    public var kind: Kind
    /// The base rate (`base_lr`; one-cycle's `max_lr`); nil: the optimizer's learning rate.
    /// ReduceLROnPlateau always starts from the optimizer's rate.
    public var learningRate: Double?
    /// Whether the schedule advances per optimizer step or per epoch.
    public var interval: LearningRateScheduler.Interval
    /// The recipe field the spec came from (for errors).
    public var path: String
    /// Its line in the recipe, when known.
    public var line: Int?

    /// Describes a schedule; the interval defaults to per batch (per epoch for `plateau`).
    public init(_ kind: Kind, learningRate: Double? = nil, interval: LearningRateScheduler.Interval? = nil,
                path: String = "schedule", line: Int? = nil) {
        self.kind = kind
        self.learningRate = learningRate
        if case .plateau = kind { self.interval = .epoch } else { self.interval = interval ?? .batch }
        self.path = path
        self.line = line
    }

    /// The schedule's name, e.g. `one-cycle`.
    public var name: String { kind.name }

    /// A schedule and its parameters. `nil` parameters take their default from the run length.
    public enum Kind: Equatable {
        /// ConstantLR: the rate times `factor` for the first `totalIterations` steps.
        case constant(factor: Double = 1, totalIterations: Int = 0)
        /// StepLR: multiply by `gamma` every `stepSize` steps (default: a third of the run).
        case step(stepSize: Int? = nil, gamma: Double = 0.1)
        /// MultiStepLR: multiply by `gamma` at each milestone (default: at ½ and ¾ of the run).
        case multiStep(milestones: [Int]? = nil, gamma: Double = 0.1)
        /// ExponentialLR: multiply by `gamma` every step.
        case exponential(gamma: Double = 0.95)
        /// LinearLR: from `startFactor` to `endFactor` of the rate over `totalIterations` (default: the run).
        case linear(startFactor: Double = 1, endFactor: Double = 0, totalIterations: Int? = nil)
        /// PolynomialLR: decay to zero over `totalIterations` steps (default: the run).
        case polynomial(totalIterations: Int? = nil, power: Double = 1)
        /// CosineAnnealingLR: to `etaMin` over `tMax` steps (default: the run).
        case cosine(tMax: Int? = nil, etaMin: Double = 0)
        /// CosineAnnealingWarmRestarts: cycles of `t0`, `t0·tMult`, … steps (default `t0`: a quarter of the run).
        case warmRestarts(t0: Int? = nil, tMult: Int = 1, etaMin: Double = 0)
        /// LinearWarmup over `warmupSteps` (default: a tenth of the run), then CosineAnnealingLR
        /// over `tMax` steps (default: the rest of the run).
        case warmupCosine(warmupSteps: Int? = nil, startFactor: Double = 0, tMax: Int? = nil, etaMin: Double = 0)
        /// OneCycleLR.
        case oneCycle(OneCycle = OneCycle())
        /// ReduceLROnPlateau, stepped per epoch on the validation loss.
        case plateau(Plateau = Plateau())

        /// The name in recipes and on the command line.
        public var name: String {
            switch self {
            case .constant: return "constant"
            case .step: return "step"
            case .multiStep: return "multi-step"
            case .exponential: return "exponential"
            case .linear: return "linear"
            case .polynomial: return "polynomial"
            case .cosine: return "cosine"
            case .warmRestarts: return "warm-restarts"
            case .warmupCosine: return "warmup-cosine"
            case .oneCycle: return "one-cycle"
            case .plateau: return "plateau"
            }
        }
    }

    /// OneCycleLR's parameters; the defaults are PyTorch's.
    public struct OneCycle: Equatable {
        /// The cycle length; nil: the run.
        public var totalSteps: Int?
        /// The fraction of the cycle spent rising.
        public var pctStart: Double
        /// The initial rate is `max_lr / divFactor`.
        public var divFactor: Double
        /// The final rate is the initial rate / `finalDivFactor`.
        public var finalDivFactor: Double
        /// Cosine or linear annealing.
        public var annealStrategy: OneCycleLR.AnnealStrategy
        /// Three phases instead of two.
        public var threePhase: Bool
        /// Cycle momentum (or β₁) inversely to the rate.
        public var cycleMomentum: Bool
        /// Momentum at the peak rate.
        public var baseMomentum: Double
        /// Momentum at low rates.
        public var maxMomentum: Double

        /// PyTorch's defaults, or the values given.
        public init(totalSteps: Int? = nil, pctStart: Double = 0.3, divFactor: Double = 25, finalDivFactor: Double = 1e4,
                    annealStrategy: OneCycleLR.AnnealStrategy = .cosine, threePhase: Bool = false, cycleMomentum: Bool = true,
                    baseMomentum: Double = 0.85, maxMomentum: Double = 0.95) {
            self.totalSteps = totalSteps
            self.pctStart = pctStart
            self.divFactor = divFactor
            self.finalDivFactor = finalDivFactor
            self.annealStrategy = annealStrategy
            self.threePhase = threePhase
            self.cycleMomentum = cycleMomentum
            self.baseMomentum = baseMomentum
            self.maxMomentum = maxMomentum
        }
    }

    /// ReduceLROnPlateau's parameters; the defaults are PyTorch's.
    public struct Plateau: Equatable {
        /// Whether the watched value should fall (`min`) or rise (`max`).
        public var mode: ReduceLROnPlateau.Mode
        /// The factor applied on a plateau.
        public var factor: Double
        /// Epochs without improvement before reducing.
        public var patience: Int
        /// The relative improvement that counts.
        public var threshold: Double
        /// Epochs to wait after a reduction.
        public var cooldown: Int
        /// The lowest rate.
        public var minLearningRate: Double

        /// PyTorch's defaults, or the values given.
        public init(mode: ReduceLROnPlateau.Mode = .min, factor: Double = 0.1, patience: Int = 10, threshold: Double = 1e-4,
                    cooldown: Int = 0, minLearningRate: Double = 0) {
            self.mode = mode
            self.factor = factor
            self.patience = patience
            self.threshold = threshold
            self.cooldown = cooldown
            self.minLearningRate = minLearningRate
        }
    }

    /// A problem with a parameter's value: the parameter (snake case) and what is wrong.
    public struct Problem: Equatable {
        /// The parameter, e.g. `pct_start`.
        public var parameter: String
        /// What is wrong, e.g. `must be in [0, 1], got 1.5`.
        public var message: String
    }

    /// The first parameter whose value the schedule cannot take, if any.
    public func validate() -> Problem? {
        func check(_ ok: Bool, _ parameter: String, _ message: @autoclosure () -> String) -> Problem? {
            ok ? nil : Problem(parameter: parameter, message: message())
        }
        if let rate = learningRate, !(rate > 0) {
            return Problem(parameter: kind.rateParameter ?? "base_lr", message: "must be positive, got \(rate)")
        }
        switch kind {
        case .constant(_, let total):
            return check(total >= 0, "total_iters", "must not be negative, got \(total)")
        case .step(let size, let gamma):
            return check((size ?? 1) >= 1, "step_size", "must be at least 1, got \(size ?? 0)")
                ?? check(gamma >= 0, "gamma", "must not be negative, got \(gamma)")
        case .multiStep(let milestones, _):
            return check((milestones ?? []).allSatisfy { $0 >= 0 }, "milestones", "must not be negative, got \(milestones ?? [])")
        case .exponential(let gamma):
            return check(gamma > 0, "gamma", "must be positive, got \(gamma)")
        case .linear(let start, let end, let total):
            return check(start >= 0, "start_factor", "must not be negative, got \(start)")
                ?? check(end >= 0, "end_factor", "must not be negative, got \(end)")
                ?? check((total ?? 1) >= 1, "total_iters", "must be at least 1, got \(total ?? 0)")
        case .polynomial(let total, _):
            return check((total ?? 1) >= 1, "total_iters", "must be at least 1, got \(total ?? 0)")
        case .cosine(let tMax, let etaMin):
            return check((tMax ?? 1) >= 1, "t_max", "must be at least 1, got \(tMax ?? 0)")
                ?? check(etaMin >= 0, "eta_min", "must not be negative (a learning rate), got \(etaMin)")
        case .warmRestarts(let t0, let tMult, let etaMin):
            return check((t0 ?? 1) >= 1, "t0", "must be at least 1, got \(t0 ?? 0)")
                ?? check(tMult >= 1, "t_mult", "must be at least 1, got \(tMult)")
                ?? check(etaMin >= 0, "eta_min", "must not be negative (a learning rate), got \(etaMin)")
        case .warmupCosine(let warmup, let start, let tMax, let etaMin):
            return check(etaMin >= 0, "eta_min", "must not be negative (a learning rate), got \(etaMin)")
                ?? check((warmup ?? 0) >= 0, "warmup_steps", "must not be negative, got \(warmup ?? 0)")
                ?? check(start >= 0 && start <= 1, "start_factor", "must be in [0, 1], got \(start)")
                ?? check((tMax ?? 1) >= 1, "t_max", "must be at least 1, got \(tMax ?? 0)")
        case .oneCycle(let o):
            return check((o.totalSteps ?? 1) >= 1, "total_steps", "must be at least 1, got \(o.totalSteps ?? 0)")
                ?? check(o.pctStart >= 0 && o.pctStart <= 1, "pct_start", "must be in [0, 1], got \(o.pctStart)")
                ?? check(o.divFactor > 0, "div_factor", "must be positive, got \(o.divFactor)")
                ?? check(o.finalDivFactor > 0, "final_div_factor", "must be positive, got \(o.finalDivFactor)")
                ?? check((0...1).contains(o.baseMomentum), "base_momentum", "must be in [0, 1], got \(o.baseMomentum)")
                ?? check((0...1).contains(o.maxMomentum), "max_momentum", "must be in [0, 1], got \(o.maxMomentum)")
        case .plateau(let p):
            return check(p.factor >= 0 && p.factor < 1, "factor", "must be in [0, 1), got \(p.factor)")
                ?? check(p.patience >= 0, "patience", "must not be negative, got \(p.patience)")
                ?? check(p.cooldown >= 0, "cooldown", "must not be negative, got \(p.cooldown)")
                ?? check(p.minLearningRate >= 0, "min_lr", "must not be negative, got \(p.minLearningRate)")
        }
    }

    /// The schedule for a run of `steps` steps (in the spec's interval) whose optimizer has
    /// learning rate `learningRate` (used when the spec gives none); nil for `plateau`, which
    /// reacts to the validation loss instead (see ``makePlateau(learningRate:)``).
    ///
    /// - Precondition: ``validate()`` found no problem and `steps ≥ 1`.
    public func makeSchedule(learningRate optimizerRate: Double, steps: Int) -> (any LearningRateSchedule)? {
        precondition(steps >= 1, "ScheduleSpec: steps must be at least 1, got \(steps)")
        let rate = learningRate ?? optimizerRate
        switch kind {
        case .constant(let factor, let total):
            return ConstantLR(baseLearningRate: rate, factor: factor, totalIterations: total)
        case .step(let size, let gamma):
            return StepLR(baseLearningRate: rate, stepSize: size ?? max(1, steps / 3), gamma: gamma)
        case .multiStep(let milestones, let gamma):
            return MultiStepLR(baseLearningRate: rate, milestones: milestones ?? [steps / 2, 3 * steps / 4], gamma: gamma)
        case .exponential(let gamma):
            return ExponentialLR(baseLearningRate: rate, gamma: gamma)
        case .linear(let start, let end, let total):
            return LinearLR(baseLearningRate: rate, startFactor: start, endFactor: end, totalIterations: total ?? steps)
        case .polynomial(let total, let power):
            return PolynomialLR(baseLearningRate: rate, totalIterations: total ?? steps, power: power)
        case .cosine(let tMax, let etaMin):
            return CosineAnnealingLR(baseLearningRate: rate, tMax: tMax ?? steps, etaMin: etaMin)
        case .warmRestarts(let t0, let tMult, let etaMin):
            return CosineAnnealingWarmRestarts(baseLearningRate: rate, t0: t0 ?? max(1, steps / 4), tMult: tMult, etaMin: etaMin)
        case .warmupCosine(let warmup, let start, let tMax, let etaMin):
            let warmupSteps = warmup ?? max(1, steps / 10)
            let cosine = CosineAnnealingLR(baseLearningRate: rate, tMax: tMax ?? max(1, steps - warmupSteps), etaMin: etaMin)
            return LinearWarmup(cosine, warmupSteps: warmupSteps, startFactor: start)
        case .oneCycle(let o):
            return OneCycleLR(maxLearningRate: rate, totalSteps: o.totalSteps ?? steps, pctStart: o.pctStart, divFactor: o.divFactor,
                              finalDivFactor: o.finalDivFactor, annealStrategy: o.annealStrategy, threePhase: o.threePhase,
                              cycleMomentum: o.cycleMomentum, baseMomentum: o.baseMomentum, maxMomentum: o.maxMomentum)
        case .plateau:
            return nil
        }
    }

    /// ReduceLROnPlateau for an optimizer at `learningRate`, when the spec is `plateau`.
    public func makePlateau(learningRate: Double) -> ReduceLROnPlateau? {
        guard case .plateau(let p) = kind else { return nil }
        return ReduceLROnPlateau(learningRate: learningRate, mode: p.mode, factor: p.factor, patience: p.patience,
                                 threshold: p.threshold, cooldown: p.cooldown, minLearningRate: p.minLearningRate)
    }
}

