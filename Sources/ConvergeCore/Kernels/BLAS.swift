import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The system BLAS, loaded at run time with `dlopen` so that Converge builds and runs
/// without one (``Kernels/gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`` then
/// uses the Swift fallback).
///
/// Which library is used is decided once, on first use of ``shared``:
/// - `CONVERGE_BLAS` unset, empty or `auto`: the first of ``candidatePaths`` that loads, has
///   `cblas_sgemm` and passes a self-check (OpenBLAS first, then a generic `libblas.so.3` /
///   `libcblas.so.3`; Accelerate on macOS). If none does, one line goes to stderr:
///   `converge: no system BLAS found (install libopenblas0); using the Swift GEMM fallback`.
/// - `CONVERGE_BLAS=none` (or `off`): no BLAS, silently — the fallback was asked for.
/// - `CONVERGE_BLAS=/path/to/lib.so`: only that library; if it cannot be used, one line on
///   stderr says why and the fallback is used.
///
/// OpenBLAS chooses its kernels when it is loaded, from `OPENBLAS_CORETYPE` or its own CPU
/// detection, and its detection does not always pick the fastest kernels (versions older than
/// a processor may fall back to generic kernels). So when `OPENBLAS_CORETYPE` is not set,
/// Converge sets it to ``preferredOpenBLASCoreType(for:)`` for the duration of the `dlopen`
/// calls (and removes it again afterwards): `Haswell` (AVX2) on AMD family 25 processors with
/// AVX-512 (Zen 4, which runs 512-bit instructions as two 256-bit halves), `SkylakeX` on other
/// processors with AVX-512, nothing otherwise. A value set by the user is kept.
public final class BLAS: @unchecked Sendable {
    typealias SgemmFunction = @convention(c) (Int32, Int32, Int32, Int32, Int32, Int32, Float,
                                              UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32,
                                              Float, UnsafeMutablePointer<Float>?, Int32) -> Void
    typealias StringFunction = @convention(c) () -> UnsafeMutablePointer<CChar>?
    typealias IntFunction = @convention(c) () -> Int32

    /// The library in use, or `nil` when GEMM uses the Swift fallback. Loaded on first access.
    public static let shared: BLAS? = loadShared()

    /// The OpenBLAS core type Converge requests when the user has not set `OPENBLAS_CORETYPE`,
    /// or `nil` to leave the choice to OpenBLAS.
    ///
    /// - AMD family 25 with AVX-512 (Zen 4): `Haswell`. Zen 4 executes 512-bit instructions as
    ///   two 256-bit halves, and with OpenBLAS 0.3.21 the AVX2 `Haswell` SGEMM kernels measured
    ///   5–9% faster than the AVX-512 `SkylakeX`/`Cooperlake` ones (which OpenBLAS picks by
    ///   itself on this processor) for 64–2048 sized products, on one thread and on two.
    /// - Any other processor with AVX-512 F/BW/DQ/VL: `SkylakeX`, so that an OpenBLAS older than
    ///   the processor still uses its AVX-512 kernels instead of generic ones.
    /// - Otherwise `nil`.
    public static func preferredOpenBLASCoreType(for cpu: CPUFeatures.Info) -> String? {
        guard cpu.hasAVX512 else { return nil }
        if cpu.vendor == "AuthenticAMD" && cpu.family == 25 { return "Haswell" }
        return "SkylakeX"
    }

    /// The name or path given to `dlopen`.
    public let requestedPath: String
    /// The file the library was loaded from (resolved through symbolic links when known).
    public let path: String
    /// `openblas_get_config()`, for example `OpenBLAS 0.3.21 DYNAMIC_ARCH ... Cooperlake`; `nil`
    /// for libraries other than OpenBLAS.
    public let config: String?
    /// `openblas_get_corename()`, the kernel family OpenBLAS chose (for example `SkylakeX`).
    public let coreName: String?
    /// How the core type came about (set by Converge for this processor, taken from the user's
    /// `OPENBLAS_CORETYPE`, or detected by OpenBLAS); `nil` for libraries other than OpenBLAS.
    public let coreTypeSource: String?

