import ConvergeTestSupport
import Foundation
import XCTest
@testable import Converge

/// Every recipe of `examples/` this suite owns trains as written (into a temporary folder) and
/// reaches a level that shows it learned.
final class ExampleRecipesTests: XCTestCase {
    /// `examples/<name>/recipe.yaml` of this checkout.
    private func recipe(_ name: String) throws -> Recipe {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return try Recipe.load(from: root.appendingPathComponent("examples/\(name)/recipe.yaml"))
    }

    private func train(_ name: String) throws -> (RecipeRun.Summary, URL) {
        let output = try makeIOTestDirectory().appendingPathComponent(name)
        let summary = try RecipeRun.train(try recipe(name), options: .init(output: output, quiet: true))
        return (summary, output)
    }

    private func value(_ values: [(String, Double)]?, _ key: String) throws -> Double {
        try XCTUnwrap(values?.first { $0.0 == key }?.1, "no \(key) in \(values ?? [])")
    }

    func testMoonsClassification() throws {
        let (summary, _) = try train("moons")
        XCTAssertGreaterThan(try value(summary.test, "accuracy"), 0.9)
    }

    func testHousingRegressionWithCategoricalAndMissingValues() throws {
        let (summary, output) = try train("housing")
        // Prices are in $100,000s with noise σ = 0.12: a test MSE near 0.02 means the fit is good.
        XCTAssertLessThan(try value(summary.test, "mse"), 0.1)
        let trained = try TrainedModel(directory: output)
        XCTAssertEqual(trained.description.featureNames,
                       ["area", "rooms", "age", "distance", "neighborhood=downtown", "neighborhood=harbor",
                        "neighborhood=hills", "neighborhood=suburb"])
    }

    func testPenguinsStringLabelsArePredictedByName() throws {
        let (summary, output) = try train("penguins")
        XCTAssertGreaterThan(try value(summary.test, "accuracy"), 0.9)
        let trained = try TrainedModel(directory: output)
        XCTAssertEqual(trained.classNames, ["Adelie", "Chinstrap", "Gentoo"])
        let test = try recipe("penguins").resolve("test.csv")
        let rows = trained.predictionsCSV(for: try trained.features(fromCSV: test)).split(separator: "\n")
        XCTAssertEqual(rows.first, "prediction,p_Adelie,p_Chinstrap,p_Gentoo")
        let predicted = rows.dropFirst().map { String($0.split(separator: ",")[0]) }
        XCTAssertEqual(predicted.count, 120)
        XCTAssertTrue(Set(predicted).isSubset(of: ["Adelie", "Chinstrap", "Gentoo"]), "\(Set(predicted))")
        // `converge evaluate` reads the names in the label column.
        XCTAssertGreaterThan(try value(try trained.evaluate(csv: test).metrics, "accuracy"), 0.9)
    }

    func testShapesCNNOnImagesInCSV() throws {
        let (summary, _) = try train("shapes")
        XCTAssertGreaterThan(try value(summary.test, "accuracy"), 0.9)
    }
}
