import XCTest
@testable import Converge

final class TableEncodingTests: XCTestCase {
    private func table(_ text: String, _ file: String = "train.csv") throws -> CSVTable { try CSVTable(parsing: text, file: file) }

    func testStringLabelsBecomeSortedClassIds() throws {
        let t = try table("x,species\n1,setosa\n2,virginica\n3,setosa\n4,versicolor\n")
        let encoding = try TableEncoding(fitting: t, labelColumn: "species", task: .classification)
        XCTAssertEqual(encoding.classNames, ["setosa", "versicolor", "virginica"])
        let data = try encoding.dataset(of: t, task: .classification)
        XCTAssertEqual(data.dataset.labels.scalars, [0, 2, 0, 1])
        XCTAssertEqual(data.numClasses, 3)
        XCTAssertEqual(data.classNames, ["setosa", "versicolor", "virginica"])
        // Another file uses the training classes; an unseen class names the cell.
        XCTAssertThrowsError(try encoding.labels(of: table("x,species\n1,setosa\n2,rose\n", "test.csv"), task: .classification)) { error in
            XCTAssertEqual("\(error)", "test.csv:3: column \"species\": class \"rose\" was not in the training data (classes: setosa, versicolor, virginica)")
        }
    }

    func testNumericLabelsStayClassIds() throws {
        let t = try table("x,y\n1,0\n2,2\n")
        let encoding = try TableEncoding(fitting: t, labelColumn: "y", task: .classification)
        XCTAssertNil(encoding.classNames)
        XCTAssertEqual(try encoding.dataset(of: t, task: .classification).numClasses, 3)
    }

    func testMissingCellIsAnErrorByDefault() throws {
        let t = try table("a,b,y\n1,2,0\n3,,1\n")
        XCTAssertThrowsError(try TableEncoding(fitting: t, labelColumn: "y", task: .classification).features(of: t)) { error in
            XCTAssertEqual(error as? DataFileError, DataFileError(file: "train.csv", line: 3, column: "b", reason: .missingValue))
            XCTAssertTrue("\(error)".hasPrefix("train.csv:3: column \"b\": the cell is empty"), "\(error)")
        }
    }

    func testImputationFitsOnTheTrainingColumn() throws {
        let t = try table("a,y\n1,0\n,1\n2,0\n6,1\n2,0\n")
        func filled(_ policy: MissingValuePolicy) throws -> Float {
            let encoding = try TableEncoding(fitting: t, labelColumn: "y", task: .classification, missing: policy)
            // The empty cell of another file gets the training fill as well.
            let other = try encoding.features(of: table("a,y\n,0\n", "test.csv"))
            XCTAssertEqual(try encoding.features(of: t).scalars[1], other.scalars[0])
            return other.scalars[0]
        }
        XCTAssertEqual(try filled(.mean), 2.75)
        XCTAssertEqual(try filled(.median), 2)
        XCTAssertEqual(try filled(.mostFrequent), 2)
        XCTAssertEqual(try filled(.constant(-1)), -1)
        XCTAssertThrowsError(try TableEncoding(fitting: table("a,b,y\n,1,0\n,2,1\n"), labelColumn: "y", task: .classification,
                                               missing: .mean)) { error in
            XCTAssertEqual("\(error)", "train.csv: column \"a\": every cell is empty, so there is nothing to impute from")
        }
    }

    func testCategoricalColumnsAreOneHot() throws {
        let t = try table("size,color,y\n1,red,0\n2,blue,1\n3,red,0\n")
        let encoding = try TableEncoding(fitting: t, labelColumn: "y", task: .classification, categorical: ["color"])
        XCTAssertEqual(encoding.featureNames, ["size", "color=blue", "color=red"])
        XCTAssertEqual(try encoding.features(of: t).scalars, [1, 0, 1, 2, 1, 0, 3, 0, 1])
        XCTAssertThrowsError(try encoding.features(of: table("size,color,y\n1,green,0\n", "test.csv"))) { error in
            XCTAssertEqual("\(error)", "test.csv:2: column \"color\": category \"green\" was not in the training data (categories: blue, red)")
        }
        // An empty category is imputed with the most frequent one when imputation is on.
        let imputing = try TableEncoding(fitting: t, labelColumn: "y", task: .classification, categorical: ["color"], missing: .median)
        XCTAssertEqual(try imputing.features(of: table("size,color,y\n1,,0\n")).scalars, [1, 0, 1])
    }

    func testEncodingRoundTripsThroughJSON() throws {
        let t = try table("size,color,y\n1,red,cat\n,blue,dog\n")
        let encoding = try TableEncoding(fitting: t, labelColumn: "y", task: .classification, categorical: ["color"], missing: .mean)
        let decoded = try JSONDecoder().decode(TableEncoding.self, from: JSONEncoder().encode(encoding))
        XCTAssertEqual(decoded, encoding)
    }
}
