import Foundation

/// Why the arguments of `converge schedule` were rejected. Each description is one line that
/// names the offending schedule, flag or value and lists the valid choices.
public enum ScheduleCommandLineError: Error, CustomStringConvertible, Equatable {
    /// No schedule name was given.
    case missingSchedule(valid: [String])
    /// The schedule name is not known.
    case unknownSchedule(String, valid: [String])
    /// A flag the schedule does not take.
    case unknownFlag(String, schedule: String, valid: [String])
    /// A flag without its value.
    case missingValue(flag: String)
    /// A value of the wrong type or out of range.
    case invalidValue(flag: String, value: String, expected: String)
    /// A flag given twice.
    case duplicateFlag(String)
    /// A positional argument after the schedule name.
    case unexpectedArgument(String)
    /// `--steps` is required.
    case missingSteps

    /// One line.
    public var description: String {
        switch self {
        case .missingSchedule(let valid):
            return "missing schedule name; valid schedules: \(valid.joined(separator: ", "))"
        case .unknownSchedule(let name, let valid):
            return "unknown schedule '\(name)'; valid schedules: \(valid.joined(separator: ", "))"
        case .unknownFlag(let flag, let schedule, let valid):
            return "unknown flag '\(flag)' for schedule '\(schedule)'; valid flags: \(valid.joined(separator: ", "))"
        case .missingValue(let flag): return "flag \(flag) needs a value"
        case .invalidValue(let flag, let value, let expected): return "\(flag): expected \(expected), got '\(value)'"
        case .duplicateFlag(let flag): return "flag \(flag) is given more than once"
        case .unexpectedArgument(let argument): return "unexpected argument '\(argument)' (flags start with --)"
        case .missingSteps: return "missing --steps N (the number of steps to print, N ≥ 1)"
        }
    }
}

/// The arguments of `converge schedule NAME [--param value …] --steps N [--svg FILE]`, parsed
/// into a schedule, and the CSV and chart the command prints and draws.
///
/// Parameter flags use PyTorch's argument names in kebab case (`--max-lr`, `--pct-start`,
/// `--t-mult`, `--eta-min`, …); see ``usage`` for every schedule's flags and defaults. Defaults
/// that depend on the run length (a cosine's `--t-max`) default to `--steps`.
public struct ScheduleCommandLine {
    /// The kind of value a flag takes.
    public enum ValueKind: Equatable, Sendable {
        /// A real number.
        case number
        /// An integer.
        case integer
        /// Comma-separated integers.
        case integerList
        /// `true`/`false`; the bare flag means true and `--no-<flag>` false.
        case boolean
        /// One of the listed words.
        case choice([String])
        /// Any text (a file path).
        case text
    }

    /// One parameter flag of a schedule.
    public struct Flag: Sendable {
        /// The flag without dashes, e.g. `max-lr`.
        public let name: String
        /// The kind of value.
        public let kind: ValueKind
        /// The default, as shown in the usage text.
        public let defaultValue: String
        /// What the flag sets.
        public let help: String
    }

    /// One schedule the command knows.
    public struct Definition {
        /// The name on the command line, e.g. `one-cycle`.
        public let name: String
        /// One line about it.
        public let summary: String
        /// Its parameter flags.
        public let flags: [Flag]
        let build: (Values) throws -> any LearningRateSchedule
    }

    /// Parsed flag values with typed, validating accessors.
    struct Values {
        let raw: [String: String]
        let steps: Int

        func number(_ flag: String, default value: Double, where valid: (Double) -> Bool = { _ in true },
                    expected: String = "a number") throws -> Double {
            guard let text = raw[flag] else { return value }
            guard let v = Double(text), v.isFinite, valid(v) else {
                throw ScheduleCommandLineError.invalidValue(flag: "--\(flag)", value: text, expected: expected)
            }
            if let (range, meaning) = Values.ranges[flag], !range.contains(v) || (meaning.hasPrefix("a positive") && v == 0) {
                throw ScheduleCommandLineError.invalidValue(flag: "--\(flag)", value: text, expected: meaning)
            }
            return v
        }

