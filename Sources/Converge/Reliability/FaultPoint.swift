import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A test hook that kills the process at a named point, to prove that a crash there loses
/// nothing (used by the kill-and-resume tests and `scripts/kill-resume.sh`).
///
/// Set `CONVERGE_FAULT_POINT` to a point's name (`checkpoint.version-renamed`) to be killed with
/// `SIGKILL` the first time the process reaches it, or to `name@N` to be killed the N-th time.
/// Unset (the normal case), ``reach(_:)`` costs one load of a cached value.
///
/// The points of a checkpoint save, in order: `checkpoint.file-written` (after each file of the
/// new version), `checkpoint.files-synced`, `checkpoint.version-renamed`,
/// `checkpoint.pointer-created`, `checkpoint.pointer-swapped`, `checkpoint.pruned`. The trainer
/// reaches `trainer.step-taken` after every optimizer step.
///
/// `CONVERGE_FAULT_SIGNAL` replaces `SIGKILL` with a comma-separated list of signals sent in
/// turn (`INT`, `INT,INT`, `TERM`), to test how a run handles Ctrl-C, or `STOP` to freeze the run
/// there (holding whatever it holds) until a `SIGCONT`.
public enum FaultPoint {
    /// Every named point, for scripts that pick one at random.
    public static let names = ["checkpoint.file-written", "checkpoint.files-synced", "checkpoint.version-renamed",
                               "checkpoint.pointer-created", "checkpoint.pointer-swapped", "checkpoint.pruned",
                               "run.started", "run.model-written", "trainer.step-taken"]

    private struct Target { let name: String; let hit: Int }
    private static let target: Target? = {
        guard let value = ProcessInfo.processInfo.environment["CONVERGE_FAULT_POINT"], !value.isEmpty else { return nil }
        let parts = value.split(separator: "@", maxSplits: 1).map(String.init)
        return Target(name: parts[0], hit: parts.count == 2 ? max(1, Int(parts[1]) ?? 1) : 1)
    }()
    private static let signals: [Int32] = {
        guard let value = ProcessInfo.processInfo.environment["CONVERGE_FAULT_SIGNAL"], !value.isEmpty else { return [SIGKILL] }
        let named: [String: Int32] = ["KILL": SIGKILL, "INT": SIGINT, "TERM": SIGTERM, "STOP": SIGSTOP]
        let list = value.split(separator: ",").compactMap { named[$0.trimmingCharacters(in: .whitespaces).uppercased()] }
        return list.isEmpty ? [SIGKILL] : list
    }()
    private static let lock = NSLock()
    nonisolated(unsafe) private static var hits = 0

    /// Kills (or signals) the process here when `CONVERGE_FAULT_POINT` names this point (and its
    /// hit count).
    @inline(__always)
    public static func reach(_ name: String) {
        guard let target, target.name == name else { return }
        lock.lock()
        hits += 1
        let fire = hits == target.hit
        lock.unlock()
        if fire { for signal in signals { kill(getpid(), signal) } }
    }
}