    private let handle: UnsafeMutableRawPointer
    private let sgemmFunction: SgemmFunction
    private let threadCountFunction: IntFunction?

    private init(requestedPath: String, handle: UnsafeMutableRawPointer, sgemm: SgemmFunction,
                 coreTypeSource: String?) {
        self.requestedPath = requestedPath
        self.handle = handle
        self.sgemmFunction = sgemm
        let sgemmAddress = unsafeBitCast(sgemm, to: UnsafeRawPointer.self)
        self.path = BLAS.libraryFile(containing: sgemmAddress) ?? requestedPath
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

    /// One line for logs and benchmarks: `OpenBLAS 0.3.21, core SkylakeX, 2 threads`.
    public var summary: String {
        var parts = [name]
        if let coreName { parts.append("core \(coreName)") }
        if let threads = threadCount { parts.append(threads == 1 ? "1 thread" : "\(threads) threads") }
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
    static func accepts(_ values: Int...) -> Bool {
        values.allSatisfy { $0 <= Int(Int32.max) }
    }

    /// Row-major `cblas_sgemm`. Sizes and strides must fit in `Int32` (see ``accepts(_:)``).
    func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
               a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
               beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let rowMajor: Int32 = 101, noTrans: Int32 = 111, trans: Int32 = 112
        sgemmFunction(rowMajor, transA ? trans : noTrans, transB ? trans : noTrans,
                      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    // MARK: - Choosing and loading

    /// What the environment asks for.
    public enum Selection: Equatable {
        /// Search ``candidatePaths`` (`CONVERGE_BLAS` unset, empty or `auto`).
        case automatic
        /// Use no BLAS (`CONVERGE_BLAS=none` or `off`).
        case disabled
        /// Use only this library (`CONVERGE_BLAS=<path>`).
        case library(String)

        /// The selection `CONVERGE_BLAS` in `environment` makes.
        public init(environment: [String: String]) {
            let value = (environment["CONVERGE_BLAS"] ?? "").trimmingCharacters(in: .whitespaces)
            switch value.lowercased() {
            case "", "auto": self = .automatic
            case "none", "off": self = .disabled
            default: self = .library(value)
            }
        }
    }

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
        #if arch(x86_64)
        let multiarch = "/usr/lib/x86_64-linux-gnu"
        #elseif arch(arm64)
        let multiarch = "/usr/lib/aarch64-linux-gnu"
        #else
        let multiarch = "/usr/lib"
        #endif
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

    /// The one-line notice printed to stderr when the fallback is used although the user did not
    /// ask for it; `nil` for ``Selection/disabled``.
    static func fallbackNotice(selection: Selection, failures: [LoadError]) -> String? {
        switch selection {
        case .disabled:
            return nil
        case .automatic:
            // A library that loads but fails its self-check is worth naming.
            if let broken = failures.first(where: { $0.reason.hasPrefix("self-check") }) {
                return "converge: system BLAS \(broken); using the Swift GEMM fallback"
            }
            return "converge: no system BLAS found (install libopenblas0); using the Swift GEMM fallback"
        case .library(let path):
            let reason = failures.first?.reason ?? "could not be loaded"
            return "converge: CONVERGE_BLAS=\(path): \(reason); using the Swift GEMM fallback"
        }
    }

    /// Loads the library at `path` (a file path or a name `dlopen` searches for), checks that
    /// its `cblas_sgemm` agrees with the Swift fallback, and returns it.
    ///
    /// Applies the `OPENBLAS_CORETYPE` rule described on ``BLAS`` (only takes effect when the
    /// library is not loaded in this process yet).
    public static func load(path: String) throws -> BLAS {
        try withPreferredCoreType { source in try open(path: path, coreTypeSource: source) }
    }

    private static func loadShared() -> BLAS? {
        let (blas, notice) = load(selection: Selection(environment: ProcessInfo.processInfo.environment))
        if let notice { fputs(notice + "\n", stderr) }
        return blas
    }

    /// Loads the library `selection` asks for, as ``shared`` does, without printing: returns the
    /// library (or `nil` for the fallback) and the notice ``shared`` would print (`nil` when the
    /// fallback was asked for or a library was found).
    public static func load(selection: Selection) -> (blas: BLAS?, notice: String?) {
        let paths: [String]
        switch selection {
        case .disabled: return (nil, nil)
        case .automatic: paths = candidatePaths
        case .library(let path): paths = [path]
        }
        var failures: [LoadError] = []
        let found: BLAS? = withPreferredCoreType { source in
            for path in paths {
                do { return try open(path: path, coreTypeSource: source) } catch let error as LoadError {
                    failures.append(error)
                } catch {
                    failures.append(LoadError(path: path, reason: "\(error)"))
                }
            }
            return nil
        }
        if let found { return (found, nil) }
        return (nil, fallbackNotice(selection: selection, failures: failures))
    }

    /// Runs `body` with `OPENBLAS_CORETYPE` set to ``preferredOpenBLASCoreType(for:)`` when the
    /// user has not set it, restoring the environment afterwards. `body` receives a description
    /// of where the core type comes from.
    private static func withPreferredCoreType<T>(_ body: (String) throws -> T) rethrows -> T {
        if let existing = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"], !existing.isEmpty {
            return try body("OPENBLAS_CORETYPE=\(existing) from the environment")
        }
        guard let coreType = preferredOpenBLASCoreType(for: CPUFeatures.current) else {
            return try body("detected by OpenBLAS")
        }
        setenv("OPENBLAS_CORETYPE", coreType, 1)
        defer { unsetenv("OPENBLAS_CORETYPE") }
        let cpu = CPUFeatures.current
        let why = cpu.vendor == "AuthenticAMD" && cpu.family == 25 ? "AMD family 25 with AVX-512" : "AVX-512"
        return try body("OPENBLAS_CORETYPE=\(coreType) set by Converge for \(why)")
    }

    private static func open(path: String, coreTypeSource: String) throws -> BLAS {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let message = dlerror().map { String(cString: $0) } ?? "dlopen failed"
            throw LoadError(path: path, reason: message)
        }
        guard let sgemm = symbol(handle, "cblas_sgemm", as: SgemmFunction.self) else {
            dlclose(handle)
            throw LoadError(path: path, reason: "has no cblas_sgemm")
        }
        let blas = BLAS(requestedPath: path, handle: handle, sgemm: sgemm, coreTypeSource: coreTypeSource)
        if let problem = blas.selfCheck() {
            // Not closed: a library may have started threads; keeping it mapped is harmless.
            throw LoadError(path: path, reason: "self-check of cblas_sgemm failed (\(problem))")
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
        let m = 67, n = 45, k = 31
        var seed: UInt32 = 12345
        func next() -> Float {
            seed = seed &* 1_664_525 &+ 1_013_904_223
            return Float(seed >> 8) / Float(1 << 24) * 2 - 1
        }
        for transA in [false, true] {
            for transB in [false, true] {
                for beta: Float in [0, -0.5] {
                    let lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 2, ldc = n + 5
                    let a = (0..<((transA ? k : m) * lda)).map { _ in next() }
                    let b = (0..<((transB ? n : k) * ldb)).map { _ in next() }
                    let c0 = (0..<(m * ldc)).map { _ in beta == 0 ? Float.nan : next() }
                    var expected = c0.map { $0.isNaN ? 0 : $0 }
                    var actual = c0
                    Kernels.fallbackGEMM(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.75,
                                         a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: &expected, ldc: ldc)
                    sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.75,
                          a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: &actual, ldc: ldc)
                    for i in 0..<m {
                        for j in 0..<ldc {
                            let x = actual[i * ldc + j], y = expected[i * ldc + j]
                            // Padding columns (j ≥ n) must be untouched.
                            let ok = j < n ? abs(x - y) <= 1e-4 * (1 + abs(y)) : (x == y || (x.isNaN && y == 0))
                            if !ok {
                                return "transA \(transA), transB \(transB), beta \(beta): C[\(i), \(j)] = \(x), expected \(y)"
                            }
                        }
                    }
                }
            }
        }
        return nil
    }
}
