import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Chooses the GEMM library per ``GEMMDispatch/ShapeClass`` by timing every candidate, and caches
/// the choice per machine.
///
/// Candidates: OpenBLAS with its own core detection and with each core type this processor can run
/// (each loaded as a private copy of the library file, since OpenBLAS fixes its core type when
/// loaded; the environment's `OPENBLAS_CORETYPE` is one more candidate, or the only one when
/// `CONVERGE_BLAS=openblas` forces OpenBLAS), oneDNN's `dnnl_sgemm`, and the Swift fallback. Each is
/// timed on three products per class (no transpose, B transposed, A transposed: the forward and
/// the two backward products of a linear layer), in rounds that alternate between candidates, and
/// the best round counts. The OpenBLAS core type with the best geometric mean over the classes is
/// kept; then each class takes the fastest of that OpenBLAS, oneDNN and Swift. The Swift fallback
/// is timed on the large classes only when it won a smaller one.
///
/// The cache file (``cacheFile(environment:)``) holds one entry per machine key: processor model
/// and features, the library files (path, size, modification time) and versions,
/// `OPENBLAS_CORETYPE`, and the build configuration (not thread settings: every process on the
/// machine makes the same choice, so results do not depend on how a run was launched). Reading, measuring and writing happen under
/// an exclusive lock on `<cache file>.lock`, so processes that start together agree.
public enum GEMMTuner {
    /// One timing: a candidate on one class's products.
    public struct Measurement: Codable, Sendable, Equatable {
        /// The class.
        public var shapeClass: GEMMDispatch.ShapeClass
        /// `openblas:Haswell`, `openblas` (OpenBLAS's own core choice), `onednn` or `swift`.
        public var candidate: String
        /// Total work over total time of the class's products, in GFLOP/s.
        public var gflops: Double
    }

    /// The candidate name of oneDNN on its own OpenMP threads.
    static let oneDNNOwnThreadsCandidate = "onednn:openmp"

    /// How much faster oneDNN split across Converge's threads must measure than on its own
    /// OpenMP threads to be chosen (see ``tune(libraries:environment:)``).
    static let oneDNNSplitMargin = 1.05

    /// What ``tune(libraries:environment:)`` decided.
    struct Outcome {
        var blas: BLAS?
        var oneDNN: OneDNN?
        var choices: [GEMMDispatch.ShapeClass: GEMMDispatch.Library]
        /// The classes where oneDNN runs on its own OpenMP threads instead of split across Converge's.
        var oneDNNOwnThreads: Set<GEMMDispatch.ShapeClass> = []
        var origin: String
        var measurements: [Measurement]
        var failures: [BLAS.LoadError]
    }

    /// An m×n×k product with its transposes.
    struct Shape {
        var m: Int, n: Int, k: Int, transA: Bool, transB: Bool
        var flop: Double { 2 * Double(m) * Double(n) * Double(k) }
    }

    /// The products timed for each class.
    static func shapes(_ shapeClass: GEMMDispatch.ShapeClass) -> [Shape] {
        let (m, n, k): (Int, Int, Int)
        switch shapeClass {
        case .tiny: (m, n, k) = (64, 64, 32)
        case .small: (m, n, k) = (256, 256, 128)
        case .medium: (m, n, k) = (1024, 256, 256)
        case .large: (m, n, k) = (2048, 1024, 1024)
        }
        // Forward (X·Wᵀ), and the two backward products (G·W and Gᵀ·X) of a linear layer.
        return [Shape(m: m, n: n, k: k, transA: false, transB: false),
                Shape(m: m, n: k, k: n, transA: false, transB: true),
                Shape(m: n, n: k, k: m, transA: true, transB: false)]
    }

    /// The cache file: `CONVERGE_GEMM_CACHE` when set (`none` or `off`: no cache), otherwise
    /// `$XDG_CACHE_HOME/converge/gemm.json` or `~/.cache/converge/gemm.json`.
    public static func cacheFile(environment: [String: String]) -> String? {
        if let value = environment["CONVERGE_GEMM_CACHE"]?.trimmingCharacters(in: .whitespaces), !value.isEmpty {
            return ["none", "off"].contains(value.lowercased()) ? nil : value
        }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/converge/gemm.json" }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.cache/converge/gemm.json"
    }

