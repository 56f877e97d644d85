import ArgumentParser
import Converge
import XCTest
@testable import converge

final class ConvergeCommandTests: XCTestCase {
    func testVersionPrintsTheOneVersion() throws {
        XCTAssertEqual(ConvergeVersion.current, "0.2.0")
        XCTAssertThrowsError(try ConvergeCommand.parseAsRoot(["--version"])) { error in
            XCTAssertEqual(ConvergeCommand.message(for: error), "0.2.0")
            XCTAssertEqual(ConvergeCommand.exitCode(for: error), .success)
        }
        let version = ConvergeVersion.current.split(separator: ".")
        XCTAssertEqual(version.count, 3)
        XCTAssertTrue(version.allSatisfy { Int($0) != nil })
    }

    func testCompletionScriptsKnowTheSubcommandsAndFlags() {
        for shell in [CompletionShell.bash, .zsh, .fish] {
            let script = ConvergeCommand.completionScript(for: shell)
            for word in ["train", "evaluate", "summary", "predict", "schedule", "print-recipe"] {
                XCTAssertTrue(script.contains(word), "\(shell) completions lack \(word)")
            }
        }
    }
}
