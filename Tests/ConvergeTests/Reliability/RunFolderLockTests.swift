import Foundation
import XCTest
@testable import Converge

final class RunFolderLockTests: XCTestCase {
    func testSecondLockIsRefusedNamingTheHolderAndFreedOnRelease() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("converge-lock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try RunFolderLock(folder: folder)
        let holder = RunFolderState.starting()
        try holder.write(in: folder)
        XCTAssertThrowsError(try RunFolderLock(folder: folder)) { error in
            let refused = error as? RunFolderLock.Refused
            XCTAssertEqual(refused?.holder, holder.holderDescription)
            XCTAssertTrue("\(error)".contains("in use by another run (pid \(getpid()) on "), "\(error)")
        }
        first.release()
        let second = try RunFolderLock(folder: folder)
        second.release()
    }

    func testRefusedClaimLeavesTheFolderUntouched() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("converge-lock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("mine".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        let lock = try RunFolderLock(folder: folder)
        defer { lock.release() }
        XCTAssertThrowsError(try RunFolderClaim.claim(folder, checkpoint: folder.appendingPathComponent("checkpoint"),
                                                      resume: false, overwrite: true)) { error in
            XCTAssertTrue(error is RunFolderLock.Refused, "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["notes.txt"])
    }
}
