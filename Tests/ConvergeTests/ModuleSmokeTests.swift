import XCTest
@testable import Converge

final class ModuleSmokeTests: XCTestCase {
    func testSequentialNamesAndTraining() {
        Random.seed(1)
        let model = Sequential { Linear(3, 4); Linear(4, 2, bias: false) }
        XCTAssertEqual(model.namedParameters().map { $0.0 }, ["0.weight", "0.bias", "1.weight"])
        model.eval()
        XCTAssertFalse(model[0].isTraining)
        let y = model(Tensor.randomNormal([5, 3])).sum()
        y.backward()
        XCTAssertEqual(model.parameters[0].grad?.shape, [4, 3])
    }
}
