import XCTest
@testable import Converge
import ConvergeTestSupport

final class DynamicLossScalerTests: XCTestCase {
    /// Replays torch.amp.GradScaler("cpu") runs: loss = sum(c · p), poisoned gradients on the
    /// marked steps, SGD(lr 0.1) through `step`, then `update`.
    func replay(_ name: String, golden: Golden) throws {
        let config = golden.floats("scaler/\(name)/config").map(Double.init)
        let scaler = DynamicLossScaler(initialScale: config[0], growthFactor: config[1], backoffFactor: config[2],
                                       growthInterval: Int(config[3]))
        let p = golden.tensor("scaler/\(name)/init")
        p.requiresGrad = true
        let c = golden.tensor("scaler/\(name)/coefficients")
        let optimizer = SGD([p], learningRate: 0.1)
        let poison = Float(golden.number("scaler/\(name)/poison"))
        let foundInf = golden.floats("scaler/\(name)/found_inf")
        let scales = golden.floats("scaler/\(name)/scale"), trackers = golden.floats("scaler/\(name)/tracker")
        let hasParams = golden.lookup("scaler/\(name)/params") != nil
        let params = hasParams ? golden.tensor("scaler/\(name)/params").scalars : []
        for step in 0..<foundInf.count {
            optimizer.zeroGrad()
            scaler.scale((c * p).sum()).backward()
            if foundInf[step] == 1 { p.grad!.storage.pointer[1] = poison }
            let stepped = scaler.step(optimizer)
            XCTAssertEqual(stepped, foundInf[step] == 0, "\(name) step \(step)")
            scaler.update()
            XCTAssertEqual(scaler.currentScale, Double(scales[step]), "\(name) scale after step \(step)")
            XCTAssertEqual(scaler.growthTracker, Int(trackers[step]), "\(name) tracker after step \(step)")
            if hasParams {
                XCTAssertNil(mismatch(p.scalars, Array(params[3 * step..<3 * step + 3]), rtol: 1e-6, atol: 1e-7), "\(name) step \(step)")
            }
        }
        XCTAssertEqual(scaler.skippedSteps, foundInf.filter { $0 == 1 }.count)
    }

    func testUpdateRuleMatchesTorchGradScaler() throws {
        let golden = try Golden("precision", bundle: .module)
        for name in ["interval3_inf", "interval3_nan", "overflow_guard", "defaults"] {
            try replay(name, golden: golden)
        }
    }

    func testDefaultsArePyTorchs() {
        let scaler = DynamicLossScaler()
        XCTAssertEqual(scaler.currentScale, 65536)
        XCTAssertEqual(scaler.growthFactor, 2)
        XCTAssertEqual(scaler.backoffFactor, 0.5)
        XCTAssertEqual(scaler.growthInterval, 2000)
    }

    func testUnscaleDividesGradientsAndReportsNonFinite() {
        let scaler = DynamicLossScaler(initialScale: 1024)
        let a = Tensor([1, 2], requiresGrad: true), b = Tensor([3], requiresGrad: true), frozen = Tensor([5])
        a.grad = Tensor([1024, -2048]); b.grad = Tensor([512])
        XCTAssertTrue(scaler.unscale([a, b, frozen]))
        XCTAssertEqual(a.grad?.scalars, [1, -2])
        XCTAssertEqual(b.grad?.scalars, [0.5])
        scaler.update()
        XCTAssertEqual(scaler.growthTracker, 1)
        a.grad = Tensor([.infinity, 1024])
        XCTAssertFalse(scaler.unscale([a, b]))
        scaler.update()
        XCTAssertEqual(scaler.currentScale, 512)
        XCTAssertEqual(scaler.growthTracker, 0)
    }

    func testDisabledScalerPassesThrough() {
        let scaler = DynamicLossScaler(enabled: false)
        let loss = Tensor(3)
        XCTAssertTrue(scaler.scale(loss) === loss)
        let p = Tensor([1], requiresGrad: true)
        p.grad = Tensor([.nan])
        XCTAssertTrue(scaler.unscale([p]))
        XCTAssertTrue(p.grad!.scalars[0].isNaN)
        let optimizer = SGD([p], learningRate: 1)
        p.grad = Tensor([2])
        XCTAssertTrue(scaler.step(optimizer))
        XCTAssertEqual(p.scalars, [-1])
        scaler.update()
        XCTAssertEqual(scaler.currentScale, 1)
    }

    func testStateRoundTripsAndRejectsBadState() throws {
        let scaler = DynamicLossScaler(initialScale: 256, growthInterval: 10)
        scaler.update(foundInf: false); scaler.update(foundInf: false); scaler.update(foundInf: true); scaler.update(foundInf: false)
        let state = scaler.stateDict()
        XCTAssertEqual(state["scale"], 128)
        XCTAssertEqual(state["growth_tracker"], 1)
        XCTAssertEqual(state["skipped_steps"], 1)
        let restored = DynamicLossScaler(growthInterval: 10)
        try restored.loadStateDict(state)
        XCTAssertEqual(restored.stateDict(), state)
        XCTAssertThrowsError(try restored.loadStateDict(["growth_tracker": 0])) {
            XCTAssertEqual($0 as? PrecisionError, .invalidScalerState(field: "scale"))
        }
        XCTAssertThrowsError(try restored.loadStateDict(["scale": 2, "growth_tracker": 1.5])) {
            XCTAssertEqual($0 as? PrecisionError, .invalidScalerState(field: "growth_tracker"))
        }
    }
}
