import XCTest
@testable import Converge

final class ScheduleCommandLineTests: XCTestCase {
    private func rows(_ csv: String) -> [[String]] {
        csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    func testEveryRequiredScheduleParsesWithDefaults() throws {
        for name in ["step", "exponential", "cosine", "warm-restarts", "warmup-cosine", "one-cycle", "linear",
                     "constant", "multi-step", "polynomial"] {
            let parsed = try ScheduleCommandLine.parse([name, "--steps", "20"])
            XCTAssertEqual(parsed.name, name)
            let csv = parsed.csv()
            XCTAssertTrue(csv.hasPrefix("step,lr,momentum\n"), name)
            XCTAssertEqual(rows(csv).count, 20, name)
            XCTAssertEqual(rows(csv).map { $0[0] }, (0..<20).map(String.init), name)
        }
    }

    /// The CSV of `one-cycle` is PyTorch's OneCycleLR, learning rate and momentum.
    func testOneCycleCSVMatchesPyTorch() throws {
        let csv = try ScheduleCommandLine.parse(["one-cycle", "--max-lr", "0.1", "--steps", "100"]).csv()
        let expectedRates = ScheduleGolden.values("one_cycle_sgd/lr")
        let expectedMomenta = ScheduleGolden.values("one_cycle_sgd/momentum")
        for (i, row) in rows(csv).enumerated() {
            XCTAssertEqual(Double(row[1])!, expectedRates[i], accuracy: 1e-6 * expectedRates[i])
            XCTAssertEqual(Double(row[2])!, expectedMomenta[i], accuracy: 1e-6 * expectedMomenta[i])
        }
    }

    func testWarmRestartsFlagsUsePyTorchNames() throws {
        let csv = try ScheduleCommandLine.parse(["warm-restarts", "--t0", "5", "--t-mult", "2", "--eta-min=1e-4", "--base-lr", "0.1",
                                                 "--steps", "80"]).csv()
        let expected = ScheduleGolden.values("warm_restarts_mult2/lr")
        for (i, row) in rows(csv).enumerated() {
            XCTAssertEqual(Double(row[1])!, expected[i], accuracy: 1e-6 * expected[i])
            XCTAssertEqual(row[2], "", "no momentum column value")
        }
    }

    func testOneCycleOptions() throws {
        let parsed = try ScheduleCommandLine.parse(["one-cycle", "--steps", "90", "--max-lr", "0.2", "--three-phase",
                                                    "--pct-start", "0.3", "--div-factor", "25", "--final-div-factor", "1e4"])
        let schedule = try XCTUnwrap(parsed.schedule as? OneCycleLR)
        XCTAssertTrue(schedule.threePhase)
        XCTAssertEqual(schedule.totalSteps, 90)
        ScheduleGolden.check(schedule, "one_cycle_three_phase")
        let linear = try XCTUnwrap(try ScheduleCommandLine.parse(["one-cycle", "--steps", "10", "--anneal-strategy", "linear",
                                                                  "--no-cycle-momentum"]).schedule as? OneCycleLR)
        XCTAssertEqual(linear.annealStrategy, .linear)
        XCTAssertFalse(linear.cycleMomentum)
        XCTAssertEqual(rows(try ScheduleCommandLine.parse(["one-cycle", "--steps", "3", "--cycle-momentum=false"]).csv())[0][2], "")
    }

    func testOtherSchedulesBuildWhatTheFlagsSay() throws {
        let step = try XCTUnwrap(try ScheduleCommandLine.parse(["step", "--step-size", "7", "--gamma", "0.5", "--steps", "40"]).schedule as? StepLR)
        ScheduleGolden.check(step, "step")
        let warm = try ScheduleCommandLine.parse(["warmup-cosine", "--warmup-steps", "10", "--start-factor", "0.1", "--t-max", "40",
                                                  "--eta-min", "1e-5", "--steps", "60"])
        ScheduleGolden.check(warm.schedule, "warmup_cosine")
        let linear = try ScheduleCommandLine.parse(["linear", "--start-factor", "1", "--end-factor", "0.05", "--total-iters", "25",
                                                    "--steps", "35"])
        ScheduleGolden.check(linear.schedule, "linear_decay")
        let exponential = try ScheduleCommandLine.parse(["exponential", "--gamma", "0.95", "--steps", "50"])
        ScheduleGolden.check(exponential.schedule, "exponential")
        let cosine = try ScheduleCommandLine.parse(["cosine", "--t-max", "30", "--eta-min", "0.001", "--steps", "70"])
        ScheduleGolden.check(cosine.schedule, "cosine")
        let multi = try ScheduleCommandLine.parse(["multi-step", "--milestones", "5,12,20", "--gamma", "0.3", "--steps", "30"])
        ScheduleGolden.check(multi.schedule, "multi_step")
    }

    func testErrorsAreOneLineAndListTheValidChoices() {
        func error(_ arguments: [String]) -> ScheduleCommandLineError? {
            do { _ = try ScheduleCommandLine.parse(arguments); return nil } catch { return error as? ScheduleCommandLineError }
        }
        let unknown = error(["cosin", "--steps", "5"])
        XCTAssertEqual(unknown, .unknownSchedule("cosin", valid: ScheduleCommandLine.scheduleNames))
        XCTAssertTrue("\(unknown!)".contains("warmup-cosine, one-cycle"))
        let flag = error(["cosine", "--steps", "5", "--gamma", "0.1"])
        XCTAssertEqual(flag, .unknownFlag("--gamma", schedule: "cosine", valid: ["--base-lr", "--t-max", "--eta-min", "--steps", "--svg"]))
        XCTAssertEqual("\(flag!)", "unknown flag '--gamma' for schedule 'cosine'; valid flags: --base-lr, --t-max, --eta-min, --steps, --svg")
        XCTAssertEqual(error([]), .missingSchedule(valid: ScheduleCommandLine.scheduleNames))
        XCTAssertEqual(error(["--steps", "5"]), .missingSchedule(valid: ScheduleCommandLine.scheduleNames))
        XCTAssertEqual(error(["step"]), .missingSteps)
        XCTAssertEqual(error(["step", "--steps", "0"]), .invalidValue(flag: "--steps", value: "0", expected: "an integer from 1 to 100000000"))
        XCTAssertEqual(error(["step", "--steps", "9999999999999"]),
                       .invalidValue(flag: "--steps", value: "9999999999999", expected: "an integer from 1 to 100000000"))
        XCTAssertEqual(error(["one-cycle", "--steps", "5", "--max-lr", "-1"]),
                       .invalidValue(flag: "--max-lr", value: "-1", expected: "a positive learning rate"))
        XCTAssertEqual(error(["step", "--steps", "5", "--gamma"]), .missingValue(flag: "--gamma"))
        XCTAssertEqual(error(["step", "--steps", "5", "--gamma", "x"]), .invalidValue(flag: "--gamma", value: "x", expected: "a number"))
        XCTAssertEqual(error(["step", "--steps", "5", "--step-size", "0"]),
                       .invalidValue(flag: "--step-size", value: "0", expected: "an integer ≥ 1"))
        XCTAssertEqual(error(["one-cycle", "--steps", "5", "--pct-start", "1.5"]),
                       .invalidValue(flag: "--pct-start", value: "1.5", expected: "a number in [0, 1]"))
        XCTAssertEqual(error(["one-cycle", "--steps", "5", "--anneal-strategy", "cosine"]),
                       .invalidValue(flag: "--anneal-strategy", value: "cosine", expected: "one of cos, linear"))
        XCTAssertEqual(error(["step", "--steps", "5", "--steps", "6"]), .duplicateFlag("--steps"))
        XCTAssertEqual(error(["step", "extra", "--steps", "5"]), .unexpectedArgument("extra"))
        XCTAssertEqual(error(["cosine", "--steps", "5", "--no-eta-min"]),
                       .unknownFlag("--no-eta-min", schedule: "cosine", valid: ["--base-lr", "--t-max", "--eta-min", "--steps", "--svg"]))
        for e in [unknown!, flag!] { XCTAssertFalse("\(e)".contains("\n")) }
    }

    func testChartHasMomentumPanelOnlyWhenCycled() throws {
        let oneCycle = try ScheduleCommandLine.parse(["one-cycle", "--steps", "50", "--svg", "x.svg"])
        XCTAssertEqual(oneCycle.svgPath, "x.svg")
        XCTAssertEqual(oneCycle.chart().panels.map { $0.title }, ["Learning rate", "Momentum"])
        XCTAssertEqual(oneCycle.chart().panels[0].series[0].y.count, 50)
        XCTAssertEqual(try ScheduleCommandLine.parse(["cosine", "--steps", "50"]).chart().panels.count, 1)
    }

    func testUsageListsEverySchedule() {
        for name in ScheduleCommandLine.scheduleNames { XCTAssertTrue(ScheduleCommandLine.usage.contains("\n\(name): "), name) }
        XCTAssertTrue(ScheduleCommandLine.usage.contains("--final-div-factor"))
    }
}
