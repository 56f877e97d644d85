import ArgumentParser
import Converge
import Foundation
import XCTest
@testable import converge

final class ScheduleCommandTests: XCTestCase {
    private func rows(_ csv: String) -> [[String]] {
        csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    func testEveryScheduleRunsWithDefaults() throws {
        for name in ScheduleSpec.names where name != "plateau" {
            let result = try runConverge(["schedule", name, "--steps", "20"])
            XCTAssertNil(result.error, "\(name): \(result.standardError)")
            XCTAssertTrue(result.standardOutput.hasPrefix("step,lr,momentum\n"), name)
            XCTAssertEqual(rows(result.standardOutput).map { $0[0] }, (0..<20).map(String.init), name)
        }
    }

    /// The flags are PyTorch's argument names; the CSV is the spec's schedule, exactly.
    func testFlagsBuildTheTypedSpec() throws {
        let result = try runConverge(["schedule", "one-cycle", "--max-lr", "0.2", "--three-phase", "--anneal-strategy", "linear",
                                      "--no-cycle-momentum", "--steps", "30"])
        XCTAssertNil(result.error, result.standardError)
        let schedule = ScheduleSpec(.oneCycle(.init(annealStrategy: .linear, threePhase: true, cycleMomentum: false)), learningRate: 0.2)
            .makeSchedule(learningRate: 1, steps: 30)!
        XCTAssertEqual(result.standardOutput, ScheduleCommand.csv(schedule, steps: 30))
        XCTAssertEqual(rows(result.standardOutput)[0][2], "", "no momentum when it is not cycled")

        let warm = try runConverge(["schedule", "warm-restarts", "--t0", "5", "--t-mult", "2", "--eta-min=1e-4", "--steps", "12"])
        let expected = ScheduleSpec(.warmRestarts(t0: 5, tMult: 2, etaMin: 1e-4), learningRate: 0.1).makeSchedule(learningRate: 1, steps: 12)!
        XCTAssertEqual(warm.standardOutput, ScheduleCommand.csv(expected, steps: 12))
        let multi = try runConverge(["schedule", "multi-step", "--milestones", "5,12", "--gamma", "0.3", "--steps", "15"])
        XCTAssertEqual(Double(rows(multi.standardOutput)[12][1])!, 0.1 * 0.3 * 0.3, accuracy: 1e-15)
    }

    func testBadArgumentsNameTheFlag() throws {
        func message(_ arguments: [String]) -> String {
            do {
                var command = try ConvergeCommand.parseAsRoot(["schedule"] + arguments)
                try command.run()
                return ""
            } catch {
                return ConvergeCommand.message(for: error)
            }
        }
        XCTAssertEqual(message(["one-cycle", "--steps", "5", "--pct-start", "1.5"]), "--pct-start must be in [0, 1], got 1.5")
        XCTAssertEqual(message(["step", "--steps", "0"]), "--steps must be from 1 to 10000000, got 0")
        XCTAssertEqual(message(["step", "--steps", "5", "--step-size", "0"]), "--step-size must be at least 1, got 0")
        XCTAssertTrue(message(["cosine", "--steps", "5", "--gamma", "0.1"]).contains("Unknown option '--gamma'"))
        XCTAssertTrue(message(["step"]).contains("Missing expected argument '--steps <steps>'"))
        XCTAssertEqual(ScheduleCommand.unknownSchedule(in: ["schedule", "cosin", "--steps", "5"])?.message,
                       "unknown schedule 'cosin'; valid schedules: \(ScheduleSpec.names.filter { $0 != "plateau" }.joined(separator: ", "))")
        XCTAssertNil(ScheduleCommand.unknownSchedule(in: ["schedule", "cosine", "--steps", "5"]))
        XCTAssertNil(ScheduleCommand.unknownSchedule(in: ["train", "cosin"]))
        XCTAssertTrue(message(["one-cycle", "--steps", "5", "--anneal-strategy", "cosine"]).contains("cosine"))
        XCTAssertEqual(message(["multi-step", "--steps", "5", "--milestones", "2,x"]),
                       "--milestones: expected comma-separated integers, got '2,x'")
    }

    func testSVGHasAMomentumPanelOnlyWhenCycled() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("converge-schedule-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let svg = folder.appendingPathComponent("one-cycle.svg").path
        let result = try runConverge(["schedule", "one-cycle", "--steps", "50", "--svg", svg])
        XCTAssertNil(result.error, result.standardError)
        let text = try String(contentsOfFile: svg, encoding: .utf8)
        XCTAssertTrue(text.contains("Momentum"))
        let oneCycle = ScheduleSpec(.oneCycle()).makeSchedule(learningRate: 0.1, steps: 50)!
        XCTAssertEqual(ScheduleCommand.chart(oneCycle, name: "one-cycle", steps: 50).panels.map(\.title), ["Learning rate", "Momentum"])
        let cosine = ScheduleSpec(.cosine()).makeSchedule(learningRate: 0.1, steps: 50)!
        XCTAssertEqual(ScheduleCommand.chart(cosine, name: "cosine", steps: 50).panels.count, 1)
    }

    func testHelpListsEveryScheduleAndItsFlags() {
        let help = ScheduleCommand.helpMessage()
        for name in ScheduleSpec.names where name != "plateau" { XCTAssertTrue(help.contains(name), name) }
        XCTAssertTrue(ScheduleCommand.OneCycle.helpMessage().contains("--final-div-factor"))
    }
}
