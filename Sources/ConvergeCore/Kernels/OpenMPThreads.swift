import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The OpenMP runtime oneDNN runs on (`libgomp.so.1`, already loaded with it): its thread count
/// is a per-thread setting, so a worker thread can make its own oneDNN calls single-threaded.
final class OpenMPThreads: @unchecked Sendable {
    typealias GetFunction = @convention(c) () -> Int32
    typealias SetFunction = @convention(c) (Int32) -> Void

    private let getMaxThreads: GetFunction
    private let setNumThreads: SetFunction

    /// The runtime, when oneDNN is loaded and its OpenMP library is found.
    static let shared: OpenMPThreads? = {
        guard OneDNN.shared != nil else { return nil }
        for name in ["libgomp.so.1", "libomp.so.5", "libomp.so", "libiomp5.so"] {
            guard let handle = dlopen(name, RTLD_NOW | RTLD_NOLOAD) else { continue }
            guard let get = dlsym(handle, "omp_get_max_threads"), let set = dlsym(handle, "omp_set_num_threads") else {
                continue
            }
            return OpenMPThreads(get: unsafeBitCast(get, to: GetFunction.self), set: unsafeBitCast(set, to: SetFunction.self))
        }
        return nil
    }()

    private init(get: GetFunction, set: SetFunction) {
        getMaxThreads = get
        setNumThreads = set
    }

    /// Makes this thread's OpenMP regions single-threaded; returns the previous setting.
    func singleThreaded() -> Int32 {
        let previous = getMaxThreads()
        if previous != 1 { setNumThreads(1) }
        return previous
    }

    /// Puts back a setting ``singleThreaded()`` returned.
    func restore(_ previous: Int32) {
        if previous != 1 { setNumThreads(previous) }
    }
}
