import Foundation
import XCTest
@testable import Converge

final class RecipeTests: XCTestCase {
    let file = URL(fileURLWithPath: "/tmp/recipe.yaml")

    func parse(_ text: String) throws -> Recipe { try Recipe.parse(text, file: file) }

    func error(_ text: String) -> RecipeError? {
        do { _ = try parse(text); return nil } catch let e as RecipeError { return e } catch { return nil }
    }

    let base = """
    seed: 7
    data: { train: train.csv, validation: 0.2, label: y, task: classification }
    model: { mlp: { hidden: [8, 4], activation: tanh, batchnorm: true, dropout: 0.1, init: xavier } }
    optimizer: { name: sgd, lr: 0.05, momentum: 0.9, nesterov: true }
    schedule: { name: cosine, eta_min: 1.0e-4, interval: epoch }
    training: { epochs: 3, batch_size: 16, clip_norm: 1.0, early_stopping: { patience: 2 } }
    """

    func testParsesEverySection() throws {
        let r = try parse(base)
        XCTAssertEqual(r.seed, 7)
        XCTAssertEqual(r.data.validation, .fraction(0.2))
        XCTAssertEqual(r.data.label, "y")
        guard case .mlp(let mlp) = r.model else { return XCTFail("expected an MLP") }
        XCTAssertEqual(mlp.hidden, [8, 4])
        XCTAssertEqual(mlp.activation, "tanh")
        XCTAssertTrue(mlp.batchNorm)
        XCTAssertEqual(r.optimizer.name, "sgd")
        XCTAssertEqual(r.optimizer.momentum, 0.9)
        XCTAssertTrue(r.optimizer.nesterov)
        XCTAssertEqual(r.schedule?.name, "cosine")
        XCTAssertEqual(r.schedule?.interval, .epoch)
        XCTAssertEqual(r.schedule?.kind, .cosine(tMax: nil, etaMin: 1e-4))
        XCTAssertEqual(r.training.earlyStopping?.patience, 2)
        XCTAssertEqual(r.resolve("train.csv").path, "/tmp/train.csv")
    }

    func testJSONIsAccepted() throws {
        let r = try parse(#"{"data": {"train": "a.csv", "task": "regression"}, "model": {"layers": [{"linear": {"out": 1}}]}}"#)
        XCTAssertEqual(r.data.task, .regression)
        guard case .layers(let layers) = r.model else { return XCTFail() }
        XCTAssertEqual(layers.first?.kind, "linear")
        XCTAssertEqual(layers.first?.options["out"], 1)
    }

    func testUnknownKeyNamesFieldLineAndValidKeys() throws {
        let e = try XCTUnwrap(error(base.replacingOccurrences(of: "hidden:", with: "hiden:")))
        XCTAssertEqual(e.field, "model.mlp.hiden")
        XCTAssertEqual(e.line, 3)
        XCTAssertTrue(e.description.hasPrefix("/tmp/recipe.yaml:3: model.mlp.hiden: unknown key 'hiden' (valid: hidden,"), e.description)
    }

    func testWrongTypeNamesTheField() throws {
        let e = try XCTUnwrap(error(base.replacingOccurrences(of: "lr: 0.05", with: "lr: fast")))
        XCTAssertEqual(e.description, "/tmp/recipe.yaml:4: optimizer.lr: expected a number, got 'fast'")
    }

    func testBadValuesAreRejected() throws {
        XCTAssertEqual(error(base.replacingOccurrences(of: "dropout: 0.1", with: "dropout: 1.5"))?.field, "model.mlp.dropout")
        XCTAssertEqual(error(base.replacingOccurrences(of: "epochs: 3", with: "epochs: 0"))?.field, "training.epochs")
        XCTAssertEqual(error(base.replacingOccurrences(of: "epochs: 3", with: "epochs: 3, precision: float8"))?.field, "training.precision")
        XCTAssertEqual(try parse(base.replacingOccurrences(of: "epochs: 3", with: "epochs: 3, precision: bfloat16")).training.precision, "bfloat16")
        XCTAssertEqual(error(base.replacingOccurrences(of: "name: sgd", with: "name: lbfgs"))?.field, "optimizer.name")
        XCTAssertEqual(error(base.replacingOccurrences(of: "validation: 0.2", with: "validation: 1.5"))?.field, "data.validation")
        let schedule = try XCTUnwrap(error(base.replacingOccurrences(of: "eta_min", with: "max_lr")))
        XCTAssertTrue(schedule.message.contains("not a parameter of schedule 'cosine'"), schedule.message)
        XCTAssertNotNil(error("data: { train: a.csv }"))          // no model
        XCTAssertNotNil(error("model: { mlp: {} }"))               // no data
        XCTAssertNotNil(error("data: [1, 2\nmodel: x"))            // malformed YAML
    }

    func testMissingValuesAndCategoricalColumns() throws {
        func data(_ extra: String) -> String {
            base.replacingOccurrences(of: "validation: 0.2", with: "validation: 0.2, \(extra)")
        }
        XCTAssertEqual(try parse(data("missing: median, categorical: [city]")).data.missing, .median)
        XCTAssertEqual(try parse(data("missing: {constant: -1}")).data.missing, .constant(-1))
        XCTAssertEqual(try parse(data("categorical: [city, color]")).data.categorical, ["city", "color"])
        XCTAssertEqual(try parse(base).data.missing, .error)
        let unknown = try XCTUnwrap(error(data("missing: zero")))
        XCTAssertEqual(unknown.field, "data.missing")
        XCTAssertTrue(unknown.message.contains("unknown value 'zero' (valid: error, mean, median, most_frequent, {constant: x})"), unknown.message)
        XCTAssertEqual(error(data("missing: {constant: .nan}"))?.field, "data.missing.constant")
        XCTAssertEqual(error(data("categorical: city"))?.field, "data.categorical")
    }

    func testInitializationSchemesMatchInitCheck() throws {
        for name in InitializationScheme.names {
            let parsed = try parse(base.replacingOccurrences(of: "init: xavier", with: "init: \(name)"))
            guard case .mlp(let spec) = parsed.model else { return XCTFail("not an MLP") }
            XCTAssertEqual(InitializationScheme(name: spec.initialization), InitializationScheme(name: name), name)
            XCTAssertEqual(InitCheck.Scheme(name: name), InitializationScheme(name: name), "init-check reads \(name) the same way")
        }
        XCTAssertEqual(InitializationScheme(name: "xavier"), .xavierNormal)
        XCTAssertEqual(error(base.replacingOccurrences(of: "init: xavier", with: "init: glorot"))?.field, "model.mlp.init")
    }

    func testUnknownLayerListsValidLayers() throws {
        let e = try XCTUnwrap(error("data: {train: a.csv}\nmodel: { layers: [ {linaer: {out: 2}} ] }"))
        XCTAssertTrue(e.message.contains("unknown key 'linaer'"), e.message)
        XCTAssertTrue(e.message.contains("conv1d"), e.message)
    }
}
