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

    /// The pid of a process that has exited (a finished `/bin/true`).
    func deadPID() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        XCTAssertFalse(RunFolderLock.isRunning(process.processIdentifier))
        return process.processIdentifier
    }

    func makeFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("converge-lock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    func testTheKernelNamesTheProcessThatHoldsTheLock() throws {
        #if os(Linux)
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        XCTAssertNil(RunFolderLock.kernelLockHolder(of: folder))
        let lock = try RunFolderLock(folder: folder)
        XCTAssertEqual(RunFolderLock.kernelLockHolder(of: folder), getpid())
        lock.release()
        XCTAssertNil(RunFolderLock.kernelLockHolder(of: folder))
        #endif
    }

    /// A killed run leaves `running` with its dead pid: the live holder is named, never the dead one.
    func testAStaleRecordIsNotNamedAsTheHolder() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let lock = try RunFolderLock(folder: folder)
        defer { lock.release() }
        var stale = RunFolderState.starting()
        stale.pid = try deadPID()
        try stale.write(in: folder)
        XCTAssertThrowsError(try RunFolderLock(folder: folder)) { error in
            let message = "\(error)"
            XCTAssertFalse(message.contains("(\(stale.holderDescription)"), message)
            XCTAssertTrue(message.contains("still names pid \(stale.pid), which is no longer running"), message)
            #if os(Linux)
            XCTAssertTrue(message.contains("in use by another run (pid \(getpid()) on "), message)
            #endif
            XCTAssertEqual(message.split(separator: "\n").count, 1)
        }
        // Once the live holder records itself, it is named as usual.
        let live = RunFolderState.starting()
        try live.write(in: folder)
        XCTAssertEqual(RunFolderLock.holder(of: folder, wait: 0), live.holderDescription)
    }

    /// The lock is taken before the new holder records itself: the kernel's pid is named meanwhile.
    func testAHolderThatHasNotRecordedItselfIsNamedByThePidOfTheLock() throws {
        #if os(Linux)
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let lock = try RunFolderLock(folder: folder)
        defer { lock.release() }
        XCTAssertEqual(RunFolderLock.holder(of: folder, wait: 0),
                       "pid \(getpid()) on \(TensorBoardWriter.hostName()), which has not recorded itself in run-state.json yet")
        #endif
    }

    /// A stale `running` record never blocks: the lock is free, and the folder (stopped before its
    /// first checkpoint) is restarted.
    func testAStaleRecordDoesNotBlockANewRun() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var stale = RunFolderState.starting()
        stale.pid = try deadPID()
        try stale.write(in: folder)
        try Data("1,2\n".utf8).write(to: folder.appendingPathComponent("history.csv"))
        let lock = try RunFolderClaim.claim(folder, checkpoint: folder.appendingPathComponent("checkpoint"),
                                            resume: false, overwrite: false)
        defer { lock.release() }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [], "the stopped run's files are cleared")
    }
}
