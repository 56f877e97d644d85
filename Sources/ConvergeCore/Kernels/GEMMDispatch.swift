import Foundation

/// Which library multiplies which matrix shapes: OpenBLAS (with the core type that measured
/// fastest), oneDNN, or Converge's Swift fallback.
///
/// Decided once per process, on first use of ``shared``, from `CONVERGE_BLAS`:
/// - unset, empty or `auto`: by measurement (``GEMMTuner``). Every available library, and every
///   OpenBLAS core type this processor can run, is timed on a few representative shapes of each
///   ``ShapeClass``; the fastest is kept per class. The choice is cached per machine (processor,
///   library files and versions, thread settings) in `~/.cache/converge/gemm.json`, so a process
///   pays for the measurement once per machine (see ``GEMMTuner/cacheFile(environment:)``).
/// - `openblas` or `onednn` (also `dnnl`): that library for every shape (the OpenBLAS core type is
///   still measured, unless `OPENBLAS_CORETYPE` is set, which is then used).
/// - `none` (or `off`): the Swift fallback, silently.
/// - a path: that library (oneDNN when it exports `dnnl_sgemm`, otherwise CBLAS) for every shape.
///
/// A library that was asked for but cannot be used is named in one line on stderr, and the
/// fallback multiplies. A value of `OPENBLAS_CORETYPE` in the environment is measured beside the
/// other core types; with `CONVERGE_BLAS=openblas` it is the only one used.
public final class GEMMDispatch: @unchecked Sendable {
    /// A GEMM implementation.
    public enum Library: String, Sendable, CaseIterable, Codable {
        /// `cblas_sgemm` of the loaded CBLAS library (usually OpenBLAS).
        case openBLAS = "openblas"
        /// oneDNN's `dnnl_sgemm`.
        case oneDNN = "onednn"
        /// ``Kernels/fallbackGEMM(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``.
        case swift = "swift"
    }

    /// Products grouped by their work `m·n·k`, each class measured separately.
    public enum ShapeClass: String, Sendable, CaseIterable, Codable {
        /// `m·n·k` below 64³.
        case tiny
        /// From 64³ to below 256³.
        case small
        /// From 256³ to below 1024³.
        case medium
        /// 1024³ and above.
        case large

        /// The class of an m×n×k product.
        @inline(__always)
        public init(m: Int, n: Int, k: Int) {
            let work = Double(m) * Double(n) * Double(k)
            if work < 262_144 { self = .tiny } else if work < 16_777_216 { self = .small } else if work < 1_073_741_824 {
                self = .medium
            } else { self = .large }
        }

        /// `tiny`, `small`, `medium` or `large`.
        public var name: String { rawValue }

        /// The bounds in words, for example `64³ ≤ m·n·k < 256³`.
        public var range: String {
            switch self {
            case .tiny: return "m·n·k < 64³"
            case .small: return "64³ ≤ m·n·k < 256³"
            case .medium: return "256³ ≤ m·n·k < 1024³"
            case .large: return "m·n·k ≥ 1024³"
            }
        }
    }

    /// What `CONVERGE_BLAS` asks for.
    public enum Selection: Equatable, Sendable {
        /// Measure and choose (`CONVERGE_BLAS` unset, empty or `auto`).
        case automatic
        /// The Swift fallback only (`none` or `off`).
        case disabled
        /// OpenBLAS (or another CBLAS from ``BLAS/candidatePaths``) for every shape (`openblas`).
        case openBLAS
        /// oneDNN for every shape (`onednn` or `dnnl`).
        case oneDNN
        /// The library at this path for every shape.
        case library(String)

        /// The selection `CONVERGE_BLAS` in `environment` makes.
        public init(environment: [String: String]) {
            let value = (environment["CONVERGE_BLAS"] ?? "").trimmingCharacters(in: .whitespaces)
            switch value.lowercased() {
            case "", "auto": self = .automatic
            case "none", "off": self = .disabled
            case "openblas", "blas": self = .openBLAS
            case "onednn", "dnnl": self = .oneDNN
            default: self = .library(value)
            }
        }
    }

    /// The dispatch of this process, decided on first use (see the type's description).
    public static let shared: GEMMDispatch = {
        let environment = ProcessInfo.processInfo.environment
        let (dispatch, notice) = make(selection: Selection(environment: environment), environment: environment)
        if let notice { fputs(notice + "\n", stderr) }
        return dispatch
    }()

    /// The CBLAS library in use for some class, or `nil`.
    public let blas: BLAS?
    /// oneDNN, when it is in use for some class (or was asked for), or `nil`.
    public let oneDNN: OneDNN?
    /// How the choice was made, for example `measured in 1.3 s, saved to /root/.cache/converge/gemm.json`.
    public let origin: String
    /// The measurements behind the choice (empty when it was forced); from the cache when the
    /// choice was read from there.
    public let measurements: [GEMMTuner.Measurement]
    private let tiny: Library, small: Library, medium: Library, large: Library
    /// The classes whose oneDNN products run on oneDNN's own OpenMP threads (measured faster
    /// there); every other product is split across Converge's threads.
    public let oneDNNOwnThreads: Set<ShapeClass>