    /// The OpenBLAS core types worth timing on `cpu`: OpenBLAS's own choice (`nil`) and the
    /// x86-64 kernel families the processor can run.
    public static func coreTypeCandidates(for cpu: CPUFeatures.Info) -> [String?] {
        var result: [String?] = [nil]
        #if arch(x86_64)
        let flags = cpu.flags
        if flags.contains("avx2") && flags.contains("fma") { result += ["Haswell", "Zen"] }
        if cpu.hasAVX512 { result.append("SkylakeX") }
        if cpu.hasAVX512 && flags.contains("avx512_bf16") { result.append("Cooperlake") }
        if cpu.hasAVX512 && flags.contains("amx_bf16") { result.append("SapphireRapids") }
        #endif
        return result
    }

    // MARK: - The cache file

    struct CacheEntry: Codable {
        /// The core type OpenBLAS was loaded with (`""`: its own choice); `nil` without OpenBLAS.
        var openBLASCoreType: String?
        /// The core name OpenBLAS reported with it.
        var openBLASCoreName: String?
        var choices: [String: GEMMDispatch.Library]
        /// The classes (by name) where oneDNN measured faster on its own OpenMP threads.
        var oneDNNOwnThreads: [String]?
        var measurements: [Measurement]
        var measuredAt: String
    }

    /// Opens `<path>.lock` and takes an exclusive `flock` on it; `nil` when that is not possible.
    static func lockCache(_ path: String) -> Int32? { MachineCache.lock(path) }

    /// The cached entry `key`, if the file has one this version can read.
    static func readCache(_ path: String, key: String) -> CacheEntry? { MachineCache.entry(CacheEntry.self, key: key, in: path) }

    static func writeCache(_ path: String, key: String, entry: CacheEntry) -> Bool {
        MachineCache.store(entry, key: key, in: path)
    }

    /// The first existing OpenBLAS (or other CBLAS) file of ``BLAS/candidatePaths``, resolved
    /// through symbolic links; names without a slash are looked up in `LD_LIBRARY_PATH` and the
    /// usual library directories.
    static func blasFile(environment: [String: String]) -> String? {
        var directories = (environment["LD_LIBRARY_PATH"] ?? "").split(separator: ":").map(String.init)
        directories += [BLAS.multiarchDirectory, "/usr/lib", "/usr/lib64", "/usr/local/lib", "/lib"]
        for candidate in BLAS.candidatePaths {
            let files = candidate.contains("/") ? [candidate] : directories.map { $0 + "/" + candidate }
            for file in files where FileManager.default.fileExists(atPath: file) {
                return (file as NSString).resolvingSymlinksInPath
            }
        }
        return nil
    }

    static func fileIdentity(_ path: String) -> String {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
        let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return "\(path) \(size) \(Int(modified))"
    }

