import XCTest
import ConvergeTestSupport
@testable import Converge

final class LabeledDatasetTests: XCTestCase {
    func load(_ text: String, label: String = "y", task: LearningTask = .classification) throws -> LabeledDataset {
        try CSVTable(parsing: text, file: "data.csv").labeledDataset(labelColumn: label, task: task)
    }

    func expectError(_ text: String, task: LearningTask = .classification, label: String = "y",
                     _ expected: DataFileError, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try load(text, label: label, task: task), file: file, line: line) { error in
            XCTAssertEqual(error as? DataFileError, expected, file: file, line: line)
            XCTAssertEqual("\(error)", message, file: file, line: line)
        }
    }

    func testClassificationDataset() throws {
        let data = try load("a,y,b\n1,0,2\n 3.5 ,2,-4e1\n5,1,6\n")
        XCTAssertEqual(data.featureNames, ["a", "b"])
        XCTAssertEqual(data.labelName, "y")
        XCTAssertEqual(data.numClasses, 3)
        XCTAssertEqual(data.dataset.features.shape, [3, 2])
        XCTAssertEqual(data.dataset.features.scalars, [1, 2, 3.5, -40, 5, 6])
        XCTAssertEqual(data.dataset.labels.scalars, [0, 2, 1])
    }

    func testRegressionAndChosenFeatureColumns() throws {
        let table = try CSVTable(parsing: "id,a,b,target\n7,1,2,0.25\n8,3,4,-1.5\n", file: "r.csv")
        let data = try table.labeledDataset(labelColumn: "target", task: .regression, featureColumns: ["b", "a"])
        XCTAssertEqual(data.featureNames, ["b", "a"])
        XCTAssertEqual(data.dataset.features.scalars, [2, 1, 4, 3])
        XCTAssertEqual(data.dataset.labels.scalars, [0.25, -1.5])
        XCTAssertNil(data.numClasses)
    }

    func testLoadCSVFromFile() throws {
        let url = try makeIOTestDirectory().appendingPathComponent("clicks.csv")
        try Data("f1,f2,clicked\n0.5,1,1\n0.25,0,0\n".utf8).write(to: url)
        let data = try loadCSV(url, labelColumn: "clicked", task: .classification(numClasses: 2))
        XCTAssertEqual(data.numClasses, 2)
        XCTAssertEqual(data.dataset.labels.scalars, [1, 0])
        XCTAssertThrowsError(try loadCSV(url, labelColumn: "label", task: .classification)) { error in
            XCTAssertEqual("\(error)", "\(url.path):1: no column named \"label\" (columns: f1, f2, clicked)")
        }
    }

    func testNonNumericCell() {
        expectError("a,y\n1,0\nabc,1\n", DataFileError(file: "data.csv", line: 3, column: "a", reason: .notANumber("abc")),
                    "data.csv:3: column \"a\": \"abc\" is not a number")
        expectError("a,y\n,0\n", DataFileError(file: "data.csv", line: 2, column: "a", reason: .missingValue),
                    "data.csv:2: column \"a\": the cell is empty (a missing value; to impute it set data.missing to mean, median, most_frequent or {constant: x})")
    }

    func testNonFiniteFeatureAndRegressionTarget() {
        expectError("a,y\n1,0\nNaN,1\n", DataFileError(file: "data.csv", line: 3, column: "a", reason: .nonFinite("NaN")),
                    "data.csv:3: column \"a\": \"NaN\" is not a finite number (NaN and infinity are not allowed)")
        expectError("a,y\n1,inf\n", task: .regression, DataFileError(file: "data.csv", line: 2, column: "y", reason: .nonFinite("inf")),
                    "data.csv:2: column \"y\": \"inf\" is not a finite number (NaN and infinity are not allowed)")
        expectError("a,y\n1e39,1\n", DataFileError(file: "data.csv", line: 2, column: "a", reason: .nonFinite("1e39")),
                    "data.csv:2: column \"a\": \"1e39\" is not a finite number (NaN and infinity are not allowed)")
    }

    func testRaggedRow() {
        expectError("a,b,y\n1,2,0\n1,2\n", DataFileError(file: "data.csv", line: 3, reason: .raggedRow(expected: 3, found: 2)),
                    "data.csv:3: row has 2 cells, the header has 3")
    }

    func testBadClassLabels() {
        expectError("a,y\n1,0\n2,-1\n", DataFileError(file: "data.csv", line: 3, column: "y", reason: .labelOutOfRange("-1", numClasses: nil)),
                    "data.csv:3: column \"y\": class label \"-1\" is negative (class ids start at 0)")
        expectError("a,y\n1,0.5\n", DataFileError(file: "data.csv", line: 2, column: "y", reason: .labelNotIntegral("0.5")),
                    "data.csv:2: column \"y\": class label \"0.5\" is not a whole number")
        expectError("a,y\n1,0\n2,1\n3,2\n", task: .classification(numClasses: 2),
                    DataFileError(file: "data.csv", line: 4, column: "y", reason: .labelOutOfRange("2", numClasses: 2)),
                    "data.csv:4: column \"y\": class label \"2\" is outside 0..<2")
        expectError("a,y\n1,\n", DataFileError(file: "data.csv", line: 2, column: "y", reason: .missingLabel),
                    "data.csv:2: column \"y\": the label is empty")
        expectError("a,y\n1,abc\n", task: .regression, DataFileError(file: "data.csv", line: 2, column: "y", reason: .notANumber("abc")),
                    "data.csv:2: column \"y\": \"abc\" is not a number")
    }

    func testEmptyFileMissingLabelNoRowsNoFeatures() {
        expectError("", DataFileError(file: "data.csv", reason: .emptyFile), "data.csv: the file is empty (expected a header row)")
        expectError("a,b\n1,2\n", DataFileError(file: "data.csv", line: 1, reason: .missingColumn("y", available: ["a", "b"])),
                    "data.csv:1: no column named \"y\" (columns: a, b)")
        expectError("a,y\n", DataFileError(file: "data.csv", reason: .noRows), "data.csv: the file has a header but no data rows")
        expectError("y\n1\n", DataFileError(file: "data.csv", line: 1, reason: .noFeatureColumns),
                    "data.csv:1: no feature columns are left besides the label")
    }

    func testLearningTaskDescriptions() {
        XCTAssertEqual(LearningTask.regression.description, "regression")
        XCTAssertEqual(LearningTask.classification.description, "classification")
        XCTAssertEqual(LearningTask.classification(numClasses: 4).description, "classification(numClasses: 4)")
    }
}
