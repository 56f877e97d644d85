import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A CBLAS library (OpenBLAS, a generic `libblas.so.3`/`libcblas.so.3`, or Accelerate), loaded at
/// run time with `dlopen` so that Converge builds and runs without one.
///
/// ``GEMMDispatch`` decides which library multiplies which shapes, by measurement; this type only
/// loads one library and calls its `cblas_sgemm`.
///
/// OpenBLAS chooses its kernels ("core type") once, when it is loaded, from `OPENBLAS_CORETYPE`
/// or its own CPU detection, and its detection does not always pick the fastest kernels (a version
/// older than the processor may fall back to generic SSE3 kernels). So
/// ``load(path:coreType:privateCopy:)`` can set `OPENBLAS_CORETYPE` for the duration of the
/// `dlopen` call, and can load a private copy of the library file, which gets its own core type
/// even when the library is already loaded in this process: that is how ``GEMMTuner`` times every
/// core type in one process.
public final class BLAS: @unchecked Sendable {
    typealias SgemmFunction = @convention(c) (Int32, Int32, Int32, Int32, Int32, Int32, Float,
                                              UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32,
                                              Float, UnsafeMutablePointer<Float>?, Int32) -> Void
    typealias StringFunction = @convention(c) () -> UnsafeMutablePointer<CChar>?
    typealias IntFunction = @convention(c) () -> Int32
    typealias SetIntFunction = @convention(c) (Int32) -> Void

    /// The CBLAS library ``GEMMDispatch`` uses, or `nil` when it uses none (oneDNN or the Swift
    /// fallback multiply every shape).
    public static var shared: BLAS? { GEMMDispatch.shared.blas }

    /// The name or path given to `dlopen`.
    public let requestedPath: String
    /// The file the library was loaded from (resolved through symbolic links when known).
    public let path: String
    /// `openblas_get_config()`, for example `OpenBLAS 0.3.21 DYNAMIC_ARCH ... Cooperlake`; `nil`
    /// for libraries other than OpenBLAS.
    public let config: String?
    /// `openblas_get_corename()`, the kernel family OpenBLAS chose (for example `SkylakeX`).
    public let coreName: String?
    /// How the core type came about (requested by Converge, taken from the user's
    /// `OPENBLAS_CORETYPE`, or detected by OpenBLAS); `nil` for libraries other than OpenBLAS.
    public let coreTypeSource: String?

    private let handle: UnsafeMutableRawPointer
    private let sgemmFunction: SgemmFunction
    private let threadCountFunction: IntFunction?

    private init(requestedPath: String, file: String?, handle: UnsafeMutableRawPointer, sgemm: SgemmFunction,
                 coreTypeSource: String?) {
        self.requestedPath = requestedPath
        self.handle = handle
        self.sgemmFunction = sgemm
        let sgemmAddress = unsafeBitCast(sgemm, to: UnsafeRawPointer.self)
        self.path = file ?? BLAS.libraryFile(containing: sgemmAddress) ?? requestedPath
        let configFunction = BLAS.symbol(handle, "openblas_get_config", as: StringFunction.self)
        let coreFunction = BLAS.symbol(handle, "openblas_get_corename", as: StringFunction.self)
        self.config = configFunction.flatMap { $0() }.map { String(cString: $0).trimmingCharacters(in: .whitespaces) }
        self.coreName = coreFunction.flatMap { $0() }.map { String(cString: $0) }
        self.threadCountFunction = BLAS.symbol(handle, "openblas_get_num_threads", as: IntFunction.self)
        self.coreTypeSource = config == nil ? nil : coreTypeSource
    }

    /// Whether this is OpenBLAS (it exports `openblas_get_config`).
    public var isOpenBLAS: Bool { config != nil }

    /// The number of threads the library uses for one call, when it says (OpenBLAS does).
    public var threadCount: Int? { threadCountFunction.map { Int($0()) } }

    /// A short name with the version when known: `OpenBLAS 0.3.21`, `Accelerate`, or the file name.
    public var name: String {
        if let config {
            let words = config.split(separator: " ")
            return words.prefix(2).joined(separator: " ")
        }
        if path.contains("Accelerate.framework") { return "Accelerate" }
        return (path as NSString).lastPathComponent
    }

    /// Whether each call runs on one thread (OpenBLAS, which Converge loads single-threaded), so
    /// that Converge splits products across its own threads.
    public var isSingleThreaded: Bool { threadCount == 1 }

    /// The library and its kernel family: `OpenBLAS 0.3.21, core SkylakeX`.
    public var kernelSummary: String { coreName.map { "\(name), core \($0)" } ?? name }

