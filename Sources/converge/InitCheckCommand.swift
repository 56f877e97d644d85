import ArgumentParser
import Converge
import ConvergeExamples
import Foundation

/// `converge init-check --init NAME --activation NAME --depth N --width N [--samples N]`: the
/// seed's initialization experiment (§7.2.5).
struct InitCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init-check",
        abstract: "Track activation mean and variance through a deep stack (prints CSV layer,mean,variance).",
        discussion: """
        Pushes --samples standard-normal inputs through --depth bias-free Linear(width, width) layers, \
        each initialized by --init and followed by --activation, and prints the mean and variance of \
        the activations after every layer (layer 0 is the input), then a last line with the final \
        layer's variance and a verdict: stable, vanishing (variance fell more than 1000×), exploding \
        (grew more than 1000×, or reached Inf) or saturated (tanh/sigmoid: half or more of the last \
        layer's outputs at the activation's ends, measured, whatever the variance).
        Inits: he, xavier-normal (also spelled xavier), xavier-uniform, normal-0.01 (too small), \
        normal-1.0 (too large), orthogonal, default \
        (PyTorch's Linear default). Activations: relu, tanh, sigmoid, linear, gelu.
        """)

    @Option(name: .customLong("init"), help: "he, xavier (= xavier-normal), xavier-uniform, normal-0.01, normal-1.0, orthogonal or default.")
    var initialization: String

    @Option(help: "relu, tanh, sigmoid, linear or gelu.")
    var activation: String

    @Option(parsing: .unconditional, help: "Number of layers.")
    var depth: Int

    @Option(parsing: .unconditional, help: "Width of every layer.")
    var width: Int

    @Option(parsing: .unconditional, help: "Number of input samples.")
    var samples: Int = 1000

    @Option(help: "Random seed.")
    var seed: UInt64 = 42

    func run() throws {
        try reportingErrors("init-check") {
            guard let scheme = InitCheck.Scheme(name: initialization) else {
                throw ValidationError("--init: unknown initialization '\(initialization)' (expected \(InitCheck.Scheme.names.joined(separator: ", ")))")
            }
            let names = ["relu", "tanh", "sigmoid", "linear", "gelu"]
            guard names.contains(activation.lowercased()), let act = Activation(name: activation) else {
                throw ValidationError("--activation: unknown activation '\(activation)' (expected \(names.joined(separator: ", ")))")
            }
            guard depth >= 1 else { throw ValidationError("--depth must be at least 1, got \(depth)") }
            guard width >= 1 else { throw ValidationError("--width must be at least 1, got \(width)") }
            guard samples >= 2 else { throw ValidationError("--samples must be at least 2, got \(samples)") }
            guard depth <= 10_000 else { throw ValidationError("--depth must be at most 10000, got \(depth)") }
            try InitCheckLimits.check(width: width, samples: samples)
            let result = InitCheck.run(scheme: scheme, activation: act, depth: depth, width: width, samples: samples, seed: seed)
            print(result.csv(), terminator: "")
            print(result.summary)
        }
    }
}
