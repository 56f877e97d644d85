import XCTest
@testable import Converge

final class CSVTableTests: XCTestCase {
    func testQuotesDelimitersAndLineEndings() throws {
        let text = "\u{FEFF}name, x ,\"y\"\r\n\"a, \"\"quoted\"\" b\",1,2\r\n\n\"multi\nline\",3,4\rlast,5,6"
        let table = try CSVTable(parsing: text, file: "t.csv")
        XCTAssertEqual(table.columnNames, ["name", "x", "y"])
        XCTAssertEqual(table.rows.count, 3)
        XCTAssertEqual(table.rows[0], ["a, \"quoted\" b", "1", "2"])
        XCTAssertEqual(table.rows[1], ["multi\nline", "3", "4"])
        XCTAssertEqual(table.rows[2], ["last", "5", "6"])
        XCTAssertEqual(table.lineNumbers, [2, 4, 6])
        XCTAssertEqual(table.columnIndex(named: "y"), 2)
    }

    func testOtherDelimiterAndEmptyCells() throws {
        let table = try CSVTable(parsing: "a;b\n;2\n", delimiter: ";")
        XCTAssertEqual(table.rows, [["", "2"]])
    }

    func testRaggedRowNamesFileAndLine() {
        XCTAssertThrowsError(try CSVTable(parsing: "a,b\n1,2\n3\n", file: "r.csv")) { error in
            XCTAssertEqual(error as? DataFileError, DataFileError(file: "r.csv", line: 3, reason: .raggedRow(expected: 2, found: 1)))
            XCTAssertEqual("\(error)", "r.csv:3: row has 1 cells, the header has 2")
        }
    }

    func testEmptyFileDuplicateColumnAndUnterminatedQuote() {
        XCTAssertThrowsError(try CSVTable(parsing: "\n\n", file: "e.csv")) { error in
            XCTAssertEqual("\(error)", "e.csv: the file is empty (expected a header row)")
        }
        XCTAssertThrowsError(try CSVTable(parsing: "a,b,a\n", file: "d.csv")) { error in
            XCTAssertEqual((error as? DataFileError)?.reason, .duplicateColumn("a"))
        }
        XCTAssertThrowsError(try CSVTable(parsing: "a\n1\n\"open\n", file: "q.csv")) { error in
            XCTAssertEqual(error as? DataFileError, DataFileError(file: "q.csv", line: 3, reason: .unterminatedQuote))
        }
    }

    func testUnreadableFile() {
        let url = URL(fileURLWithPath: "/nonexistent/converge/none.csv")
        XCTAssertThrowsError(try CSVTable(contentsOf: url)) { error in
            let e = error as! DataFileError
            XCTAssertEqual(e.file, url.path)
            guard case .unreadable = e.reason else { return XCTFail("\(e)") }
        }
    }
}
