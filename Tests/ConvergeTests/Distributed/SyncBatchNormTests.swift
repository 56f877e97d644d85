import XCTest
@testable import Converge

final class SyncBatchNormTests: XCTestCase {
    /// Without a multi-process group SyncBatchNorm is BatchNorm: same outputs, gradients and
    /// running statistics (the multi-process comparison is in DataParallelTests).
    func testInOneProcessItComputesWhatBatchNormComputes() {
        Random.seed(4)
        let x = Tensor.randomNormal([6, 3, 2])
        let reference = BatchNorm(3), synced = SyncBatchNorm(3)
        for norm in [reference.weight!, synced.weight!] { norm.fill(1.5) }
        let a = x.copy(), b = x.copy()
        a.requiresGrad = true; b.requiresGrad = true
        let ya = reference(a), yb = synced(b)
        XCTAssertEqual(ya.scalars, yb.scalars)
        (ya * ya).sum().backward()
        (yb * yb).sum().backward()
        XCTAssertEqual(a.grad?.scalars, b.grad?.scalars)
        XCTAssertEqual(reference.weight?.grad?.scalars, synced.weight?.grad?.scalars)
        XCTAssertEqual(reference.runningVar?.scalars, synced.runningVar?.scalars)
        XCTAssertEqual(reference.numBatchesTracked?.scalars, synced.numBatchesTracked?.scalars)
    }

    func testConvertReplacesBatchNormAndSharesItsTensors() {
        let inner = Sequential { Linear(4, 4); BatchNorm(4) }
        let model = Sequential { Linear(3, 4, bias: false); BatchNorm(4); ReLU(); inner }
        let norm = model[1] as! BatchNorm
        let converted = SyncBatchNorm.convert(model)
        let sync = converted[1] as? SyncBatchNorm
        XCTAssertNotNil(sync)
        XCTAssertTrue(sync?.weight === norm.weight && sync?.runningMean === norm.runningMean)
        XCTAssertTrue((converted[3] as? Sequential)?[1] is SyncBatchNorm)
        XCTAssertEqual(converted.stateDict().map(\.0), model.stateDict().map(\.0))
    }

    func testRecipeReadsSyncBatchNormBesideTheModel() throws {
        let text = """
        data: { train: t.csv }
        model: { mlp: { hidden: [4], batchnorm: true }, sync_batchnorm: true }
        """
        let recipe = try Recipe.parse(text, file: URL(fileURLWithPath: "/tmp/r.yaml"))
        XCTAssertTrue(recipe.syncBatchNorm)
        XCTAssertFalse(try Recipe.parse("data: { train: t.csv }\nmodel: { mlp: { hidden: [4] } }\n", file: URL(fileURLWithPath: "/tmp/r.yaml")).syncBatchNorm)
        XCTAssertThrowsError(try Recipe.parse("data: { train: t.csv }\nmodel: { mlp: { hidden: [4] }, sync_batchnorm: 3 }\n",
                                              file: URL(fileURLWithPath: "/tmp/r.yaml"))) { error in
            XCTAssertTrue("\(error)".contains("model.sync_batchnorm"), "\(error)")
        }
    }
}
