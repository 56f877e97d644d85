import Foundation
import XCTest
@testable import Converge

/// A network with named submodules, so that anomaly reports carry paths like `layers.1.norm`.
private final class Net: Module {
    let layers: [Module]
    init(_ layers: [Module]) {
        self.layers = layers
        super.init()
    }
    override func forward(_ input: Tensor) -> Tensor { layers.reduce(input) { x, layer in layer(x) } }
}

/// A block whose `norm` takes the logarithm (NaN for negative inputs).
private final class LogBlock: Module {
    let norm = LogLayer()
    override func forward(_ input: Tensor) -> Tensor { norm(input) }
}

private final class LogLayer: Module {
    override func forward(_ input: Tensor) -> Tensor { input.log() }
}

/// √x: finite forward at 0, but an infinite derivative there.
private final class RootLayer: Module {
    override func forward(_ input: Tensor) -> Tensor { input.sqrt() }
}

final class AnomalyDetectionTests: XCTestCase {
    private func trainer(_ middle: Module, callbacks: [Callback]) -> Trainer {
        Random.seed(6)
        let model = Net([Linear(8, 4), middle, Linear(4, 1)])
        return Trainer(model: model, optimizer: SGD(model.parameters, learningRate: 0.01), loss: .meanSquaredError,
                       callbacks: callbacks)
    }

    private var data: DataLoader { DataLoader(DoctorProblems.regression(count: 32, seed: 1), batchSize: 8) }

    func testReplayNamesTheOpModuleAndPhase() {
        let t = trainer(LogBlock(), callbacks: [AnomalyDetection()])
        XCTAssertThrowsError(try t.fit(train: data, epochs: 1)) { error in
            guard let report = error as? TrainingAnomaly else { return XCTFail("unexpected \(error)") }
            XCTAssertEqual(report.anomaly?.op, "log")
            XCTAssertEqual(report.anomaly?.modulePath, "layers.1.norm")
            XCTAssertEqual(report.anomaly?.phase, .forward)
            XCTAssertEqual(report.step, 0)
            XCTAssertEqual(report.batch, 0)
            XCTAssertTrue(report.description.contains("step 0 (epoch 1, batch 0)"), report.description)
            XCTAssertTrue(report.description.contains("NaN in the forward output of log in module layers.1.norm"), report.description)
        }
        XCTAssertEqual(t.globalStep, 0, "training stopped before the optimizer applied the NaN gradients")
        XCTAssertFalse(Anomaly.isEnabled)
    }

    func testEveryOpModeNamesTheOpModuleAndPhase() {
        let t = trainer(LogBlock(), callbacks: [])
        XCTAssertThrowsError(try t.fitDetectingAnomalies(train: data, epochs: 1)) { error in
            guard let report = error as? TrainingAnomaly else { return XCTFail("unexpected \(error)") }
            XCTAssertEqual(report.anomaly?.op, "log")
            XCTAssertEqual(report.anomaly?.modulePath, "layers.1.norm")
            XCTAssertEqual(report.anomaly?.phase, .forward)
            XCTAssertEqual(report.step, 0)
        }
        XCTAssertTrue(t.callbacks.isEmpty, "the temporary callback is removed")
        XCTAssertFalse(Anomaly.isEnabled)
    }

    func testBackwardInfinityIsAttributedToTheBackwardPhase() {
        for everyOp in [false, true] {
            let t = trainer(RootLayer(), callbacks: [])
            // Zero the first layer so that the root's input is exactly 0: d√x/dx = ∞ there.
            let first = (t.model as! Net).layers[0] as! Linear
            first.weight.fill(0)
            first.bias!.fill(0)
            if !everyOp { t.callbacks = [AnomalyDetection()] }
            let run = { everyOp ? try t.fitDetectingAnomalies(train: self.data, epochs: 1) : try t.fit(train: self.data, epochs: 1) }
            XCTAssertThrowsError(try run()) { error in
                let report = error as? TrainingAnomaly
                XCTAssertEqual(report?.anomaly?.op, "sqrt", "everyOp \(everyOp)")
                XCTAssertEqual(report?.anomaly?.phase, .backward)
                XCTAssertEqual(report?.anomaly?.modulePath, "layers.1")
            }
        }
    }

    func testHealthyRunIsNotInterrupted() throws {
        let t = trainer(ReLU(), callbacks: [AnomalyDetection()])
        try t.fit(train: data, epochs: 2)
        XCTAssertEqual(t.globalStep, 8)
        let u = trainer(ReLU(), callbacks: [])
        try u.fitDetectingAnomalies(train: data, epochs: 2)
        XCTAssertEqual(u.globalStep, 8)
        XCTAssertEqual(t.history.series("train_loss"), u.history.series("train_loss"))
    }
}
