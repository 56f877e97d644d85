import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension RunFolderLock {
    /// Who holds the lock on `folder`, for the message of a refused run, or nil when nothing
    /// names a holder.
    ///
    /// The folder's `run-state.json` names its run, but it may be stale: a run that was killed
    /// leaves `running` with its (dead) pid behind, and a new run takes the lock a moment before
    /// it records itself. So a record counts only when its process is alive and, where the kernel
    /// says who holds the lock (Linux's `/proc/locks`), is that process; otherwise this waits up
    /// to `wait` seconds for the live holder to record itself, and then names the lock's pid
    /// from the kernel and says that the record is stale, never the dead process as the holder.
    static func holder(of folder: URL, wait: TimeInterval = 1) -> String? {
        let host = TensorBoardWriter.hostName()
        let deadline = Date().addingTimeInterval(wait)
        var kernelPID: Int32?
        var record: RunFolderState?
        while true {
            kernelPID = kernelLockHolder(of: folder)
            record = RunFolderState.read(in: folder).flatMap { $0.state == "running" ? $0 : nil }
            if let record, record.host != host || (record.pid == (kernelPID ?? record.pid) && isRunning(record.pid)) {
                return record.holderDescription
            }
            if Date() >= deadline { break }
            usleep(50_000)
        }
        var stale: String?
        if let record {
            stale = isRunning(record.pid)
                ? "run-state.json names pid \(record.pid), which does not hold the lock"
                : "run-state.json still names pid \(record.pid), which is no longer running"
        }
        switch (kernelPID, stale) {
        case let (pid?, stale?): return "pid \(pid) on \(host); \(stale)"
        case let (pid?, nil): return "pid \(pid) on \(host), which has not recorded itself in run-state.json yet"
        case let (nil, stale?): return "holder not recorded; \(stale)"
        case (nil, nil): return nil
        }
    }

    /// Whether process `pid` of this host exists.
    static func isRunning(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    /// The process that holds a `flock` on `folder`, from the kernel's lock table (Linux's
    /// `/proc/locks`: `1: FLOCK  ADVISORY  WRITE 1234 fe:00:5556464 0 EOF`); nil where the table
    /// is not available or lists no lock on the folder.
    static func kernelLockHolder(of folder: URL) -> Int32? {
        #if os(Linux)
        var info = stat()
        guard stat(folder.path, &info) == 0,
              let table = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else { return nil }
        let dev = UInt64(info.st_dev)
        let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~UInt64(0xfff))
        let minor = (dev & 0xff) | ((dev >> 12) & ~UInt64(0xff))
        let inode = UInt64(info.st_ino)
        for line in table.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // A waiting lock ("1: -> FLOCK …") is not the holder.
            guard fields.count >= 6, fields[1] == "FLOCK", let pid = Int32(fields[4]), pid > 0 else { continue }
            let id = fields[5].split(separator: ":")
            guard id.count == 3, UInt64(id[0], radix: 16) == major, UInt64(id[1], radix: 16) == minor,
                  UInt64(id[2]) == inode else { continue }
            return pid
        }
        #endif
        return nil
    }
}
