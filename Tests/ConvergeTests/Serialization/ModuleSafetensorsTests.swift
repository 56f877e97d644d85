import XCTest
import ConvergeTestSupport
@testable import Converge

final class ModuleSafetensorsTests: XCTestCase {
    func testSaveAndLoadModelWeights() throws {
        let url = try makeIOTestDirectory().appendingPathComponent("model.safetensors")
        Random.seed(1)
        let model = Sequential { Linear(3, 4); Linear(4, 2) }
        try model.saveSafetensors(to: url, metadata: ["epoch": "3"])
        Random.seed(2)
        let other = Sequential { Linear(3, 4); Linear(4, 2) }
        XCTAssertNotEqual(other.parameters[0].scalars, model.parameters[0].scalars)
        let metadata = try other.loadSafetensors(from: url)
        XCTAssertEqual(metadata, ["epoch": "3"])
        for (a, b) in zip(other.parameters, model.parameters) { XCTAssertEqual(a.scalars, b.scalars) }
        XCTAssertEqual(try Safetensors.read(contentsOf: url).tensors.map { $0.0 }, ["0.weight", "0.bias", "1.weight", "1.bias"])
        let wrong = Sequential { Linear(3, 5); Linear(5, 2) }
        XCTAssertThrowsError(try wrong.loadSafetensors(from: url)) { error in
            XCTAssertEqual(error as? StateDictError, .shapeMismatch(key: "0.weight", expected: [5, 3], found: [4, 3]))
        }
    }
}
