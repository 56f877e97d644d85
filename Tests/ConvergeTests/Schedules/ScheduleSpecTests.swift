import Foundation
import XCTest
@testable import Converge

final class ScheduleSpecTests: XCTestCase {
    let file = URL(fileURLWithPath: "/tmp/r.yaml")

    func spec(_ schedule: String) throws -> ScheduleSpec {
        let recipe = try Recipe.parse("data: {train: a.csv}\nmodel: {mlp: {}}\nschedule: \(schedule)\n", file: file)
        return try XCTUnwrap(recipe.schedule)
    }

    func error(_ schedule: String) -> String? {
        do { _ = try spec(schedule); return nil } catch { return "\(error)" }
    }

    func testRecipeKeysBecomeTypedParameters() throws {
        XCTAssertEqual(try spec("{name: step, step_size: 7, gamma: 0.5}").kind, .step(stepSize: 7, gamma: 0.5))
        XCTAssertEqual(try spec("{name: multi-step, milestones: [5, 12, 20], gamma: 0.3}").kind,
                       .multiStep(milestones: [5, 12, 20], gamma: 0.3))
        let oneCycle = try spec("{name: one-cycle, max_lr: 0.2, three_phase: true, anneal_strategy: linear, cycle_momentum: false}")
        XCTAssertEqual(oneCycle.learningRate, 0.2)
        XCTAssertEqual(oneCycle.interval, .batch)
        XCTAssertEqual(oneCycle.kind, .oneCycle(.init(annealStrategy: .linear, threePhase: true, cycleMomentum: false)))
        let plateau = try spec("{name: plateau, patience: 3, mode: max, min_lr: 1.0e-5}")
        XCTAssertEqual(plateau.interval, .epoch)
        XCTAssertNil(plateau.learningRate)
        XCTAssertEqual(plateau.kind, .plateau(.init(mode: .max, patience: 3, minLearningRate: 1e-5)))
        XCTAssertEqual(try spec("{name: warm-restarts, t0: 5, t_mult: 2, interval: epoch}").interval, .epoch)
    }

    func testRecipeErrorsNameTheFieldAndLine() {
        XCTAssertEqual(error("{name: cosine, gamma: 0.1}"),
                       "/tmp/r.yaml:3: schedule.gamma: not a parameter of schedule 'cosine' (valid: name, interval, base_lr, t_max, eta_min)")
        XCTAssertEqual(error("{name: one-cycle, pct_start: 1.5}"), "/tmp/r.yaml:3: schedule.pct_start: must be in [0, 1], got 1.5")
        XCTAssertEqual(error("{name: step, step_size: 0}"), "/tmp/r.yaml:3: schedule.step_size: must be at least 1, got 0")
        XCTAssertEqual(error("{name: cosine, t_max: ten}"), "/tmp/r.yaml:3: schedule.t_max: expected an integer, got 'ten'")
        XCTAssertEqual(error("{name: one-cycle, anneal_strategy: cosine}"),
                       "/tmp/r.yaml:3: schedule.anneal_strategy: unknown value 'cosine' (valid: cos, linear)")
        XCTAssertEqual(error("{name: plateau, interval: batch}"), "/tmp/r.yaml:3: schedule.interval: unknown value 'batch' (valid: epoch)")
        XCTAssertEqual(error("{name: cosin}"), "/tmp/r.yaml:3: schedule.name: unknown value 'cosin' (valid: \(ScheduleSpec.names.joined(separator: ", ")))")
        XCTAssertEqual(error("{name: cosine, base_lr: -1.0}"), "/tmp/r.yaml:3: schedule.base_lr: must be positive, got -1.0")
    }

