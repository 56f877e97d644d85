import ArgumentParser
import Converge
import Foundation

extension ConvergeCommand {
    /// The entry point: like ArgumentParser's `main()`, except that a usage error is one line on
    /// standard error (`converge train: --epochs: … (see converge train --help)`) instead of
    /// the message, the usage and a hint on three.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let names = configuration.subcommands.map { $0.configuration.commandName ?? "" }
        let prefix = arguments.first.flatMap { names.contains($0) ? "converge \($0)" : nil } ?? "converge"
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            FileHandle.standardError.write(Data("\(prefix): \(message) (see \(prefix) --help)\n".utf8))
            Foundation.exit(code.rawValue)
        }
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
