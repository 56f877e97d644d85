import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive lock on a run folder for the life of a run, so that two runs never write into
/// one folder at once.
///
/// The lock is `flock(2)` on the folder itself (no lock file is created, so a refused run leaves
/// the folder exactly as it was). The kernel drops it when the process ends, however it ends, so
/// a killed run never leaves a stale lock. The holder records who it is in `run-state.json`
/// (``RunFolderState``) so that a refused run can name it; a record left by a dead run never
/// blocks a new run and is never named as the holder (see `holder(of:wait:)`).
public final class RunFolderLock {
    /// The locked folder.
    public let folder: URL
    private var descriptor: Int32

    /// Why the lock could not be taken.
    public struct Refused: Error, CustomStringConvertible, Equatable {
        /// The folder.
        public let folder: String
        /// Who holds it (`pid 123 on host, started 2026-12-01T09:00:00Z`), when recorded.
        public let holder: String?

        /// One line.
        public var description: String {
            "output folder \(folder) is in use by another run (\(holder ?? "holder not yet recorded")); nothing was changed (wait for it to finish, or choose another --output)"
        }
    }

    /// Takes the lock on `folder` (which must exist) without waiting.
    ///
    /// - Throws: ``Refused`` naming the holder when another process (or another run in this
    ///   process) holds it; ``FileIOError`` when the folder cannot be opened.
    public init(folder: URL) throws {
        self.folder = folder
        let fd = open(folder.path, O_RDONLY | O_CLOEXEC | O_DIRECTORY)
        guard fd >= 0 else { throw FileIOError.posix(folder.path, "open the run folder") }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            posixClose(fd)
            if code == EWOULDBLOCK { throw Refused(folder: folder.path, holder: Self.holder(of: folder)) }
            throw FileIOError.posix(folder.path, "lock the run folder", errno: code)
        }
        descriptor = fd
    }

    /// Releases the lock (also done on deinit).
    public func release() {
        guard descriptor >= 0 else { return }
        _ = flock(descriptor, LOCK_UN)
        posixClose(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
