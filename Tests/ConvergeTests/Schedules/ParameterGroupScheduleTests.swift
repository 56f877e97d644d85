import ConvergeTestSupport
import XCTest
@testable import Converge

/// Two parameter groups at different learning rates (0.1 and 0.01) follow PyTorch's schedulers:
/// replays `Fixtures/schedule_groups.json` (written by scripts/goldens/schedule_groups.py).
final class ParameterGroupScheduleTests: XCTestCase {
    static let golden: Golden = {
        do { return try Golden("schedule_groups", bundle: .module) } catch { fatalError("schedule_groups.json: \(error)") }
    }()

    private func groups(_ name: String, _ key: String) -> [[Double]] {
        guard let lists = Self.golden.lookup("cases/\(name)/\(key)") as? [[NSNumber]] else { fatalError("no \(name)/\(key)") }
        return lists.map { $0.map(\.doubleValue) }
    }

    /// An SGD (or Adam) optimizer over two one-element groups at the golden's initial rates.
    private func makeOptimizer(adam: Bool = false) -> Optimizer {
        let a = Tensor([0], requiresGrad: true), b = Tensor([0], requiresGrad: true)
        let groups = [ParameterGroup([a], learningRate: 0.1), ParameterGroup([b], learningRate: 0.01)]
        return adam ? Adam(groups) : SGD(groups, learningRate: 0.1, momentum: 0.9)
    }

    /// Applies `schedule` at every step and compares both groups' rates (and momenta) with PyTorch's.
    private func check(_ schedule: any LearningRateSchedule, _ name: String, adam: Bool = false,
                       file: StaticString = #filePath, line: UInt = #line) {
        let expected = groups(name, "lr")
        let momenta = Self.golden.lookup("cases/\(name)/momentum") != nil ? groups(name, "momentum") : nil
        let optimizer = makeOptimizer(adam: adam)
        for step in expected[0].indices {
            schedule.apply(to: optimizer, step: step)
            for g in 0..<2 {
                XCTAssertEqual(optimizer.learningRates[g], expected[g][step], accuracy: 1e-12 * abs(expected[g][step]) + 1e-18,
                               "\(name): group \(g) learning rate at step \(step)", file: file, line: line)
            }
            if let momenta {
                XCTAssertEqual(optimizer.momentum!, momenta[0][step], accuracy: 1e-12, "\(name): momentum at step \(step)",
                               file: file, line: line)
                XCTAssertEqual(momenta[0][step], momenta[1][step], "both groups share the cycled momentum", file: file, line: line)
            }
        }
    }

    func testOneCycleWithOneMaximumGivesEveryGroupTheSameRate() {
        check(OneCycleLR(maxLearningRate: 0.05, totalSteps: 40), "one_cycle_single_max_lr")
    }

    func testOneCycleWithAMaximumPerGroup() {
        check(OneCycleLR(maxLearningRates: [0.05, 0.2], totalSteps: 40, pctStart: 0.25, annealStrategy: .linear),
              "one_cycle_max_lr_list", adam: true)
        check(OneCycleLR(maxLearningRates: [0.3, 0.03], totalSteps: 30, divFactor: 10, finalDivFactor: 100, threePhase: true),
              "one_cycle_three_phase_list")
    }

    func testCosineAnnealsEveryGroupToTheSameAbsoluteMinimum() {
        check(CosineAnnealingLR(baseLearningRate: 0.1, tMax: 30, etaMin: 0.005), "cosine_eta_min")
        check(CosineAnnealingWarmRestarts(baseLearningRate: 0.1, t0: 5, tMult: 2, etaMin: 0.002), "warm_restarts_eta_min")
    }

    func testMultiplicativeSchedulesScaleEachGroupsOwnRate() {
        check(StepLR(baseLearningRate: 0.1, stepSize: 7, gamma: 0.5), "step")
    }

    private func checkPlateau(_ plateau: ReduceLROnPlateau, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        let expected = groups(name, "lr")
        guard let metrics = Self.golden.lookup("cases/\(name)/metrics") as? [NSNumber] else { return XCTFail("no metrics") }
        let optimizer = makeOptimizer()
        for (i, metric) in metrics.enumerated() {
            plateau.step(metric: metric.doubleValue)
            plateau.apply(to: optimizer)
            for g in 0..<2 {
                XCTAssertEqual(optimizer.learningRates[g], expected[g][i], accuracy: 1e-15,
                               "\(name): group \(g) after evaluation \(i)", file: file, line: line)
            }
        }
    }

    func testPlateauClampsEachGroupAtItsOwnMinimum() {
        let optimizer = makeOptimizer()
        checkPlateau(ReduceLROnPlateau(optimizer: optimizer, minLearningRates: [0.02, 0.004], factor: 0.5, patience: 2),
                     "plateau_min_lr_list")
    }

    func testPlateauClampsEveryGroupAtOneAbsoluteMinimum() {
        let optimizer = makeOptimizer()
        checkPlateau(ReduceLROnPlateau(optimizer: optimizer, factor: 0.3, patience: 1, minLearningRate: 0.005),
                     "plateau_min_lr_scalar")
    }

    /// A plateau made from the first group's rate alone (as a recipe makes it) treats the other
    /// groups from their initial rates, with the same result.
    func testPlateauFromOneRateStartsOtherGroupsAtTheirInitialRates() {
        checkPlateau(ReduceLROnPlateau(learningRate: 0.1, factor: 0.3, patience: 1, minLearningRate: 0.005), "plateau_min_lr_scalar")
    }

    func testPlateauStateRoundTripsAndOldStatesLoad() throws {
        let plateau = ReduceLROnPlateau(learningRate: 0.1, factor: 0.5, patience: 0, minLearningRate: 0.01)
        for m in [1.0, 2, 3, 4] { plateau.step(metric: m) }
        XCTAssertEqual(plateau.reductionCount, 3)
        let restored = ReduceLROnPlateau(learningRate: 0.1, factor: 0.5, patience: 0, minLearningRate: 0.01)
        try restored.loadStateDict(plateau.stateDict())
        XCTAssertEqual(restored.learningRate, plateau.learningRate)
        var old = plateau.stateDict()
        old["num_reductions"] = nil
        let fromOld = ReduceLROnPlateau(learningRate: 0.1, factor: 0.5, patience: 0, minLearningRate: 0.01)
        try fromOld.loadStateDict(old)
        XCTAssertEqual(fromOld.reductionCount, 3)
        XCTAssertEqual(fromOld.learningRate, 0.0125)
    }
}
