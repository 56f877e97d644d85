import XCTest
import ConvergeTestSupport
@testable import Converge

final class AtomicFileTests: XCTestCase {
    func testCommitReplacesAndLeavesNoTemporaryFile() throws {
        let dir = try makeIOTestDirectory()
        let url = dir.appendingPathComponent("state.bin")
        try AtomicFile.write(Data("old".utf8), to: url)
        try AtomicFile.write(Data("new contents".utf8), to: url)
        XCTAssertEqual(String(decoding: try Data(contentsOf: url), as: UTF8.self), "new contents")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["state.bin"])
    }

    func testAbortAndDroppedWriterKeepTheOldFile() throws {
        let dir = try makeIOTestDirectory()
        let url = dir.appendingPathComponent("state.bin")
        try AtomicFile.write(Data("old".utf8), to: url)
        let file = try AtomicFile(url)
        try file.write("half-written")
        XCTAssertTrue(FileManager.default.fileExists(atPath: file.temporaryPath))
        XCTAssertEqual(String(decoding: try Data(contentsOf: url), as: UTF8.self), "old")
        file.abort()
        XCTAssertFalse(FileManager.default.fileExists(atPath: file.temporaryPath))
        do {
            let dropped = try AtomicFile(url)
            try dropped.write("also discarded")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["state.bin"])
        XCTAssertEqual(String(decoding: try Data(contentsOf: url), as: UTF8.self), "old")
    }

    func testMissingDirectoryIsATypedError() {
        XCTAssertThrowsError(try AtomicFile.write(Data(), to: URL(fileURLWithPath: "/nonexistent/dir/x.bin"))) { error in
            let e = error as! FileIOError
            XCTAssertEqual(e.file, "/nonexistent/dir/x.bin", "the error names the file asked for, not the temporary")
            XCTAssertEqual(e.description, "/nonexistent/dir/x.bin: cannot write: the folder /nonexistent/dir does not exist")
        }
    }
}
