import ConvergeCore
import XCTest

final class AnomalyTests: XCTestCase {
    func testForwardNaNNamesOpAndPhase() {
        XCTAssertThrowsError(try Anomaly.detect { Tensor([-1, 1, 4]).log() }) { error in
            guard let anomaly = error as? AnomalyError else { return XCTFail("unexpected \(error)") }
            XCTAssertEqual(anomaly.op, "log")
            XCTAssertEqual(anomaly.phase, .forward)
            XCTAssertEqual(anomaly.nanCount, 1)
            XCTAssertEqual(anomaly.shape, [3])
            XCTAssertTrue(anomaly.description.contains("NaN in the forward output of log"), anomaly.description)
        }
        XCTAssertFalse(Anomaly.isEnabled)
    }

    func testBackwardInfNamesOpAndPhase() {
        let x = Tensor([0, 4], requiresGrad: true)
        XCTAssertThrowsError(try Anomaly.detect { x.sqrt().sum().backward() }) { error in
            guard let anomaly = error as? AnomalyError else { return XCTFail("unexpected \(error)") }
            XCTAssertEqual(anomaly.op, "sqrt")
            XCTAssertEqual(anomaly.phase, .backward)
            XCTAssertEqual(anomaly.infCount, 1)
            XCTAssertEqual(anomaly.nanCount, 0)
            XCTAssertTrue(anomaly.description.contains("Inf in the backward gradient of sqrt"), anomaly.description)
        }
    }

    func testOpsInsideABackwardRuleAreAttributedToThatRule() {
        // Dividing by 0 is caught in the forward pass.
        let a = Tensor([[1, 2], [3, 4]], requiresGrad: true), b = Tensor([1, 0], requiresGrad: true)
        XCTAssertThrowsError(try Anomaly.detect { (a / b * 0).sum().backward() }) { error in
            let anomaly = error as? AnomalyError
            XCTAssertEqual(anomaly?.phase, .forward)
            XCTAssertEqual(anomaly?.op, "div")
        }
        // Here the forward pass is finite, but the division's rule computes (y / d) / d = ∞, times a
        // zero upstream gradient = NaN, and then sums it over the broadcast rows internally: the
        // report must name the division's backward phase, not a forward "sum".
        let c = Tensor([[1, 2], [3, 4]], requiresGrad: true), d = Tensor([1, 1e-30], requiresGrad: true)
        XCTAssertThrowsError(try Anomaly.detect { (c / d).clamped(max: 1).sum().backward() }) { error in
            let anomaly = error as? AnomalyError
            XCTAssertEqual(anomaly?.phase, .backward)
            XCTAssertEqual(anomaly?.op, "div")
        }
    }

    func testFirstOffenceWinsAndModulePathIsReported() {
        XCTAssertThrowsError(try Anomaly.detect {
            Anomaly.withModulePath("layers.3") { Tensor([-1]).log().exp() * 0 }
        }) { error in
            let anomaly = error as? AnomalyError
            XCTAssertEqual(anomaly?.op, "log")
            XCTAssertEqual(anomaly?.modulePath, "layers.3")
            XCTAssertTrue(anomaly?.description.contains("in module layers.3") ?? false)
        }
    }

    func testCleanComputationPassesThrough() throws {
        let y = try Anomaly.detect { Tensor([1, 2]).log().sum() }
        XCTAssertEqual(y.scalar, Foundation.log(2), accuracy: 1e-6)
        // Outside detect nothing is checked.
        XCTAssertTrue(Tensor([-1]).log().scalar.isNaN)
    }
}