    /// One line for logs and benchmarks: `OpenBLAS 0.3.21, core SkylakeX, split across 2 threads`.
    public var summary: String {
        var parts = [kernelSummary]
        if isSingleThreaded {
            let threads = Parallel.threadCount
            parts.append(threads == 1 ? "1 thread" : "split across \(threads) threads")
        } else if let threads = threadCount {
            parts.append("\(threads) threads")
        }
        return parts.joined(separator: ", ")
    }

    /// Several lines: the summary, the library file, OpenBLAS's build configuration and where
    /// its core type came from.
    public var details: String {
        var lines = [summary, "library: \(path)"]
        if let config { lines.append("config: \(config)") }
        if let coreTypeSource { lines.append("core type: \(coreName ?? "?") (\(coreTypeSource))") }
        return lines.joined(separator: "\n")
    }

    /// Whether `cblas_sgemm` (32-bit integer interface) can take these sizes and strides.
    @inline(__always)
    static func accepts(_ m: Int, _ n: Int, _ k: Int, _ lda: Int, _ ldb: Int, _ ldc: Int) -> Bool {
        let limit = Int(Int32.max)
        return m <= limit && n <= limit && k <= limit && lda <= limit && ldb <= limit && ldc <= limit
    }

    /// Row-major `cblas_sgemm`. Sizes and strides must fit in `Int32` (see ``accepts(_:_:_:_:_:_:)``).
    @inline(__always)
    func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
               a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
               beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let rowMajor: Int32 = 101, noTrans: Int32 = 111, trans: Int32 = 112
        sgemmFunction(rowMajor, transA ? trans : noTrans, transB ? trans : noTrans,
                      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    // MARK: - Loading

    /// Why a library could not be used.
    public struct LoadError: Error, CustomStringConvertible {
        /// The name or path that was tried.
        public let path: String
        /// What went wrong, in a few words.
        public let reason: String
        /// `<path>: <reason>`.
        public var description: String { "\(path): \(reason)" }
    }

    /// The libraries tried, in order, when `CONVERGE_BLAS` names none.
    public static var candidatePaths: [String] {
        #if os(macOS)
        return ["/System/Library/Frameworks/Accelerate.framework/Accelerate",
                "/System/Library/Frameworks/Accelerate.framework/Versions/A/Accelerate",
                "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
                "/usr/local/opt/openblas/lib/libopenblas.dylib"]
        #else
        let multiarch = multiarchDirectory
        return ["libopenblas.so.0", "libopenblas.so",
                "\(multiarch)/libopenblas.so.0",
                "\(multiarch)/openblas-pthread/libopenblas.so.0",
                "\(multiarch)/openblas-openmp/libopenblas.so.0",
                "\(multiarch)/openblas-serial/libopenblas.so.0",
                "/usr/lib64/libopenblas.so.0", "/usr/local/lib/libopenblas.so.0",
                "libblas.so.3", "libcblas.so.3",
                "\(multiarch)/libblas.so.3", "\(multiarch)/libcblas.so.3"]
        #endif
    }

    /// `/usr/lib/x86_64-linux-gnu` and the like: where Debian keeps shared libraries.
    static var multiarchDirectory: String {
        #if arch(x86_64)
        return "/usr/lib/x86_64-linux-gnu"
        #elseif arch(arm64)
        return "/usr/lib/aarch64-linux-gnu"
        #else
        return "/usr/lib"
        #endif
    }

    /// Loads the library at `path` (a file path or a name `dlopen` searches for), checks that its
    /// `cblas_sgemm` agrees with the Swift fallback, and returns it.
    ///
    /// - Parameters:
    ///   - coreType: for OpenBLAS, the `OPENBLAS_CORETYPE` to load it with (`Haswell`,
    ///     `SkylakeX`, …); set only for the duration of the `dlopen` call. `""` removes the
    ///     variable for that call (OpenBLAS's own detection); `nil` keeps the environment's value,
    ///     or OpenBLAS's own detection when there is none.
    ///   - privateCopy: load a private copy of the library file (made in the temporary directory
    ///     and removed once mapped), so that the core type takes effect even when this library is
    ///     already loaded in the process. `path` must then name an existing file.
    /// - Throws: ``LoadError`` when the library does not load, has no `cblas_sgemm`, or fails the
    ///   self-check.
    public static func load(path: String, coreType: String? = nil, privateCopy: Bool = false) throws -> BLAS {
        let environmentValue = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"].flatMap { $0.isEmpty ? nil : $0 }
        let source: String
        if coreType == "" {
            source = "detected by OpenBLAS"
        } else if let coreType {
            source = environmentValue == coreType ? "OPENBLAS_CORETYPE=\(coreType) from the environment"
                                                  : "OPENBLAS_CORETYPE=\(coreType) chosen by measurement"
        } else if let environmentValue {
            source = "OPENBLAS_CORETYPE=\(environmentValue) from the environment"
        } else {
            source = "detected by OpenBLAS"
        }
        var openPath = path
        var copyDirectory: String?
        if privateCopy {
            let directory = NSTemporaryDirectory() + "converge-blas-\(getpid())-\(UUID().uuidString.prefix(8))"
            let copy = directory + "/" + (path as NSString).lastPathComponent
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                try FileManager.default.copyItem(atPath: (path as NSString).resolvingSymlinksInPath, toPath: copy)
            } catch {
                try? FileManager.default.removeItem(atPath: directory)
                throw LoadError(path: path, reason: "could not make a private copy (\(error.localizedDescription))")
            }
            openPath = copy
            copyDirectory = directory
        }
        defer { if let copyDirectory { try? FileManager.default.removeItem(atPath: copyDirectory) } }
        if let coreType {
            if coreType.isEmpty { unsetenv("OPENBLAS_CORETYPE") } else { setenv("OPENBLAS_CORETYPE", coreType, 1) }
        }
        defer {
            if coreType != nil {
                if let environmentValue { setenv("OPENBLAS_CORETYPE", environmentValue, 1) } else { unsetenv("OPENBLAS_CORETYPE") }
            }
        }
        return try open(path: openPath, requestedPath: path,
                        file: privateCopy ? (path as NSString).resolvingSymlinksInPath : nil, coreTypeSource: source)
    }

