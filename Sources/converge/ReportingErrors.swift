import ArgumentParser
import Converge
import Foundation

/// Runs `body`; an error becomes one line on standard error (`converge <command>: …`) and exit
/// code 1, instead of a stack trace.
func reportingErrors(_ command: String, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch DistributedError.failedOnAnotherRank {
        throw ExitCode(1)   // that rank printed the error
    } catch {
        let ns = error as NSError
        let text = ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain ? FileProblem.sentence(error) : "\(error)"
        let line = text.split(separator: "\n").first.map(String.init) ?? text
        FileHandle.standardError.write(Data("converge \(command): \(line)\n".utf8))
        if case RecipeRun.RunError.interrupted = error { throw ExitCode(130) }   // as a shell reports SIGINT
        throw ExitCode(1)
    }
}
