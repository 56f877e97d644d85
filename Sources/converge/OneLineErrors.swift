import ArgumentParser
import Converge
import Foundation

extension ConvergeCommand {
    /// Like ArgumentParser's `main(_:)`, except that a usage error is one line on standard error
    /// (`converge train: … (see converge train --help)`) instead of the message, the usage and a
    /// hint on three.
    static func runWithOneLineErrors(_ arguments: [String]) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Foundation.exit(0)
        } catch {
            exitWithOneLine(error, arguments: arguments)
        }
    }

    /// Reports `error` as ArgumentParser would (help and version on standard output), but a
    /// usage error as one line, and exits.
    static func exitWithOneLine(_ error: Error, arguments: [String]) -> Never {
        if let code = error as? ExitCode { Foundation.exit(code.rawValue) }
        let code = exitCode(for: error)
        if code == .success {
            print(fullMessage(for: error))
            Foundation.exit(0)
        }
        let names = configuration.subcommands.map { $0.configuration.commandName ?? "" }
        let prefix = arguments.first.flatMap { names.contains($0) ? "converge \($0)" : nil } ?? "converge"
        let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
        FileHandle.standardError.write(Data("\(prefix): \(message) (see \(prefix) --help)\n".utf8))
        Foundation.exit(code.rawValue)
    }
}

/// Memory limits of `converge init-check`, checked before anything is allocated.
enum InitCheckLimits {
    static func check(width: Int, samples: Int) throws {
        let available = MemoryEstimate.availableBytes
        let elements = CheckedSize.product(width, width).flatMap { w in
            CheckedSize.product(width, samples).flatMap { CheckedSize.product($0, 3) }.flatMap { CheckedSize.sum(w, $0) }
        }
        guard let elements, Double(elements) * 4 <= Double(available) * 0.9 else {
            let needed = elements.map { String(format: "%.1f GiB", Double($0) * 4 / 1_073_741_824) } ?? "more memory than can be addressed"
            throw ValidationError("--width \(width) with --samples \(samples) needs \(needed) (a \(width)×\(width) weight matrix and the activations); this machine has \(String(format: "%.1f GiB", Double(available) / 1_073_741_824))")
        }
    }
}