    /// A dispatch with the given libraries and per-class choices (in ``ShapeClass`` order). A class
    /// whose library is missing falls back to Swift.
    public init(blas: BLAS?, oneDNN: OneDNN?, choices: [ShapeClass: Library], origin: String,
                measurements: [GEMMTuner.Measurement] = [], oneDNNOwnThreads: Set<ShapeClass> = []) {
        self.blas = blas
        self.oneDNNOwnThreads = oneDNNOwnThreads
        self.oneDNN = oneDNN
        self.origin = origin
        self.measurements = measurements
        func usable(_ shapeClass: ShapeClass) -> Library {
            switch choices[shapeClass] ?? .swift {
            case .openBLAS: return blas == nil ? .swift : .openBLAS
            case .oneDNN: return oneDNN == nil ? .swift : .oneDNN
            case .swift: return .swift
            }
        }
        tiny = usable(.tiny)
        small = usable(.small)
        medium = usable(.medium)
        large = usable(.large)
    }

    /// The library that multiplies products of this class.
    @inline(__always)
    public func library(for shapeClass: ShapeClass) -> Library {
        switch shapeClass {
        case .tiny: return tiny
        case .small: return small
        case .medium: return medium
        case .large: return large
        }
    }

    /// The library that multiplies an m×n×k product.
    @inline(__always)
    public func library(m: Int, n: Int, k: Int) -> Library { library(for: ShapeClass(m: m, n: n, k: k)) }

    /// One line naming a library, its kernels and its threads, for products of `shapeClass`
    /// when given: `OpenBLAS 0.3.21, core Haswell, split across 2 threads`,
    /// `oneDNN 2.6.3 (avx512_core_bf16), its own OpenMP threads` or `Swift fallback, 2 threads`.
    public func describe(_ library: Library, shapeClass: ShapeClass? = nil) -> String {
        switch library {
        case .openBLAS: return blas?.summary ?? "no CBLAS library"
        case .oneDNN:
            guard let oneDNN else { return "no oneDNN" }
            if let shapeClass, oneDNNOwnThreads.contains(shapeClass) { return oneDNN.summary + ", its own OpenMP threads" }
            return oneDNN.summary + (Parallel.threadCount == 1 ? ", 1 thread" : ", split across \(Parallel.threadCount) threads")
        case .swift:
            return "Swift fallback, " + (Parallel.threadCount == 1 ? "1 thread" : "\(Parallel.threadCount) threads")
        }
    }

    /// Several lines: each class with its library, then ``origin``.
    public var summary: String {
        var lines = ShapeClass.allCases.map { "\($0.name) (\($0.range)): \(describe(library(for: $0), shapeClass: $0))" }
        lines.append("chosen: \(origin)")
        return lines.joined(separator: "\n")
    }

    // MARK: - Making

    /// The dispatch `selection` asks for, without printing: returns it and the notice ``shared``
    /// prints (`nil` when nothing went wrong).
    public static func make(selection: Selection, environment: [String: String]) -> (GEMMDispatch, String?) {
        let all: (Library) -> [ShapeClass: Library] = { library in
            Dictionary(uniqueKeysWithValues: ShapeClass.allCases.map { ($0, library) })
        }
        let variable = "CONVERGE_BLAS=\(environment["CONVERGE_BLAS"] ?? "")"
        func fallback(_ reason: String) -> (GEMMDispatch, String?) {
            (GEMMDispatch(blas: nil, oneDNN: nil, choices: all(.swift), origin: "\(variable) (not usable: \(reason))"),
             "converge: \(variable): \(reason); using the Swift GEMM fallback")
        }
        switch selection {
        case .disabled:
            return (GEMMDispatch(blas: nil, oneDNN: nil, choices: all(.swift), origin: variable), nil)
        case .oneDNN:
            guard let library = OneDNN.shared else { return fallback("oneDNN (libdnnl.so.2) could not be loaded") }
            return (GEMMDispatch(blas: nil, oneDNN: library, choices: all(.oneDNN), origin: variable), nil)
        case .openBLAS:
            let tuned = GEMMTuner.tune(libraries: [.openBLAS], environment: environment)
            guard tuned.blas != nil else { return fallback(tuned.failures.first.map { "\($0)" } ?? "no CBLAS library found") }
            return (GEMMDispatch(blas: tuned.blas, oneDNN: nil, choices: all(.openBLAS),
                                 origin: "\(variable); \(tuned.origin)", measurements: tuned.measurements), nil)
        case .library(let path):
            if let library = try? OneDNN.load(path: path) {
                return (GEMMDispatch(blas: nil, oneDNN: library, choices: all(.oneDNN), origin: variable), nil)
            }
            do {
                let blas = try BLAS.load(path: path)
                return (GEMMDispatch(blas: blas, oneDNN: nil, choices: all(.openBLAS), origin: variable), nil)
            } catch let error as BLAS.LoadError {
                var reason = error.reason
                if reason.hasPrefix(path + ": ") { reason.removeFirst(path.count + 2) }  // dlerror repeats the path
                return fallback(reason)
            } catch {
                return fallback("\(error)")
            }
        case .automatic:
            let tuned = GEMMTuner.tune(libraries: [.openBLAS, .oneDNN, .swift], environment: environment)
            let dispatch = GEMMDispatch(blas: tuned.blas, oneDNN: tuned.oneDNN, choices: tuned.choices,
                                        origin: tuned.origin, measurements: tuned.measurements,
                                        oneDNNOwnThreads: tuned.oneDNNOwnThreads)
            if tuned.blas == nil && tuned.oneDNN == nil {
                if let broken = tuned.failures.first(where: { $0.reason.hasPrefix("self-check") }) {
                    return (dispatch, "converge: system BLAS \(broken); using the Swift GEMM fallback")
                }
                return (dispatch, "converge: no system BLAS found (install libopenblas0 or libdnnl2); using the Swift GEMM fallback")
            }
            return (dispatch, nil)
        }
    }

