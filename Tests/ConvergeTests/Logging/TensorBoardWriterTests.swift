import XCTest
import ConvergeTestSupport
@testable import Converge

final class TensorBoardWriterTests: XCTestCase {
    func testFileNameFirstEventAndScalars() throws {
        let dir = try makeIOTestDirectory().appendingPathComponent("runs/a")
        let start = Date(timeIntervalSince1970: 1_700_000_000.25)
        let writer = try TensorBoardWriter(directory: dir, wallTime: start)
        XCTAssertTrue(writer.fileURL.lastPathComponent.hasPrefix("events.out.tfevents.1700000000."), writer.fileURL.lastPathComponent)
        writer.add(scalars: [("loss/train", 0.5), ("loss/validation", 0.75)], step: 1, wallTime: Date(timeIntervalSince1970: 1_700_000_010))
        writer.add(scalar: 0.25, tag: "loss/train", step: 2, wallTime: Date(timeIntervalSince1970: 1_700_000_020))
        // Buffered until flushed: the file has only the version event so far.
        XCTAssertEqual(try TensorBoardEvent.read(contentsOf: writer.fileURL).count, 1)
        try writer.flush()
        let events = try TensorBoardEvent.read(contentsOf: writer.fileURL)
        XCTAssertEqual(events.count, 3)
        XCTAssertEqual(events[0], TensorBoardEvent(wallTime: 1_700_000_000.25, step: 0, fileVersion: "brain.Event:2"))
        XCTAssertEqual(events[1], TensorBoardEvent(wallTime: 1_700_000_010, step: 1, scalars: [
            .init(tag: "loss/train", value: 0.5), .init(tag: "loss/validation", value: 0.75)]))
        XCTAssertEqual(events[2].scalars, [.init(tag: "loss/train", value: 0.25)])
        XCTAssertEqual(events[2].step, 2)
        try writer.close()
    }

    func testEveryRecordIsFramedWithValidChecksums() throws {
        let writer = try TensorBoardWriter(directory: try makeIOTestDirectory())
        for step in 0..<20 { writer.add(scalar: Double(step) * 0.1, tag: "lr", step: step) }
        try writer.close()
        let bytes = [UInt8](try Data(contentsOf: writer.fileURL))
        // Walk the framing by hand: length, masked CRC of length, data, masked CRC of data.
        var i = 0, records = 0
        func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * UInt32($1)) } }
        while i < bytes.count {
            let length = (0..<8).reduce(0) { $0 | Int(bytes[i + $1]) << (8 * $1) }
            XCTAssertEqual(u32(i + 8), CRC32C.masked(CRC32C.checksum(bytes[i..<(i + 8)])))
            XCTAssertEqual(u32(i + 12 + length), CRC32C.masked(CRC32C.checksum(bytes[(i + 12)..<(i + 12 + length)])))
            i += 16 + length
            records += 1
        }
        XCTAssertEqual(i, bytes.count)
        XCTAssertEqual(records, 21)
        let values = try TensorBoardEvent.read(contentsOf: writer.fileURL).dropFirst().map { $0.scalars[0].value }
        XCTAssertEqual(values, (0..<20).map { Float(Double($0) * 0.1) })
    }

    func testEventEncodingBytes() {
        // Event{wall_time: 1.0, step: 3, summary{value{tag: "x", simple_value: 2.0}}}
        let bytes = TensorBoardEvent(wallTime: 1, step: 3, scalars: [.init(tag: "x", value: 2)]).encoded()
        XCTAssertEqual(bytes, [0x09, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F,   // field 1, fixed64 double 1.0
                               0x10, 0x03,                            // field 2, varint 3
                               0x2A, 0x0A,                            // field 5, 10 bytes
                               0x0A, 0x08,                            //   value (field 1), 8 bytes
                               0x0A, 0x01, 0x78,                      //     tag "x"
                               0x15, 0, 0, 0, 0x40])                  //     simple_value 2.0f
        let negative = TensorBoardEvent(wallTime: 0, step: -1).encoded()
        XCTAssertEqual(Array(negative[9...]), [0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        XCTAssertEqual(try TensorBoardEvent(decoding: negative).step, -1)
    }

    func testCorruptionIsReportedWithFileAndRecord() throws {
        let writer = try TensorBoardWriter(directory: try makeIOTestDirectory())
        writer.add(scalar: 1, tag: "a", step: 1)
        try writer.close()
        var bytes = [UInt8](try Data(contentsOf: writer.fileURL))
        let firstLength = Int(bytes[0]) + 16
        bytes[firstLength + 14] ^= 0xFF  // a data byte of record 1
        XCTAssertThrowsError(try TFRecord.records(in: bytes, file: "ev")) { error in
            XCTAssertEqual("\(error)", "ev: record 1 (byte \(firstLength)): data checksum mismatch")
        }
        XCTAssertThrowsError(try TFRecord.records(in: Array(bytes[..<(firstLength + 5)]), file: "ev")) { error in
            XCTAssertEqual("\(error)", "ev: record 1 (byte \(firstLength)): file ends inside a record header")
        }
    }

    func testTwoWritersInTheSameSecondGetDistinctFiles() throws {
        let dir = try makeIOTestDirectory()
        let time = Date(timeIntervalSince1970: 1_600_000_000)
        let a = try TensorBoardWriter(directory: dir, wallTime: time)
        let b = try TensorBoardWriter(directory: dir, wallTime: time)
        XCTAssertNotEqual(a.fileURL, b.fileURL)
        XCTAssertTrue(b.fileURL.lastPathComponent.contains("tfevents.1600000000."))
    }

    /// Writes an event file for `scripts/check_tensorboard.py` when `CONVERGE_EXPORT_DIR` is set.
    func testExportForTensorBoardCheck() throws {
        let exportPath = ProcessInfo.processInfo.environment["CONVERGE_EXPORT_DIR"]
        let dir = try exportPath.map { URL(fileURLWithPath: $0).appendingPathComponent("tb") } ?? makeIOTestDirectory()
        let writer = try TensorBoardWriter(directory: dir)
        for epoch in 1...3 {
            writer.add(scalars: [("loss/train", 1.0 / Double(epoch)), ("loss/validation", 1.5 / Double(epoch)),
                                 ("learning_rate", 0.001 * Double(epoch))], step: epoch)
            try writer.flush()
        }
        try writer.close()
        XCTAssertEqual(try TensorBoardEvent.read(contentsOf: writer.fileURL).count, 4)
    }
}
