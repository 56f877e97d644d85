import ConvergeCore
import Foundation

/// bfloat16 copies of float32 master weights, kept between training steps so that bfloat16
/// autocast does not cast every weight on every forward pass.
///
/// A weight enters the cache when autocast first casts it (``Tensor/castToBFloat16()`` on a
/// trainable leaf). From then on ``Adam`` and ``AdamW`` write the bfloat16 pattern of each updated
/// weight in the same pass as the update (`AdamUpdate.bfloat16Weights`) and mark the copy as
/// matching the master's ``TensorStorage/version``; the next forward pass reads that copy instead
/// of converting the master again. The copy is used only while the master's version is the one it
/// was written for: any later write through the tensor API (`assign`, `fill`, a checkpoint load,
/// another optimizer's step) advances the version and the next forward pass casts again. Code that
/// writes a master weight through its raw `storage.pointer` must call
/// ``TensorStorage/markModified()``, as in PyTorch, where only in-place ops bump `_version`.
///
/// A graph kept across an optimizer step (`retainGraph`) reads the rewritten copy in a second
/// backward pass, where PyTorch would refuse it (the weight's version changed).
///
/// Entries hold their master weakly; an entry whose master is gone is dropped when the next one
/// is added.
final class BFloat16WeightCache: @unchecked Sendable {
    /// The process's cache.
    static let shared = BFloat16WeightCache()

    private final class Entry {
        weak var master: TensorStorage?
        /// bfloat16 storage of the master's element count.
        var copy: TensorStorage
        /// The master's version the copy holds, `nil` until an optimizer first writes it.
        var version: UInt64?
        init(master: TensorStorage) {
            self.master = master
            copy = TensorStorage(uninitializedCount: master.count, elementType: .bfloat16)
        }
        /// Whether `copy` still holds bfloat16 patterns (reading its float32 `pointer` converts it).
        var isUsable: Bool { copy.bfloat16Bits != nil }
    }

    private var entries: [ObjectIdentifier: Entry] = [:]
    private let lock = NSLock()

    /// The entry of `master`, if it is cached and still that storage.
    private func entry(_ master: TensorStorage) -> Entry? {
        guard let e = entries[ObjectIdentifier(master)], e.master === master else { return nil }
        return e
    }

    /// The cached copy of `master` when it matches its current version, else `nil`.
    func freshCopy(of master: TensorStorage) -> TensorStorage? {
        lock.lock()
        defer { lock.unlock() }
        guard let e = entry(master), e.isUsable, e.version == master.version else { return nil }
        return e.copy
    }

    /// Asks optimizers to keep a bfloat16 copy of `master` from their next step on.
    func register(_ master: TensorStorage) {
        lock.lock()
        defer { lock.unlock() }
        if let e = entry(master), e.isUsable { return }
        entries = entries.filter { $0.value.master != nil }
        entries[ObjectIdentifier(master)] = Entry(master: master)
    }

    /// Where an optimizer updating `master` writes the updated values' bfloat16 patterns, or `nil`
    /// when no copy is kept. The copy is marked stale until ``didUpdate(_:wroteCopy:)``.
    func bufferForUpdate(of master: TensorStorage) -> UnsafeMutablePointer<UInt16>? {
        lock.lock()
        defer { lock.unlock() }
        guard let e = entry(master) else { return nil }
        if !e.isUsable { e.copy = TensorStorage(uninitializedCount: master.count, elementType: .bfloat16) }
        e.version = nil
        return e.copy.bfloat16Bits
    }

    /// Records that an optimizer has updated `master` (advancing its version) and, with
    /// `wroteCopy`, written its copy through ``bufferForUpdate(of:)`` in the same pass.
    func didUpdate(_ master: TensorStorage, wroteCopy: Bool) {
        master.markModified()
        guard wroteCopy else { return }
        lock.lock()
        defer { lock.unlock() }
        if let e = entry(master), e.isUsable { e.version = master.version }
    }

    /// The number of weights with a copy that matches their master now (for tests).
    var freshCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return entries.values.filter { e in e.master.map { e.isUsable && e.version == $0.version } ?? false }.count
    }
}