    func testSchedulesMatchPyTorch() throws {
        ScheduleGolden.check(ScheduleSpec(.step(stepSize: 7, gamma: 0.5), learningRate: 0.1).makeSchedule(learningRate: 1, steps: 40)!, "step")
        ScheduleGolden.check(ScheduleSpec(.warmupCosine(warmupSteps: 10, startFactor: 0.1, tMax: 40, etaMin: 1e-5), learningRate: 0.1)
            .makeSchedule(learningRate: 1, steps: 60)!, "warmup_cosine")
        ScheduleGolden.check(ScheduleSpec(.linear(startFactor: 1, endFactor: 0.05, totalIterations: 25), learningRate: 0.1)
            .makeSchedule(learningRate: 1, steps: 35)!, "linear_decay")
        ScheduleGolden.check(ScheduleSpec(.exponential(gamma: 0.95), learningRate: 0.1).makeSchedule(learningRate: 1, steps: 50)!, "exponential")
        ScheduleGolden.check(ScheduleSpec(.cosine(tMax: 30, etaMin: 0.001), learningRate: 0.1).makeSchedule(learningRate: 1, steps: 70)!, "cosine")
        ScheduleGolden.check(ScheduleSpec(.multiStep(milestones: [5, 12, 20], gamma: 0.3), learningRate: 0.1)
            .makeSchedule(learningRate: 1, steps: 30)!, "multi_step")
        let threePhase = try XCTUnwrap(ScheduleSpec(.oneCycle(.init(threePhase: true)), learningRate: 0.2)
            .makeSchedule(learningRate: 1, steps: 90) as? OneCycleLR)
        XCTAssertEqual(threePhase.totalSteps, 90)
        ScheduleGolden.check(threePhase, "one_cycle_three_phase")
        let oneCycle = try XCTUnwrap(ScheduleSpec(.oneCycle()).makeSchedule(learningRate: 0.1, steps: 100))
        let rates = ScheduleGolden.values("one_cycle_sgd/lr"), momenta = ScheduleGolden.values("one_cycle_sgd/momentum")
        for step in 0..<100 {
            XCTAssertEqual(oneCycle.learningRate(atStep: step), rates[step], accuracy: 1e-6 * rates[step])
            XCTAssertEqual(oneCycle.momentum(atStep: step)!, momenta[step], accuracy: 1e-6 * momenta[step])
        }
        let warm = ScheduleSpec(.warmRestarts(t0: 5, tMult: 2, etaMin: 1e-4), learningRate: 0.1).makeSchedule(learningRate: 1, steps: 80)!
        let expected = ScheduleGolden.values("warm_restarts_mult2/lr")
        for step in 0..<80 { XCTAssertEqual(warm.learningRate(atStep: step), expected[step], accuracy: 1e-6 * expected[step]) }
    }

    func testDefaultsFollowTheRunLengthAndTheOptimizerRate() throws {
        let step = try XCTUnwrap(ScheduleSpec(.step()).makeSchedule(learningRate: 0.3, steps: 30) as? StepLR)
        XCTAssertEqual(step.stepSize, 10)
        XCTAssertEqual(step.baseLearningRate, 0.3)
        let cycle = try XCTUnwrap(ScheduleSpec(.oneCycle()).makeSchedule(learningRate: 0.01, steps: 250) as? OneCycleLR)
        XCTAssertEqual(cycle.totalSteps, 250)
        XCTAssertEqual(cycle.maxLearningRate, 0.01)
        XCTAssertNil(ScheduleSpec(.plateau()).makeSchedule(learningRate: 0.1, steps: 5))
        XCTAssertEqual(ScheduleSpec(.plateau(.init(factor: 0.5))).makePlateau(learningRate: 0.1)?.factor, 0.5)
    }

    /// The catalogue lists exactly the parameters each spec has, in the same order.
    func testCatalogueMatchesTheSpecs() {
        let defaults: [ScheduleSpec.Kind] = [.constant(), .step(), .multiStep(), .exponential(), .linear(), .polynomial(),
                                             .cosine(), .warmRestarts(), .warmupCosine(), .oneCycle(), .plateau()]
        XCTAssertEqual(defaults.map(\.name), ScheduleSpec.names)
        for kind in defaults {
            let spec = ScheduleSpec(kind)
            XCTAssertEqual(spec.parameterValues.map(\.name), spec.entry.parameters.map(\.name), kind.name)
            // A default written out in the catalogue is the value the spec holds.
            for (parameter, given) in zip(spec.entry.parameters, spec.parameterValues) {
                let value = given.value
                guard let value, let expected = Double(parameter.defaultValue) else { continue }
                XCTAssertEqual(Double(value), expected, "\(kind.name).\(parameter.name)")
            }
        }
    }
}