        /// Ranges that every schedule's flag of that name must respect (a negative learning
        /// rate or momentum is meaningless).
        static let ranges: [String: (ClosedRange<Double>, String)] = [
            "base-lr": (0...Double.greatestFiniteMagnitude, "a positive learning rate"),
            "max-lr": (0...Double.greatestFiniteMagnitude, "a positive learning rate"),
            "eta-min": (0...Double.greatestFiniteMagnitude, "a number ≥ 0"),
            "gamma": (0...Double.greatestFiniteMagnitude, "a number ≥ 0"),
            "factor": (0...Double.greatestFiniteMagnitude, "a number ≥ 0"),
            "power": (0...Double.greatestFiniteMagnitude, "a number ≥ 0"),
            "base-momentum": (0...1, "a number in [0, 1]"),
            "max-momentum": (0...1, "a number in [0, 1]"),
        ]

        func integer(_ flag: String, default value: Int, minimum: Int) throws -> Int {
            guard let text = raw[flag] else { return value }
            guard let v = Int(text), v >= minimum else {
                throw ScheduleCommandLineError.invalidValue(flag: "--\(flag)", value: text, expected: "an integer ≥ \(minimum)")
            }
            return v
        }

        func integers(_ flag: String, default value: [Int]) throws -> [Int] {
            guard let text = raw[flag] else { return value }
            let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && $0! >= 0 }) else {
                throw ScheduleCommandLineError.invalidValue(flag: "--\(flag)", value: text, expected: "comma-separated integers ≥ 0")
            }
            return parts.map { $0! }
        }

        func boolean(_ flag: String, default value: Bool) throws -> Bool {
            guard let text = raw[flag] else { return value }
            switch text.lowercased() {
            case "true", "yes", "1": return true
            case "false", "no", "0": return false
            default: throw ScheduleCommandLineError.invalidValue(flag: "--\(flag)", value: text, expected: "true or false")
            }
        }

        func choice(_ flag: String, default value: String, from choices: [String]) throws -> String {
            guard let text = raw[flag] else { return value }
            guard choices.contains(text) else {
                throw ScheduleCommandLineError.invalidValue(flag: "--\(flag)", value: text, expected: "one of \(choices.joined(separator: ", "))")
            }
            return text
        }
    }

    /// The most steps a schedule may have (one CSV row each; a run's steps are epochs ×
    /// batches, bounded by the recipe's limits).
    public static let maxSteps = 100_000_000

    /// The schedule's name.
    public let name: String
    /// How many steps to print (0 … N−1).
    public let steps: Int
    /// Where to draw the chart, if anywhere.
    public let svgPath: String?
    /// The schedule the arguments describe.
    public let schedule: any LearningRateSchedule

    private static let baseRate = Flag(name: "base-lr", kind: .number, defaultValue: "0.1", help: "initial learning rate")
    private static let etaMin = Flag(name: "eta-min", kind: .number, defaultValue: "0", help: "minimum learning rate")
    private static let positive: (Double) -> Bool = { $0 > 0 }
    private static let unit: (Double) -> Bool = { $0 >= 0 && $0 <= 1 }

    /// Every schedule the command knows, in the order the usage lists them.
    public static let definitions: [Definition] = [
        Definition(name: "constant", summary: "constant rate, optionally scaled by --factor for the first --total-iters steps (ConstantLR)",
                   flags: [baseRate, Flag(name: "factor", kind: .number, defaultValue: "1", help: "factor for the first steps"),
                           Flag(name: "total-iters", kind: .integer, defaultValue: "0", help: "steps that use the factor")]) { v in
            ConstantLR(baseLearningRate: try v.number("base-lr", default: 0.1), factor: try v.number("factor", default: 1),
                       totalIterations: try v.integer("total-iters", default: 0, minimum: 0))
        },
        Definition(name: "step", summary: "multiply by --gamma every --step-size steps (StepLR)",
                   flags: [baseRate, Flag(name: "step-size", kind: .integer, defaultValue: "steps/3", help: "steps between decays"),
                           Flag(name: "gamma", kind: .number, defaultValue: "0.1", help: "decay factor")]) { v in
            StepLR(baseLearningRate: try v.number("base-lr", default: 0.1),
                   stepSize: try v.integer("step-size", default: max(1, v.steps / 3), minimum: 1),
                   gamma: try v.number("gamma", default: 0.1))
        },
        Definition(name: "multi-step", summary: "multiply by --gamma at each milestone (MultiStepLR)",
                   flags: [baseRate, Flag(name: "milestones", kind: .integerList, defaultValue: "steps/2,3·steps/4", help: "comma-separated steps"),
                           Flag(name: "gamma", kind: .number, defaultValue: "0.1", help: "decay factor")]) { v in
            MultiStepLR(baseLearningRate: try v.number("base-lr", default: 0.1),
                        milestones: try v.integers("milestones", default: [v.steps / 2, 3 * v.steps / 4]),
                        gamma: try v.number("gamma", default: 0.1))
        },
        Definition(name: "exponential", summary: "multiply by --gamma every step (ExponentialLR)",
                   flags: [baseRate, Flag(name: "gamma", kind: .number, defaultValue: "0.95", help: "per-step factor")]) { v in
            ExponentialLR(baseLearningRate: try v.number("base-lr", default: 0.1), gamma: try v.number("gamma", default: 0.95))
        },
        Definition(name: "linear", summary: "linear from --start-factor to --end-factor of the base rate over --total-iters steps (LinearLR)",
                   flags: [baseRate, Flag(name: "start-factor", kind: .number, defaultValue: "1", help: "factor at step 0"),
                           Flag(name: "end-factor", kind: .number, defaultValue: "0", help: "factor from --total-iters on"),
                           Flag(name: "total-iters", kind: .integer, defaultValue: "steps", help: "length of the ramp")]) { v in
            LinearLR(baseLearningRate: try v.number("base-lr", default: 0.1),
                     startFactor: try v.number("start-factor", default: 1, where: { $0 >= 0 }, expected: "a number ≥ 0"),
                     endFactor: try v.number("end-factor", default: 0, where: { $0 >= 0 }, expected: "a number ≥ 0"),
                     totalIterations: try v.integer("total-iters", default: v.steps, minimum: 1))
        },
        Definition(name: "polynomial", summary: "polynomial decay to zero over --total-iters steps (PolynomialLR)",
                   flags: [baseRate, Flag(name: "total-iters", kind: .integer, defaultValue: "steps", help: "steps to reach zero"),
                           Flag(name: "power", kind: .number, defaultValue: "1", help: "exponent")]) { v in
            PolynomialLR(baseLearningRate: try v.number("base-lr", default: 0.1),
                         totalIterations: try v.integer("total-iters", default: v.steps, minimum: 1),
                         power: try v.number("power", default: 1))
        },
        Definition(name: "cosine", summary: "cosine annealing to --eta-min over --t-max steps (CosineAnnealingLR)",
                   flags: [baseRate, Flag(name: "t-max", kind: .integer, defaultValue: "steps", help: "steps from maximum to minimum"), etaMin]) { v in
            CosineAnnealingLR(baseLearningRate: try v.number("base-lr", default: 0.1),
                              tMax: try v.integer("t-max", default: v.steps, minimum: 1), etaMin: try v.number("eta-min", default: 0))
        },
        Definition(name: "warm-restarts", summary: "cosine annealing restarted after --t0, --t0·--t-mult, … steps (CosineAnnealingWarmRestarts)",
                   flags: [baseRate, Flag(name: "t0", kind: .integer, defaultValue: "steps/4", help: "first cycle length"),
                           Flag(name: "t-mult", kind: .integer, defaultValue: "1", help: "cycle length factor"), etaMin]) { v in
            CosineAnnealingWarmRestarts(baseLearningRate: try v.number("base-lr", default: 0.1),
                                        t0: try v.integer("t0", default: max(1, v.steps / 4), minimum: 1),
                                        tMult: try v.integer("t-mult", default: 1, minimum: 1), etaMin: try v.number("eta-min", default: 0))
        },
        Definition(name: "warmup-cosine", summary: "linear warmup over --warmup-steps, then cosine annealing (LinearWarmup + CosineAnnealingLR)",
                   flags: [baseRate, Flag(name: "warmup-steps", kind: .integer, defaultValue: "steps/10", help: "warmup length"),
                           Flag(name: "start-factor", kind: .number, defaultValue: "0", help: "fraction of the base rate at step 0"),
                           Flag(name: "t-max", kind: .integer, defaultValue: "steps − warmup", help: "cosine length after warmup"), etaMin]) { v in
            let warmup = try v.integer("warmup-steps", default: max(1, v.steps / 10), minimum: 0)
            let cosine = CosineAnnealingLR(baseLearningRate: try v.number("base-lr", default: 0.1),
                                           tMax: try v.integer("t-max", default: max(1, v.steps - warmup), minimum: 1),
                                           etaMin: try v.number("eta-min", default: 0))
            return LinearWarmup(cosine, warmupSteps: warmup,
                                startFactor: try v.number("start-factor", default: 0, where: unit, expected: "a number in [0, 1]"))
        },
        Definition(name: "one-cycle", summary: "the one-cycle policy with momentum cycling (OneCycleLR)",
                   flags: [Flag(name: "max-lr", kind: .number, defaultValue: "0.1", help: "peak learning rate"),
                           Flag(name: "total-steps", kind: .integer, defaultValue: "steps", help: "cycle length"),
                           Flag(name: "pct-start", kind: .number, defaultValue: "0.3", help: "fraction of the cycle spent rising"),
                           Flag(name: "div-factor", kind: .number, defaultValue: "25", help: "initial rate = max-lr / div-factor"),
                           Flag(name: "final-div-factor", kind: .number, defaultValue: "1e4", help: "final rate = initial / final-div-factor"),
                           Flag(name: "anneal-strategy", kind: .choice(["cos", "linear"]), defaultValue: "cos", help: "annealing shape"),
                           Flag(name: "three-phase", kind: .boolean, defaultValue: "false", help: "use three phases"),
                           Flag(name: "cycle-momentum", kind: .boolean, defaultValue: "true", help: "cycle momentum inversely to the rate"),
                           Flag(name: "base-momentum", kind: .number, defaultValue: "0.85", help: "momentum at the peak rate"),
                           Flag(name: "max-momentum", kind: .number, defaultValue: "0.95", help: "momentum at low rates")]) { v in
            OneCycleLR(maxLearningRate: try v.number("max-lr", default: 0.1),
                       totalSteps: try v.integer("total-steps", default: v.steps, minimum: 1),
                       pctStart: try v.number("pct-start", default: 0.3, where: unit, expected: "a number in [0, 1]"),
                       divFactor: try v.number("div-factor", default: 25, where: positive, expected: "a positive number"),
                       finalDivFactor: try v.number("final-div-factor", default: 1e4, where: positive, expected: "a positive number"),
                       annealStrategy: OneCycleLR.AnnealStrategy(rawValue: try v.choice("anneal-strategy", default: "cos",
                                                                                         from: ["cos", "linear"]))!,
                       threePhase: try v.boolean("three-phase", default: false),
                       cycleMomentum: try v.boolean("cycle-momentum", default: true),
                       baseMomentum: try v.number("base-momentum", default: 0.85),
                       maxMomentum: try v.number("max-momentum", default: 0.95))
        },
    ]

    /// The schedule names, in usage order.
    public static var scheduleNames: [String] { definitions.map { $0.name } }

    /// Flags every schedule takes besides its own.
    public static let commonFlags = [
        Flag(name: "steps", kind: .integer, defaultValue: "required", help: "print steps 0 … N−1"),
        Flag(name: "svg", kind: .text, defaultValue: "none", help: "also draw the schedule to this SVG file"),
    ]

    /// Parses the arguments after `converge schedule`.
    /// - Throws: ``ScheduleCommandLineError`` with a one-line description.
    public static func parse(_ arguments: [String]) throws -> ScheduleCommandLine {
        guard let first = arguments.first, !first.hasPrefix("-") else {
            throw ScheduleCommandLineError.missingSchedule(valid: scheduleNames)
        }
        guard let definition = definitions.first(where: { $0.name == first }) else {
            throw ScheduleCommandLineError.unknownSchedule(first, valid: scheduleNames)
        }
        let flags = definition.flags + commonFlags
        let validNames = flags.map { "--" + $0.name }
        var raw: [String: String] = [:]
        var index = 1
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw ScheduleCommandLineError.unexpectedArgument(argument)
            }
            var name = String(argument.dropFirst(2))
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            var flag = flags.first { $0.name == name }
            if flag == nil, name.hasPrefix("no-"), value == nil,
               let negated = flags.first(where: { $0.name == String(name.dropFirst(3)) && $0.kind == .boolean }) {
                flag = negated
                name = negated.name
                value = "false"
            }
            guard let flag else {
                throw ScheduleCommandLineError.unknownFlag("--" + name, schedule: definition.name, valid: validNames)
            }
            if value == nil {
                if flag.kind == .boolean {
                    if index < arguments.count, ["true", "false"].contains(arguments[index].lowercased()) {
                        value = arguments[index]
                        index += 1
                    } else {
                        value = "true"
                    }
                } else {
                    guard index < arguments.count, !arguments[index].hasPrefix("--") else {
                        throw ScheduleCommandLineError.missingValue(flag: "--" + name)
                    }
                    value = arguments[index]
                    index += 1
                }
            }
            guard raw[name] == nil else { throw ScheduleCommandLineError.duplicateFlag("--" + name) }
            raw[name] = value!
        }
        guard let stepsText = raw["steps"] else { throw ScheduleCommandLineError.missingSteps }
        guard let steps = Int(stepsText), steps >= 1, steps <= maxSteps else {
            throw ScheduleCommandLineError.invalidValue(flag: "--steps", value: stepsText, expected: "an integer from 1 to \(maxSteps)")
        }
        if let svg = raw["svg"], svg.isEmpty {
            throw ScheduleCommandLineError.invalidValue(flag: "--svg", value: svg, expected: "a file path")
        }
        let schedule = try definition.build(Values(raw: raw, steps: steps))
        return ScheduleCommandLine(name: definition.name, steps: steps, svgPath: raw["svg"], schedule: schedule)
    }

    /// The CSV the command prints: the header `step,lr,momentum`, then one row per step
    /// 0 … N−1, momentum empty when the schedule has none. Values are printed exactly (Swift's
    /// shortest round-trip form).
    public func csv() -> String {
        var lines = ["step,lr,momentum"]
        lines.reserveCapacity(steps + 1)
        for step in 0..<steps {
            let momentum = schedule.momentum(atStep: step).map { "\($0)" } ?? ""
            lines.append("\(step),\(schedule.learningRate(atStep: step)),\(momentum)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The chart `--svg` draws: the learning rate, and the momentum in a second panel when the
    /// schedule cycles it.
    public func chart() -> LineChart {
        var panels = [LineChart.Panel(title: "Learning rate", xLabel: "step", yLabel: "learning rate",
                                      series: [.init("lr", values: schedule.learningRates(steps: steps))])]
        if let momenta = schedule.momenta(steps: steps) {
            panels.append(LineChart.Panel(title: "Momentum", xLabel: "step", yLabel: "momentum (β₁)",
                                          series: [.init("momentum", values: momenta, color: LineChart.defaultPalette[1])]))
        }
        return LineChart(title: "\(name) schedule, \(steps) steps", panels: panels)
    }

    /// A usage text listing every schedule with its flags and defaults.
    public static var usage: String {
        var lines = ["converge schedule NAME [--param value ...] --steps N [--svg FILE]", "",
                     "Prints CSV (step,lr,momentum) for steps 0 … N−1; --svg FILE also draws it.", ""]
        for definition in definitions {
            lines.append("\(definition.name): \(definition.summary)")
            for flag in definition.flags {
                lines.append("    --\(flag.name) (default \(flag.defaultValue)): \(flag.help)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
