import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether the bfloat16 products of each ``GEMMDispatch/ShapeClass`` run on the processor's
/// bfloat16 instructions (oneDNN's `dnnl_gemm_bf16bf16f32`) or as a float32 GEMM of the same
/// bfloat16 values, chosen by timing both on the machine at hand.
///
/// Both compute the same thing: a product of two bfloat16 values is exact in float32, and both
/// accumulate in float32, so they differ only in the order of the sums. What differs is speed.
/// Without AMX, a bfloat16 GEMM is at best about twice as fast as a float32 one on large
/// products, and slower on small ones, where oneDNN's packing and thread start-up dominate (a
/// StreamRec step at batch 64 ran at a third of its float32 speed). So each class is timed once
/// per machine on ``GEMMTuner``'s products, both ways in alternating rounds (the float32 way
/// includes widening its bfloat16 operands), and the faster is kept.
///
/// The choice is cached beside the GEMM library choice (``cacheFile(environment:)``), keyed by the
/// processor, the oneDNN version, the float32 library of each class and the build, and read and
/// written under the same kind of lock, so every process on a machine computes the same products.
/// `CONVERGE_BF16_GEMM=native` or `float32` forces one way for every class.
public enum BFloat16GEMMChoice {
    /// One class timed both ways.
    public struct Measurement: Codable, Sendable, Equatable {
        /// The class.
        public var shapeClass: GEMMDispatch.ShapeClass
        /// oneDNN's bfloat16 GEMM, in GFLOP/s.
        public var nativeGFLOPs: Double
        /// The float32 GEMM of the same values (widening included), in GFLOP/s.
        public var float32GFLOPs: Double
    }

    /// What a process uses.
    public struct Decision: Sendable {
        /// The classes whose bfloat16 products use the bfloat16 instructions.
        public var nativeClasses: Set<GEMMDispatch.ShapeClass>
        /// How the choice was made, for example `measured now (0.4 s), saved to …`.
        public var origin: String
        /// The timings behind it (empty when forced or when there is no native bfloat16 GEMM).
        public var measurements: [Measurement]
    }

    /// This process's choice, made on first use.
    public static let shared: Decision = resolve(environment: ProcessInfo.processInfo.environment)

    /// Whether an m×n×k bfloat16 product runs on the bfloat16 instructions.
    @inline(__always)
    public static func usesNativeInstructions(m: Int, n: Int, k: Int) -> Bool {
        shared.nativeClasses.contains(GEMMDispatch.ShapeClass(m: m, n: n, k: k))
    }

    /// The cache file: ``GEMMTuner/cacheFile(environment:)`` with `-bf16` before its `.json`.
    public static func cacheFile(environment: [String: String]) -> String? {
        guard let file = GEMMTuner.cacheFile(environment: environment) else { return nil }
        return file.hasSuffix(".json") ? String(file.dropLast(5)) + "-bf16.json" : file + ".bf16"
    }

    static func machineKey() -> String {
        let cpu = CPUFeatures.current
        let features = ["avx512f", "avx512_bf16", "amx_bf16", "amx_tile"].filter(cpu.flags.contains).joined(separator: ",")
        let oneDNN = OneDNN.shared.map { "\($0.version) \($0.isa ?? "?")" } ?? "none"
        let dispatch = GEMMDispatch.shared
        let float32 = GEMMDispatch.ShapeClass.allCases.map { shapeClass -> String in
            let shape = GEMMTuner.shapes(shapeClass)[0]
            return "\(shapeClass.name)=\(dispatch.library(m: shape.m, n: shape.n, k: shape.k))"
        }.joined(separator: ",")
        #if DEBUG
        let build = "debug build"
        #else
        let build = "release build"
        #endif
        return ["bf16 choice 3", "cpu \(cpu.vendor ?? "?") \(cpu.modelName ?? "?") family \(cpu.family ?? -1) model \(cpu.model ?? -1) [\(features)]",
                "onednn \(oneDNN)", "float32 \(float32)", build].joined(separator: " | ")
    }

