import ArgumentParser
import Converge
import Foundation

/// `converge schedule NAME [--param value …] --steps N [--svg FILE]`: prints a learning-rate
/// schedule as CSV (`step,lr,momentum`) and optionally draws it (seed §7.5.6). One subcommand
/// per schedule of ``ScheduleSpec/catalogue``, with PyTorch's argument names in kebab case.
struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Print a learning-rate schedule as CSV (step,lr,momentum); --svg FILE draws it.",
        discussion: "Each schedule takes PyTorch's arguments in kebab case; `converge schedule NAME --help` lists them. "
            + "Parameters whose default depends on the run default to a fraction of --steps.",
        subcommands: [Constant.self, Step.self, MultiStep.self, Exponential.self, Linear.self, Polynomial.self,
                      Cosine.self, WarmRestarts.self, WarmupCosine.self, OneCycle.self])

    /// The schedule names of the subcommands.
    static var scheduleNames: [String] { configuration.subcommands.map { $0.configuration.commandName ?? "" } }

    /// A one-line error for `converge schedule NAME …` with a NAME that is no schedule (which
    /// argument-parser would otherwise report as an unknown option further along the line).
    static func unknownSchedule(in arguments: [String]) -> ValidationError? {
        guard arguments.first == "schedule", let name = arguments.dropFirst().first, !name.hasPrefix("-"),
              !scheduleNames.contains(name), name != "help" else { return nil }
        return ValidationError("unknown schedule '\(name)'; valid schedules: \(scheduleNames.joined(separator: ", "))")
    }

    /// `--steps` and `--svg`, shared by every schedule.
    struct Output: ParsableArguments {
        @Option(parsing: .unconditional, help: "Print steps 0 … N−1 (N ≥ 1).")
        var steps: Int

        @Option(parsing: .unconditional, help: "Also draw the schedule to this SVG file.")
        var svg: String?

        func validate() throws {
            guard steps >= 1, steps <= 10_000_000 else { throw ValidationError("--steps must be from 1 to 10000000, got \(steps)") }
            if let svg, svg.isEmpty { throw ValidationError("--svg needs a file path") }
        }
    }

    /// Validates `spec` (naming the flag of a bad value), prints its CSV and draws the chart.
    static func emit(_ spec: ScheduleSpec, _ output: Output) throws {
        if let problem = spec.validate() {
            throw ValidationError("--\(problem.parameter.replacingOccurrences(of: "_", with: "-")) \(problem.message)")
        }
        // The base rate defaults to 0.1 on the command line, where there is no optimizer.
        let schedule = spec.makeSchedule(learningRate: 0.1, steps: output.steps)!
        if let path = output.svg {
            do {
                try chart(schedule, name: spec.name, steps: output.steps).write(to: path)
            } catch {
                FileHandle.standardError.write(Data("converge schedule: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
        print(csv(schedule, steps: output.steps), terminator: "")
    }

    /// The header `step,lr,momentum`, then one row per step 0 … N−1, momentum empty when the
    /// schedule has none. Values are printed exactly (Swift's shortest round-trip form).
    static func csv(_ schedule: any LearningRateSchedule, steps: Int) -> String {
        var lines = ["step,lr,momentum"]
        lines.reserveCapacity(steps + 1)
        for step in 0..<steps {
            let momentum = schedule.momentum(atStep: step).map { "\($0)" } ?? ""
            lines.append("\(step),\(schedule.learningRate(atStep: step)),\(momentum)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The learning rate, and the momentum in a second panel when the schedule cycles it.
    static func chart(_ schedule: any LearningRateSchedule, name: String, steps: Int) -> LineChart {
        var panels = [LineChart.Panel(title: "Learning rate", xLabel: "step", yLabel: "learning rate",
                                      series: [.init("lr", values: schedule.learningRates(steps: steps))])]
        if let momenta = schedule.momenta(steps: steps) {
            panels.append(LineChart.Panel(title: "Momentum", xLabel: "step", yLabel: "momentum (β₁)",
                                          series: [.init("momentum", values: momenta, color: LineChart.defaultPalette[1])]))
        }
        return LineChart(title: "\(name) schedule, \(steps) steps", panels: panels)
    }

    static func summary(_ name: String) -> String { ScheduleSpec.catalogue.first { $0.name == name }!.summary }

    struct Constant: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "constant", abstract: summary("constant"))
        @Option(parsing: .unconditional, help: "Initial learning rate.") var baseLr = 0.1
        @Option(parsing: .unconditional, help: "Factor for the first steps.") var factor = 1.0
        @Option(parsing: .unconditional, help: "Steps that use the factor.") var totalIters = 0
        @OptionGroup var output: Output
        func run() throws {
            try emit(ScheduleSpec(.constant(factor: factor, totalIterations: totalIters), learningRate: baseLr), output)
        }
    }

    struct Step: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "step", abstract: summary("step"))
        @Option(parsing: .unconditional, help: "Initial learning rate.") var baseLr = 0.1
        @Option(parsing: .unconditional, help: "Steps between decays (default: steps/3).") var stepSize: Int?
        @Option(parsing: .unconditional, help: "Decay factor.") var gamma = 0.1
        @OptionGroup var output: Output
        func run() throws { try emit(ScheduleSpec(.step(stepSize: stepSize, gamma: gamma), learningRate: baseLr), output) }
    }

    struct MultiStep: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "multi-step", abstract: summary("multi-step"))
        @Option(parsing: .unconditional, help: "Initial learning rate.") var baseLr = 0.1
        @Option(parsing: .unconditional, help: ArgumentHelp("Comma-separated steps at which to decay (default: steps/2,3·steps/4).", valueName: "n,n,…"))
        var milestones: String?
        @Option(parsing: .unconditional, help: "Decay factor.") var gamma = 0.1
        @OptionGroup var output: Output
        func run() throws {
            var steps: [Int]?
            if let milestones {
                let parts = milestones.split(separator: ",", omittingEmptySubsequences: false)
                    .map { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else {
                    throw ValidationError("--milestones: expected comma-separated integers, got '\(milestones)'")
                }
                steps = parts.map { $0! }
            }
            try emit(ScheduleSpec(.multiStep(milestones: steps, gamma: gamma), learningRate: baseLr), output)
        }
    }

    struct Exponential: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "exponential", abstract: summary("exponential"))
        @Option(parsing: .unconditional, help: "Initial learning rate.") var baseLr = 0.1
        @Option(parsing: .unconditional, help: "Per-step factor.") var gamma = 0.95
        @OptionGroup var output: Output
        func run() throws { try emit(ScheduleSpec(.exponential(gamma: gamma), learningRate: baseLr), output) }
    }

    struct Linear: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "linear", abstract: summary("linear"))
        @Option(parsing: .unconditional, help: "Initial learning rate.") var baseLr = 0.1
        @Option(parsing: .unconditional, help: "Factor at step 0.") var startFactor = 1.0
        @Option(parsing: .unconditional, help: "Factor from --total-iters on.") var endFactor = 0.0
        @Option(parsing: .unconditional, help: "Length of the ramp (default: steps).") var totalIters: Int?
        @OptionGroup var output: Output
        func run() throws {
            try emit(ScheduleSpec(.linear(startFactor: startFactor, endFactor: endFactor, totalIterations: totalIters), learningRate: baseLr), output)
        }
    }

    struct Polynomial: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "polynomial", abstract: summary("polynomial"))
        @Option(parsing: .unconditional, help: "Initial learning rate.") var baseLr = 0.1
        @Option(parsing: .unconditional, help: "Steps to reach zero (default: steps).") var totalIters: Int?
        @Option(parsing: .unconditional, help: "Exponent.") var power = 1.0
        @OptionGroup var output: Output
        func run() throws {
            try emit(ScheduleSpec(.polynomial(totalIterations: totalIters, power: power), learningRate: baseLr), output)
        }
    }

    struct Cosine: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "cosine", abstract: summary("cosine"))
        @Option(parsing: .unconditional, help: "Initial learning rate.") var baseLr = 0.1
        @Option(parsing: .unconditional, help: "Steps from maximum to minimum (default: steps).") var tMax: Int?
        @Option(parsing: .unconditional, help: "Minimum learning rate.") var etaMin = 0.0
        @OptionGroup var output: Output
        func run() throws { try emit(ScheduleSpec(.cosine(tMax: tMax, etaMin: etaMin), learningRate: baseLr), output) }
    }

    struct WarmRestarts: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "warm-restarts", abstract: summary("warm-restarts"))
        @Option(parsing: .unconditional, help: "Initial learning rate.") var baseLr = 0.1
        @Option(name: .customLong("t0"), help: "First cycle length (default: steps/4).") var t0: Int?
        @Option(parsing: .unconditional, help: "Cycle length factor.") var tMult = 1
        @Option(parsing: .unconditional, help: "Minimum learning rate.") var etaMin = 0.0
        @OptionGroup var output: Output
        func run() throws {
            try emit(ScheduleSpec(.warmRestarts(t0: t0, tMult: tMult, etaMin: etaMin), learningRate: baseLr), output)
        }
    }

    struct WarmupCosine: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "warmup-cosine", abstract: summary("warmup-cosine"))
        @Option(parsing: .unconditional, help: "Initial learning rate.") var baseLr = 0.1
        @Option(parsing: .unconditional, help: "Warmup length (default: steps/10).") var warmupSteps: Int?
        @Option(parsing: .unconditional, help: "Fraction of the base rate at step 0.") var startFactor = 0.0
        @Option(parsing: .unconditional, help: "Cosine length after warmup (default: steps − warmup).") var tMax: Int?
        @Option(parsing: .unconditional, help: "Minimum learning rate.") var etaMin = 0.0
        @OptionGroup var output: Output
        func run() throws {
            try emit(ScheduleSpec(.warmupCosine(warmupSteps: warmupSteps, startFactor: startFactor, tMax: tMax, etaMin: etaMin),
                                  learningRate: baseLr), output)
        }
    }

    struct OneCycle: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "one-cycle", abstract: summary("one-cycle"))
        @Option(parsing: .unconditional, help: "Peak learning rate.") var maxLr = 0.1
        @Option(parsing: .unconditional, help: "Cycle length (default: steps).") var totalSteps: Int?
        @Option(parsing: .unconditional, help: "Fraction of the cycle spent rising.") var pctStart = 0.3
        @Option(parsing: .unconditional, help: "Initial rate = max-lr / div-factor.") var divFactor = 25.0
        @Option(parsing: .unconditional, help: "Final rate = initial rate / final-div-factor.") var finalDivFactor = 1e4
        @Option(parsing: .unconditional, help: "Annealing shape: cos or linear.") var annealStrategy: OneCycleLR.AnnealStrategy = .cosine
        @Flag(help: "Use three phases.") var threePhase = false
        @Flag(inversion: .prefixedNo, help: "Cycle momentum (Adam's β₁) inversely to the rate.") var cycleMomentum = true
        @Option(parsing: .unconditional, help: "Momentum at the peak rate.") var baseMomentum = 0.85
        @Option(parsing: .unconditional, help: "Momentum at low rates.") var maxMomentum = 0.95
        @OptionGroup var output: Output
        func run() throws {
            let options = ScheduleSpec.OneCycle(totalSteps: totalSteps, pctStart: pctStart, divFactor: divFactor,
                                                finalDivFactor: finalDivFactor, annealStrategy: annealStrategy,
                                                threePhase: threePhase, cycleMomentum: cycleMomentum,
                                                baseMomentum: baseMomentum, maxMomentum: maxMomentum)
            try emit(ScheduleSpec(.oneCycle(options), learningRate: maxLr), output)
        }
    }
}

extension OneCycleLR.AnnealStrategy: ExpressibleByArgument {}
