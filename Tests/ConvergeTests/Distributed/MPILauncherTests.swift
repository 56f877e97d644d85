import XCTest
@testable import Converge

final class MPILauncherTests: XCTestCase {
    func testProcessesOptionIsRemovedFromTheForwardedCommandLine() {
        XCTAssertEqual(MPILauncher.removingProcessesOption(["train", "r.yaml", "--processes", "2", "--quiet"]), ["train", "r.yaml", "--quiet"])
        XCTAssertEqual(MPILauncher.removingProcessesOption(["train", "--processes=4", "r.yaml"]), ["train", "r.yaml"])
        let arguments = MPILauncher.arguments(processes: 3, executable: "/bin/converge", arguments: ["train", "r.yaml"])
        XCTAssertEqual(Array(arguments.prefix(3)), ["-np", "3", "--oversubscribe"])
        XCTAssertEqual(Array(arguments.suffix(3)), ["/bin/converge", "train", "r.yaml"])
    }

    /// Open MPI 4.1's notices (as printed when rank 1 is killed) become one line.
    func testMpirunNoticesBecomeOneLineNamingTheRank() {
        XCTAssertNil(MPIRunOutputFilter.summary(of: ["Primary job  terminated normally, but 1 process returned",
                                                     "a non-zero exit code. Per user-direction, the job has been aborted."]))
        XCTAssertEqual(MPIRunOutputFilter.summary(of: ["mpirun noticed that process rank 1 with PID 0 on node vm exited on signal 9 (Killed)."]),
                       "converge: rank 1 exited on signal 9 (Killed); the job was stopped")
        XCTAssertEqual(MPIRunOutputFilter.summary(of: ["mpirun noticed that process rank 3 with PID 812 on node a exited on signal 11 (Segmentation fault)."]),
                       "converge: rank 3 (pid 812) exited on signal 11 (Segmentation fault); the job was stopped")
    }

    /// When rank 1 is killed, rank 0's shared-memory transport may report its failed read of the
    /// dead rank's memory: the user still gets one line.
    func testAPeersFailedReadOfADeadRankIsDropped() {
        var written: [String] = []
        let filter = MPIRunOutputFilter { written.append($0) }
        filter.feed(Data("""
        [vm:18153] Read -1, expected 5252, errno = 3
        --------------------------------------------------------------------------
        mpirun noticed that process rank 1 with PID 0 on node vm exited on signal 9 (Killed).
        --------------------------------------------------------------------------

        """.utf8))
        filter.finish()
        XCTAssertEqual(written, ["converge: rank 1 exited on signal 9 (Killed); the job was stopped"])
    }

    /// Without a rank that died, the failed reads are the cause, and are passed on.
    func testFailedReadsWithoutADeadRankArePassedOn() {
        var written: [String] = []
        let filter = MPIRunOutputFilter { written.append($0) }
        filter.feed(Data("[vm:7] Read -1, expected 64, errno = 1\nrank 0: allreduce failed\n".utf8))
        filter.finish()
        XCTAssertEqual(written, ["rank 0: allreduce failed", "[vm:7] Read -1, expected 64, errno = 1"])
    }

    func testBadProcessCountIsAnError() {
        XCTAssertThrowsError(try MPILauncher.relaunch(processes: 0)) { error in
            XCTAssertEqual("\(error)", "--processes must be at least 1, got 0")
        }
    }
}