    /// OpenBLAS runs single-threaded: Converge splits each product across its own worker pool
    /// (``Kernels/splitGEMM(transA:transB:m:n:k:a:lda:b:ldb:c:ldc:_:)``), whose threads spin
    /// between the short products of a training step instead of sleeping, and which also runs
    /// the elementwise loops, so no second set of threads competes for the cores.
    /// `OPENBLAS_NUM_THREADS` is set to 1 while the library loads (it then starts no threads),
    /// and `openblas_set_num_threads(1)` covers a copy that was already loaded.
    private static func open(path: String, requestedPath: String, file: String?, coreTypeSource: String) throws -> BLAS {
        let previousThreads = getenv("OPENBLAS_NUM_THREADS").map { String(cString: $0) }
        setenv("OPENBLAS_NUM_THREADS", "1", 1)
        defer {
            if let previousThreads { setenv("OPENBLAS_NUM_THREADS", previousThreads, 1) } else { unsetenv("OPENBLAS_NUM_THREADS") }
        }
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let message = dlerror().map { String(cString: $0) } ?? "dlopen failed"
            throw LoadError(path: requestedPath, reason: message)
        }
        guard let sgemm = symbol(handle, "cblas_sgemm", as: SgemmFunction.self) else {
            dlclose(handle)
            throw LoadError(path: requestedPath, reason: "has no cblas_sgemm")
        }
        if let setThreads = symbol(handle, "openblas_set_num_threads", as: SetIntFunction.self) { setThreads(1) }
        let blas = BLAS(requestedPath: requestedPath, file: file, handle: handle, sgemm: sgemm, coreTypeSource: coreTypeSource)
        if let problem = blas.selfCheck() {
            // Not closed: a library may have started threads; keeping it mapped is harmless.
            throw LoadError(path: requestedPath, reason: "self-check of cblas_sgemm failed (\(problem))")
        }
        return blas
    }

    private static func symbol<T>(_ handle: UnsafeMutableRawPointer, _ name: String, as: T.Type) -> T? {
        guard let pointer = dlsym(handle, name) else { return nil }
        return unsafeBitCast(pointer, to: T.self)
    }

    /// The file of the loaded object that contains `address` (from `/proc/self/maps` on Linux,
    /// `dladdr` on Darwin).
    private static func libraryFile(containing address: UnsafeRawPointer) -> String? {
        let value = UInt(bitPattern: address)
        #if canImport(Darwin)
        var info = Dl_info()
        guard dladdr(address, &info) != 0, let name = info.dli_fname else { return nil }
        return String(cString: name)
        #else
        guard let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else { return nil }
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6 else { continue }
            let range = fields[0].split(separator: "-")
            guard range.count == 2, let low = UInt(range[0], radix: 16), let high = UInt(range[1], radix: 16),
                  low <= value, value < high else { continue }
            return fields[5...].joined(separator: " ")
        }
        return nil
        #endif
    }

    /// Compares this library's `cblas_sgemm` with the Swift fallback on 67×45×31 products with
    /// every transpose combination, padded leading dimensions, and `beta` 0 (C filled with NaN,
    /// which must not be read) and -0.5. Returns a description of the first disagreement.
    func selfCheck() -> String? {
        GEMMSelfCheck.firstDisagreement(m: 67, n: 45, k: 31) { transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc in
            sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                  a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return true
        }
    }
}
