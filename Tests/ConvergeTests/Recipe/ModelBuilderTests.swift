import XCTest
@testable import Converge

final class ModelBuilderTests: XCTestCase {
    func layers(_ yaml: String) throws -> [Recipe.LayerSpec] {
        let r = try Recipe.parse("data: {train: a.csv}\nmodel: { layers: \(yaml) }", file: URL(fileURLWithPath: "r.yaml"))
        guard case .layers(let l) = r.model else { throw RecipeError(file: "", line: nil, field: "", message: "not layers") }
        return l
    }

    func testConvolutionalLayerListInfersShapes() throws {
        let spec = try layers("[ {reshape: [1, 40]}, {conv1d: {out: 25, kernel: 5, stride: 2, padding: 1}}, {relu: {}}, {maxpool1d: {kernel: 2}}, {flatten: {}}, {linear: {out: 10}} ]")
        let model = try ModelBuilder.build(.layers(spec), inputShape: [40], outputs: 10, file: "r.yaml")
        // (40 + 2 − 5) / 2 + 1 = 19 → pool 2 → 9; 25 × 9 = 225 inputs to the linear layer.
        XCTAssertEqual(model(Tensor.randomNormal([3, 40])).shape, [3, 10])
        XCTAssertEqual((model[5] as? Linear)?.inFeatures, 225)
    }

    func testMisfittingLayerIsNamed() throws {
        let spec = try layers("[ {conv1d: {out: 4, kernel: 3}}, {linear: {out: 1}} ]")
        XCTAssertThrowsError(try ModelBuilder.build(.layers(spec), inputShape: [40], outputs: 1, file: "r.yaml")) { error in
            let e = error as? RecipeError
            XCTAssertEqual(e?.field, "model.layers[0]")
            XCTAssertTrue(e?.message.contains("conv1d does not fit input of shape [40]") ?? false, "\(error)")
        }
        let tooLong = try layers("[ {reshape: [1, 4]}, {conv1d: {out: 4, kernel: 9}}, {flatten: {}}, {linear: {out: 1}} ]")
        XCTAssertThrowsError(try ModelBuilder.build(.layers(tooLong), inputShape: [4], outputs: 1, file: "r.yaml"))
        let wrongHead = try layers("[ {linear: {out: 3}} ]")
        XCTAssertThrowsError(try ModelBuilder.build(.layers(wrongHead), inputShape: [4], outputs: 1, file: "r.yaml")) { error in
            XCTAssertTrue("\(error)".contains("needs [1]"), "\(error)")
        }
    }

    func testMLPWithHeInitialization() throws {
        var mlp = Recipe.MLPSpec()
        mlp.hidden = [256]
        mlp.initialization = "he"
        mlp.batchNorm = true
        mlp.dropout = 0.3
        let model = try ModelBuilder.build(.mlp(mlp), inputShape: [512], outputs: 1, file: "r.yaml")
        XCTAssertEqual(model.layers.map { String(describing: type(of: $0)) }, ["Linear", "BatchNorm", "ReLU", "Dropout", "Linear"])
        let w = (model[0] as! Linear).weight.scalars
        let variance = w.map { $0 * $0 }.reduce(0, +) / Float(w.count)
        XCTAssertEqual(variance, 2.0 / 512, accuracy: 2.0 / 512 * 0.05)   // He: 2 / fan_in
        XCTAssertEqual((model[0] as! Linear).bias!.scalars.allSatisfy { $0 == 0 }, true)
    }
}