    /// The decision from the environment, the cache, or a measurement (then saved).
    static func resolve(environment: [String: String]) -> Decision {
        let all = Set(GEMMDispatch.ShapeClass.allCases)
        guard Kernels.hasNativeBFloat16GEMM, let library = OneDNN.shared else {
            return Decision(nativeClasses: [], origin: "no native bfloat16 GEMM here", measurements: [])
        }
        switch environment["CONVERGE_BF16_GEMM"]?.lowercased() {
        case "native": return Decision(nativeClasses: all, origin: "forced by CONVERGE_BF16_GEMM=native", measurements: [])
        case "float32": return Decision(nativeClasses: [], origin: "forced by CONVERGE_BF16_GEMM=float32", measurements: [])
        case nil, "", "auto": break
        case let value?: fputs("converge: CONVERGE_BF16_GEMM=\(value) is not native, float32 or auto; measuring instead\n", stderr)
        }
        func decision(_ measurements: [Measurement], _ origin: String) -> Decision {
            Decision(nativeClasses: Set(measurements.filter { $0.nativeGFLOPs >= $0.float32GFLOPs }.map(\.shapeClass)),
                     origin: origin, measurements: measurements)
        }
        let key = machineKey()
        guard let path = cacheFile(environment: environment) else {
            return decision(measure(library), "measured now (no cache)")
        }
        let lock = MachineCache.lock(path)
        defer { if let lock { flock(lock, LOCK_UN); close(lock) } }
        if let cached = MachineCache.entry([Measurement].self, key: key, in: path), Set(cached.map(\.shapeClass)) == all {
            return decision(cached, "read from \(path)")
        }
        let started = DispatchTime.now().uptimeNanoseconds
        let measurements = measure(library)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let saved = lock != nil && MachineCache.store(measurements, key: key, in: path)
        return decision(measurements, "measured now (\(String(format: "%.1f", seconds)) s)" + (saved ? ", saved to \(path)" : ""))
    }

    /// The products timed for `shapeClass`: ``GEMMTuner``'s, and for the tiny class also the three
    /// products of a linear layer with one output at batch 1024 (1024×1×64, 1024×64×1 and
    /// 1×64×1024), the head of every binary classifier and regressor. Such skinny products are
    /// matrix–vector work, where oneDNN's bfloat16 call costs several times the float32 one.
    static func shapes(_ shapeClass: GEMMDispatch.ShapeClass) -> [GEMMTuner.Shape] {
        var products = GEMMTuner.shapes(shapeClass)
        if shapeClass == .tiny {
            products += [GEMMTuner.Shape(m: 1024, n: 1, k: 64, transA: false, transB: true),
                         GEMMTuner.Shape(m: 1024, n: 64, k: 1, transA: false, transB: false),
                         GEMMTuner.Shape(m: 1, n: 64, k: 1024, transA: true, transB: false)]
        }
        return products
    }

    /// Times each class's products both ways: five alternating rounds, the best round of each.
    static func measure(_ library: OneDNN) -> [Measurement] {
        Parallel.settleWorkers()   // the products are timed split across the pool's threads
        var results: [Measurement] = []
        for shapeClass in GEMMDispatch.ShapeClass.allCases {
            let products = shapes(shapeClass)
            let largest = products.map { Swift.max($0.m * $0.k, $0.k * $0.n, $0.m * $0.n) }.max() ?? 1
            var seed: UInt32 = 7
            let a = (0..<largest).map { _ -> UInt16 in
                seed = seed &* 1_664_525 &+ 1_013_904_223
                return Kernels.bfloat16Bits(Float(Int32(bitPattern: seed) >> 8) * 0x1p-23)
            }
            let b = Array(a.reversed())
            var wideA = [Float](repeating: 0, count: largest), wideB = wideA, c = wideA
            var native = Array(repeating: Double.infinity, count: products.count), float32 = native
            for _ in 0..<5 {
                for (p, shape) in products.enumerated() {
                    let lda = shape.transA ? shape.m : shape.k, ldb = shape.transB ? shape.k : shape.n
                    let aCount = shape.m * shape.k, bCount = shape.k * shape.n
                    var start = DispatchTime.now().uptimeNanoseconds
                    _ = library.splitGemmBF16(transA: shape.transA, transB: shape.transB, m: shape.m, n: shape.n, k: shape.k,
                                         alpha: 1, a: a, lda: lda, b: b, ldb: ldb, beta: 0, c: &c, ldc: shape.n)
                    native[p] = Swift.min(native[p], Double(DispatchTime.now().uptimeNanoseconds - start))
                    start = DispatchTime.now().uptimeNanoseconds
                    Kernels.convertFromBFloat16(a, &wideA, count: aCount)
                    Kernels.convertFromBFloat16(b, &wideB, count: bCount)
                    Kernels.gemmFloat32(transA: shape.transA, transB: shape.transB, m: shape.m, n: shape.n, k: shape.k,
                                        alpha: 1, a: wideA, lda: lda, b: wideB, ldb: ldb, beta: 0, c: &c, ldc: shape.n)
                    float32[p] = Swift.min(float32[p], Double(DispatchTime.now().uptimeNanoseconds - start))
                }
            }
            let flop = products.map(\.flop).reduce(0, +)
            results.append(Measurement(shapeClass: shapeClass, nativeGFLOPs: flop / native.reduce(0, +),
                                       float32GFLOPs: flop / float32.reduce(0, +)))
        }
        return results
    }
}