    // MARK: - Recording the shapes a workload multiplies

    private let recordLock = NSLock()
    private var recording = false
    private var recorded: [String: Int] = [:]

    /// Starts counting the products ``Kernels/gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``
    /// multiplies, by shape and library (for `converge bench`).
    public func startRecording() {
        recordLock.lock()
        recorded = [:]
        recording = true
        recordLock.unlock()
    }

    /// Stops counting and returns one line per shape: `1024×256×128 NT: oneDNN 2.6.3 (…) ×12`,
    /// sorted by shape.
    public func stopRecording() -> [String] {
        recordLock.lock()
        recording = false
        let result = recorded
        recorded = [:]
        recordLock.unlock()
        return result.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }
    }

    /// Counts one float32 product by `library` (`bfloat16Values`: the product of bfloat16 values
    /// that ``BFloat16GEMMChoice`` sent to the float32 GEMM).
    @inline(__always)
    func record(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, _ library: Library, bfloat16Values: Bool = false) {
        guard recording else { return }
        let how = describe(library, m: m, n: n, k: k)
        record("\(m)×\(n)×\(k) \(transA ? "T" : "N")\(transB ? "T" : "N")\(bfloat16Values ? " bf16 values" : ""): \(how)")
    }

    /// Counts one product on the bfloat16 instructions (oneDNN's `gemm_bf16bf16f32`, split over
    /// the pool like the float32 products).
    @inline(__always)
    func recordBFloat16(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, library: OneDNN) {
        guard recording else { return }
        record("\(m)×\(n)×\(k) \(transA ? "T" : "N")\(transB ? "T" : "N") bf16: \(library.summary) gemm_bf16bf16f32, \(Self.threading(m: m, n: n, k: k))")
    }

    /// How `library` runs an m×n×k product here: the library, and its threads for this shape
    /// (split across the pool, whole on one thread, or on oneDNN's own OpenMP team).
    func describe(_ library: Library, m: Int, n: Int, k: Int) -> String {
        switch library {
        case .openBLAS:
            guard let blas else { return "no CBLAS library" }
            if !blas.isSingleThreaded { return blas.summary }
            return blas.kernelSummary + ", " + Self.threading(m: m, n: n, k: k)
        case .oneDNN:
            guard let oneDNN else { return "no oneDNN" }
            if oneDNNOwnThreads.contains(ShapeClass(m: m, n: n, k: k)) && !Parallel.isInsideParallelTask {
                return oneDNN.summary + ", its own OpenMP threads"
            }
            return oneDNN.summary + ", " + Self.threading(m: m, n: n, k: k)
        case .swift:
            return describe(.swift)
        }
    }

    /// `split across 2 threads` or `1 thread`, as ``Kernels/splitGEMM(transA:transB:m:n:k:a:lda:b:ldb:c:ldc:_:)``
    /// runs an m×n×k product on the calling thread.
    static func threading(m: Int, n: Int, k: Int) -> String {
        let parts = Kernels.splitParts(m: m, n: n, k: k)
        return parts < 2 ? "1 thread" : "split across \(parts) threads"
    }

    private func record(_ key: String) {
        recordLock.lock()
        if recording { recorded[key, default: 0] += 1 }
        recordLock.unlock()
    }
}