    /// The key of this machine's cache entry.
    static func machineKey(blasFile: String?, oneDNN: OneDNN?, libraries: [GEMMDispatch.Library],
                           environment: [String: String]) -> String {
        let cpu = CPUFeatures.current
        let features = ["avx2", "fma", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile", "asimd", "sve"]
            .filter(cpu.flags.contains).joined(separator: ",")
        // "tuner 3" (products split across Converge's threads): entries written by an earlier
        // measuring rule are not reused.
        // Thread settings (OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, the core count a process sees)
        // are left out on purpose: every process on a machine makes the same choice, so that a
        // run computes the same products whether it runs alone or as one rank of several.
        var parts = ["tuner 3", "cpu \(cpu.vendor ?? "?") \(cpu.modelName ?? "?") family \(cpu.family ?? -1) model \(cpu.model ?? -1) [\(features)]"]
        if let value = environment["OPENBLAS_CORETYPE"], !value.isEmpty { parts.append("OPENBLAS_CORETYPE=\(value)") }
        if libraries.contains(.openBLAS) { parts.append("blas " + (blasFile.map(fileIdentity) ?? "none")) }
        if libraries.contains(.oneDNN) {
            parts.append("onednn " + (oneDNN.map { "\($0.version) \($0.isa ?? "?")" } ?? "none"))
        }
        if libraries.contains(.swift) { parts.append("swift") }
        #if DEBUG
        parts.append("debug build")
        #else
        parts.append("release build")
        #endif
        return parts.joined(separator: " | ")
    }

    // MARK: - Tuning

    /// Decides among `libraries`, from the cache when it has this machine, otherwise by measuring
    /// (and then saving to the cache).
    static func tune(libraries: [GEMMDispatch.Library], environment: [String: String]) -> Outcome {
        let useOpenBLAS = libraries.contains(.openBLAS)
        let oneDNN = libraries.contains(.oneDNN) ? OneDNN.shared : nil
        let file = useOpenBLAS ? blasFile(environment: environment) : nil
        let key = machineKey(blasFile: file, oneDNN: oneDNN, libraries: libraries, environment: environment)
        let cachePath = cacheFile(environment: environment)
        var failures: [BLAS.LoadError] = []
        // Processes starting together (the ranks of a distributed job) wait for the first one's
        // measurement instead of measuring at once and possibly choosing differently.
        let lock = cachePath.flatMap(lockCache)
        defer { if let lock { flock(lock, LOCK_UN); close(lock) } }

        if let cachePath, let entry = readCache(cachePath, key: key) {
            var blas: BLAS?
            if useOpenBLAS, let coreType = entry.openBLASCoreType {
                blas = loadBLAS(file: file, coreType: coreType,
                                expectedCore: entry.openBLASCoreName, failures: &failures)
            }
            var choices: [GEMMDispatch.ShapeClass: GEMMDispatch.Library] = [:]
            for shapeClass in GEMMDispatch.ShapeClass.allCases {
                choices[shapeClass] = entry.choices[shapeClass.name] ?? .swift
            }
            let ownThreads = Set(GEMMDispatch.ShapeClass.allCases.filter { (entry.oneDNNOwnThreads ?? []).contains($0.name) })
            if !(useOpenBLAS && entry.openBLASCoreType != nil && blas == nil) {
                return Outcome(blas: blas, oneDNN: oneDNN, choices: choices, oneDNNOwnThreads: ownThreads,
                               origin: "measured \(entry.measuredAt), cached in \(cachePath)",
                               measurements: entry.measurements, failures: failures)
            }
            // The cached library no longer loads: measure again.
        }

        let start = DispatchTime.now().uptimeNanoseconds
        var candidates: [(name: String, library: GEMMDispatch.Library, blas: BLAS?)] = []
        if useOpenBLAS {
            let environmentCore = environment["OPENBLAS_CORETYPE"].flatMap { $0.isEmpty ? nil : $0 }
            if let file {
                // Forced OpenBLAS with OPENBLAS_CORETYPE set: that core type only. Otherwise the
                // environment's value is one more candidate, measured like the others.
                var coreTypes = coreTypeCandidates(for: CPUFeatures.current).map { $0 ?? "" }
                if let environmentCore {
                    if libraries == [.openBLAS] {
                        coreTypes = [environmentCore]
                    } else if !coreTypes.contains(where: { $0.lowercased() == environmentCore.lowercased() }) {
                        coreTypes.append(environmentCore)
                    }
                }
                var seenCores: Set<String> = []
                for coreType in coreTypes {
                    do {
                        let blas = try BLAS.load(path: file, coreType: coreType, privateCopy: true)
                        // Skip a core type OpenBLAS maps to kernels already loaded.
                        let core = blas.coreName ?? (coreType.isEmpty ? "default" : coreType)
                        if seenCores.contains(core.lowercased()) { continue }
                        seenCores.insert(core.lowercased())
                        candidates.append((coreType.isEmpty ? "openblas" : "openblas:\(coreType)", .openBLAS, blas))
                    } catch let error as BLAS.LoadError {
                        failures.append(error)
                    } catch {}
                }
            } else {
                // No file found to copy: whatever dlopen finds, as it comes.
                for path in BLAS.candidatePaths {
                    do {
                        candidates.append(("openblas", .openBLAS, try BLAS.load(path: path)))
                        break
                    } catch let error as BLAS.LoadError { failures.append(error) } catch {}
                }
            }
        }
        // oneDNN twice: split across Converge's threads (`onednn`) and on its own OpenMP team
        // (`onednn:openmp`), which can win on large products.
        if oneDNN != nil { candidates += [("onednn", .oneDNN, nil), (oneDNNOwnThreadsCandidate, .oneDNN, nil)] }
        let measureSwift = libraries.contains(.swift) || candidates.isEmpty
        if measureSwift { candidates.append(("swift", .swift, nil)) }

        var measurements: [Measurement] = []
        if candidates.count > 1 {
            measurements = measure(candidates.map { ($0.name, $0.library, $0.blas) }, oneDNN: oneDNN)
        }
        func gflops(_ name: String, _ shapeClass: GEMMDispatch.ShapeClass) -> Double? {
            measurements.first { $0.candidate == name && $0.shapeClass == shapeClass }?.gflops
        }
        // The OpenBLAS core type with the best geometric mean over the classes.
        let blasCandidates = candidates.filter { $0.library == .openBLAS }
        let bestBLAS = blasCandidates.max { lhs, rhs in
            func score(_ name: String) -> Double {
                GEMMDispatch.ShapeClass.allCases.reduce(0) { $0 + log(max(gflops(name, $1) ?? 1e-9, 1e-9)) }
            }
            return score(lhs.name) < score(rhs.name)
        }
        var choices: [GEMMDispatch.ShapeClass: GEMMDispatch.Library] = [:]
        var ownThreads: Set<GEMMDispatch.ShapeClass> = []
        for shapeClass in GEMMDispatch.ShapeClass.allCases {
            var options: [(String, GEMMDispatch.Library)] = []
            if let bestBLAS { options.append((bestBLAS.name, .openBLAS)) }
            if oneDNN != nil { options += [("onednn", .oneDNN), (oneDNNOwnThreadsCandidate, .oneDNN)] }
            if measureSwift { options.append(("swift", .swift)) }
            var best = options.max { (gflops($0.0, shapeClass) ?? 0) < (gflops($1.0, shapeClass) ?? 0) }
            // Splitting duplicates the packing of the operand both blocks share, which shows on
            // products larger than the ones timed here (2048³: 5% slower split on the 2-core
            // reference machine), so the split must win by a margin over oneDNN's own threads.
            if best?.0 == "onednn", let split = gflops("onednn", shapeClass),
               let own = gflops(oneDNNOwnThreadsCandidate, shapeClass), split < own * oneDNNSplitMargin {
                best = (oneDNNOwnThreadsCandidate, .oneDNN)
            }
            choices[shapeClass] = best?.1 ?? .swift
            if best?.0 == oneDNNOwnThreadsCandidate { ownThreads.insert(shapeClass) }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        let stamp = ISO8601DateFormatter().string(from: Date())
        var origin = "measured now (\(String(format: "%.1f", seconds)) s)"
        if let cachePath {
            let entry = CacheEntry(openBLASCoreType: bestBLAS.map { $0.name.hasPrefix("openblas:") ? String($0.name.dropFirst(9)) : "" },
                                   openBLASCoreName: bestBLAS?.blas?.coreName,
                                   choices: Dictionary(uniqueKeysWithValues: choices.map { ($0.key.name, $0.value) }),
                                   oneDNNOwnThreads: ownThreads.map(\.name).sorted(),
                                   measurements: measurements, measuredAt: stamp)
            origin += writeCache(cachePath, key: key, entry: entry) ? ", saved to \(cachePath)" : ", not saved (\(cachePath) is not writable)"
        }
        return Outcome(blas: bestBLAS?.blas, oneDNN: oneDNN, choices: choices, oneDNNOwnThreads: ownThreads, origin: origin,
                       measurements: measurements, failures: failures)
    }

    /// Loads OpenBLAS from `file` with `coreType`; when it reports another core than
    /// `expectedCore` (it was already loaded in this process), loads a private copy.
    static func loadBLAS(file: String?, coreType: String?, expectedCore: String?, failures: inout [BLAS.LoadError]) -> BLAS? {
        guard let file else { return nil }
        do {
            let blas = try BLAS.load(path: file, coreType: coreType)
            if let expectedCore, let core = blas.coreName, core.lowercased() != expectedCore.lowercased() {
                return try BLAS.load(path: file, coreType: coreType, privateCopy: true)
            }
            return blas
        } catch let error as BLAS.LoadError {
            failures.append(error)
        } catch {}
        return nil
    }

    /// Times every candidate on every class's products: `rounds` rounds alternating between the
    /// candidates, after one untimed call of each product; the best round of each product counts.
    static func measure(_ candidates: [(String, GEMMDispatch.Library, BLAS?)], oneDNN: OneDNN?,
                        rounds: Int = 3) -> [Measurement] {
        Parallel.settleWorkers()   // the products are timed split across the pool's threads
        let largest = GEMMDispatch.ShapeClass.allCases.flatMap(shapes).map { max($0.m * $0.k, $0.k * $0.n, $0.m * $0.n) }.max()!
        var seed: UInt32 = 2024
        let a = (0..<largest).map { _ -> Float in
            seed = seed &* 1_664_525 &+ 1_013_904_223
            return Float(seed >> 8) / Float(1 << 24) - 0.5
        }
        let b = Array(a.reversed())
        var c = [Float](repeating: 0, count: largest)
        var results: [Measurement] = []
        var swiftWon = true
        a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
        c.withUnsafeMutableBufferPointer { pc in
            let pa = pa.baseAddress!, pb = pb.baseAddress!, pc = pc.baseAddress!
            for shapeClass in GEMMDispatch.ShapeClass.allCases {
                let products = shapes(shapeClass)
                let active = candidates.filter { $0.1 != .swift || swiftWon }
                var best = [[Double]](repeating: [Double](repeating: .infinity, count: products.count), count: active.count)
                for round in -1..<rounds {
                    for (index, candidate) in active.enumerated() {
                        for (p, shape) in products.enumerated() {
                            let lda = shape.transA ? shape.m : shape.k, ldb = shape.transB ? shape.k : shape.n
                            let t0 = DispatchTime.now().uptimeNanoseconds
                            switch candidate.1 {
                            case .openBLAS:
                                // Timed as products run: split across Converge's threads.
                                let blas = candidate.2!
                                Kernels.splitGEMM(transA: shape.transA, transB: shape.transB, m: shape.m, n: shape.n, k: shape.k,
                                                  a: pa, lda: lda, b: pb, ldb: ldb, c: pc, ldc: shape.n) { m, n, a, b, c in
                                    blas.sgemm(transA: shape.transA, transB: shape.transB, m: m, n: n, k: shape.k,
                                               alpha: 1, a: a, lda: lda, b: b, ldb: ldb, beta: 0, c: c, ldc: shape.n)
                                }
                            case .oneDNN where candidate.0 == oneDNNOwnThreadsCandidate:
                                _ = oneDNN!.sgemm(transA: shape.transA, transB: shape.transB, m: shape.m, n: shape.n, k: shape.k,
                                                  alpha: 1, a: pa, lda: lda, b: pb, ldb: ldb, beta: 0, c: pc, ldc: shape.n)
                            case .oneDNN:
                                _ = oneDNN!.splitSGEMM(transA: shape.transA, transB: shape.transB, m: shape.m, n: shape.n, k: shape.k,
                                                       alpha: 1, a: pa, lda: lda, b: pb, ldb: ldb, beta: 0, c: pc, ldc: shape.n)
                            case .swift:
                                Kernels.fallbackGEMM(transA: shape.transA, transB: shape.transB, m: shape.m, n: shape.n, k: shape.k,
                                                     alpha: 1, a: pa, lda: lda, b: pb, ldb: ldb, beta: 0, c: pc, ldc: shape.n)
                            }
                            let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
                            if round >= 0 { best[index][p] = min(best[index][p], seconds) }
                        }
                    }
                }
                let flop = products.reduce(0) { $0 + $1.flop }
                var classResults: [Measurement] = []
                for (index, candidate) in active.enumerated() {
                    classResults.append(Measurement(shapeClass: shapeClass, candidate: candidate.0,
                                                    gflops: flop / best[index].reduce(0, +) * 1e-9))
                }
                let winner = classResults.max { $0.gflops < $1.gflops }
                swiftWon = winner?.candidate == "swift"
                results += classResults
            }
        }
        }
        }
        return results
    }
}
