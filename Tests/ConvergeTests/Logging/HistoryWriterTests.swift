import XCTest
import ConvergeTestSupport
@testable import Converge

final class HistoryWriterTests: XCTestCase {
    func text(_ url: URL) throws -> String { String(decoding: try Data(contentsOf: url), as: UTF8.self) }

    func testCSVAppendsRowsUnderOneHeader() throws {
        let url = try makeIOTestDirectory().appendingPathComponent("history.csv")
        let writer = try CSVHistoryWriter(url: url)
        try writer.append(HistoryRecord(epoch: 0, values: [("loss", 0.5), ("val_loss", 0.75)]))
        try writer.append(HistoryRecord(epoch: 1, values: [("loss", 0.25), ("val_loss", .nan)]))
        XCTAssertEqual(try text(url), "epoch,loss,val_loss\n0,0.5,0.75\n1,0.25,nan\n")
        let records = try CSVHistoryWriter.read(contentsOf: url)
        XCTAssertEqual(records, [HistoryRecord(epoch: 0, values: [("loss", 0.5), ("val_loss", 0.75)]),
                                 HistoryRecord(epoch: 1, values: [("loss", 0.25), ("val_loss", .nan)])])
    }

    func testCSVNewAndMissingColumns() throws {
        let url = try makeIOTestDirectory().appendingPathComponent("history.csv")
        let writer = try CSVHistoryWriter(url: url)
        try writer.append(HistoryRecord(epoch: 0, values: [("loss", 1)]))
        try writer.append(HistoryRecord(epoch: 1, values: [("loss", 0.5), ("a,b", 2)]))
        try writer.append(HistoryRecord(epoch: 2, values: [("a,b", 3)]))
        XCTAssertEqual(writer.columns, ["loss", "a,b"])
        XCTAssertEqual(try text(url), "epoch,loss,\"a,b\"\n0,1.0,\n1,0.5,2.0\n2,,3.0\n")
        XCTAssertEqual(try CSVHistoryWriter.read(contentsOf: url)[2], HistoryRecord(epoch: 2, values: [("a,b", 3)]))
    }

    func testCSVReopenContinuesAndDropsATornLine() throws {
        let url = try makeIOTestDirectory().appendingPathComponent("history.csv")
        try Data("epoch,loss\n0,0.5\n1,0.4\n2,0.3".utf8).write(to: url)  // crash mid-line
        let writer = try CSVHistoryWriter(url: url)
        XCTAssertEqual(try text(url), "epoch,loss\n0,0.5\n1,0.4\n")
        try writer.append(HistoryRecord(epoch: 2, values: [("loss", 0.25)]))
        XCTAssertEqual(try text(url), "epoch,loss\n0,0.5\n1,0.4\n2,0.25\n")
    }

    func testDiscardRecordsForResume() throws {
        let dir = try makeIOTestDirectory()
        let csv = try CSVHistoryWriter(url: dir.appendingPathComponent("h.csv"))
        let jsonl = try JSONLinesHistoryWriter(url: dir.appendingPathComponent("h.jsonl"))
        for writer in [csv, jsonl] as [HistoryWriter] {
            for epoch in 0..<5 { try writer.append(HistoryRecord(epoch: epoch, values: [("loss", Double(epoch))])) }
            try writer.discardRecords(fromEpoch: 3)
        }
        XCTAssertEqual(try CSVHistoryWriter.read(contentsOf: csv.url).map { $0.epoch }, [0, 1, 2])
        XCTAssertEqual(try JSONLinesHistoryWriter.read(contentsOf: jsonl.url).map { $0.epoch }, [0, 1, 2])
    }

    func testCSVRejectsAFileThatIsNotAHistory() throws {
        let url = try makeIOTestDirectory().appendingPathComponent("other.csv")
        try Data("a,b\n1,2\n".utf8).write(to: url)
        XCTAssertThrowsError(try CSVHistoryWriter(url: url)) { error in
            XCTAssertEqual("\(error)", "\(url.path):1: a history file's first column must be \"epoch\"")
        }
        try Data("epoch,loss\n0,abc\n".utf8).write(to: url)
        XCTAssertThrowsError(try CSVHistoryWriter.read(contentsOf: url)) { error in
            XCTAssertEqual("\(error)", "\(url.path):2: column \"loss\": \"abc\" is not a number")
        }
    }

    func testJSONLinesFormatAndRoundTrip() throws {
        let url = try makeIOTestDirectory().appendingPathComponent("history.jsonl")
        let writer = try JSONLinesHistoryWriter(url: url)
        try writer.append(HistoryRecord(epoch: 0, values: [("val_loss", 0.75), ("loss", 0.5), ("q\"x", .infinity)]))
        try writer.append(HistoryRecord(epoch: 1, values: [("loss", 1e-5)]))
        XCTAssertEqual(try text(url), "{\"epoch\":0,\"val_loss\":0.75,\"loss\":0.5,\"q\\\"x\":null}\n{\"epoch\":1,\"loss\":1e-05}\n")
        // Every line is standard JSON.
        for line in try text(url).split(separator: "\n") {
            XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(line.utf8)))
        }
        let records = try JSONLinesHistoryWriter.read(contentsOf: url)
        XCTAssertEqual(records, [HistoryRecord(epoch: 0, values: [("val_loss", 0.75), ("loss", 0.5), ("q\"x", .nan)]),
                                 HistoryRecord(epoch: 1, values: [("loss", 1e-5)])])
    }

    func testJSONLinesTornLineAndBadLine() throws {
        let url = try makeIOTestDirectory().appendingPathComponent("history.jsonl")
        try Data("{\"epoch\":0,\"loss\":1.0}\n{\"epoch\":1,\"lo".utf8).write(to: url)
        let writer = try JSONLinesHistoryWriter(url: url)
        try writer.append(HistoryRecord(epoch: 1, values: [("loss", 0.5)]))
        XCTAssertEqual(try JSONLinesHistoryWriter.read(contentsOf: url).map { $0["loss"] }, [1.0, 0.5])
        try Data("{\"epoch\":0}\n[1]\n".utf8).write(to: url)
        XCTAssertThrowsError(try JSONLinesHistoryWriter.read(contentsOf: url)) { error in
            XCTAssertEqual("\(error)", "\(url.path):2: not a flat JSON object of numbers")
        }
    }
}
