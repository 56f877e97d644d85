import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// oneDNN (`libdnnl.so.2`, Debian's `libdnnl2`), loaded at run time with `dlopen` for its
/// row-major GEMMs: `dnnl_sgemm` (float32) and `dnnl_gemm_bf16bf16f32` (bfloat16 inputs,
/// float32 accumulation and output).
///
/// Converge builds and runs without it. ``GEMMDispatch`` decides per shape class whether oneDNN,
/// OpenBLAS or the Swift fallback multiplies, by measurement.
///
/// oneDNN runs its GEMMs on OpenMP threads. Unless the user has set `OMP_WAIT_POLICY`, Converge
/// sets it to `PASSIVE` while the library loads, so that idle OpenMP threads sleep instead of
/// spinning on the cores that Converge's own elementwise loops use between two products.
public final class OneDNN: @unchecked Sendable {
    typealias SgemmFunction = @convention(c) (CChar, CChar, Int64, Int64, Int64, Float,
                                              UnsafePointer<Float>?, Int64, UnsafePointer<Float>?, Int64,
                                              Float, UnsafeMutablePointer<Float>?, Int64) -> Int32
    typealias BF16GemmFunction = @convention(c) (CChar, CChar, Int64, Int64, Int64, Float,
                                                 UnsafePointer<UInt16>?, Int64, UnsafePointer<UInt16>?, Int64,
                                                 Float, UnsafeMutablePointer<Float>?, Int64) -> Int32
    typealias VersionFunction = @convention(c) () -> UnsafeRawPointer?
    typealias ISAFunction = @convention(c) () -> UInt32

    /// The names tried, in order.
    public static let candidatePaths = ["libdnnl.so.2", "libdnnl.so", "libdnnl.so.3", "libdnnl.dylib"]

    /// The library found on ``candidatePaths``, or `nil` when none loads (silently: oneDNN is
    /// optional). `CONVERGE_BLAS` naming another library (or `none`) leaves it unloaded; see
    /// ``GEMMDispatch``.
    public static let shared: OneDNN? = {
        for path in candidatePaths {
            if let library = try? load(path: path) { return library }
        }
        return nil
    }()

    /// The name or path given to `dlopen`.
    public let path: String
    /// `major.minor.patch`, for example `2.6.3`.
    public let version: String
    /// The instruction set oneDNN's kernels use on this processor, for example
    /// `avx512_core_bf16`; `nil` when oneDNN does not say.
    public let isa: String?

    private let handle: UnsafeMutableRawPointer
    private let sgemmFunction: SgemmFunction
    private let bf16Function: BF16GemmFunction?

    private init(path: String, handle: UnsafeMutableRawPointer, sgemm: SgemmFunction,
                 bf16: BF16GemmFunction?, version: String, isa: String?) {
        self.path = path
        self.handle = handle
        self.sgemmFunction = sgemm
        self.bf16Function = bf16
        self.version = version
        self.isa = isa
    }

    /// `oneDNN 2.6.3`.
    public var name: String { "oneDNN \(version)" }

    /// One line for logs and benchmarks: `oneDNN 2.6.3 (avx512_core_bf16)`.
    public var summary: String { isa.map { "\(name) (\($0))" } ?? name }

    /// Whether `dnnl_gemm_bf16bf16f32` is there.
    public var hasBF16GEMM: Bool { bf16Function != nil }

    /// Whether oneDNN runs bfloat16 products with native instructions here (AVX512-BF16 or AMX);
    /// otherwise it converts to float32 internally and a bf16 product is no faster.
    public var hasNativeBF16: Bool {
        guard let isa else { return false }
        return isa.contains("bf16") || isa.contains("amx")
    }

    /// Row-major `dnnl_sgemm`: `C = alpha · op(A) · op(B) + beta · C`. Returns whether oneDNN
    /// reported success.
    @inline(__always)
    func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
               a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
               beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) -> Bool {
        let t = CChar(UInt8(ascii: "T")), nt = CChar(UInt8(ascii: "N"))
        return sgemmFunction(transA ? t : nt, transB ? t : nt, Int64(m), Int64(n), Int64(k), alpha,
                             a, Int64(lda), b, Int64(ldb), beta, c, Int64(ldc)) == 0
    }

    /// Row-major `dnnl_gemm_bf16bf16f32`: A and B hold bfloat16 bit patterns, C is float32.
    /// Returns whether oneDNN reported success (`false` when the library has no bf16 GEMM).
    @inline(__always)
    public func gemmBF16(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                         a: UnsafePointer<UInt16>, lda: Int, b: UnsafePointer<UInt16>, ldb: Int,
                         beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) -> Bool {
        guard let bf16Function else { return false }
        let t = CChar(UInt8(ascii: "T")), nt = CChar(UInt8(ascii: "N"))
        return bf16Function(transA ? t : nt, transB ? t : nt, Int64(m), Int64(n), Int64(k), alpha,
                            a, Int64(lda), b, Int64(ldb), beta, c, Int64(ldc)) == 0
    }

    /// Loads oneDNN from `path` and checks its `dnnl_sgemm` against the Swift fallback.
    /// - Throws: ``BLAS/LoadError`` when the library does not load, lacks `dnnl_sgemm`, or
    ///   disagrees with the fallback.
    public static func load(path: String) throws -> OneDNN {
        let waitPolicySet = ProcessInfo.processInfo.environment["OMP_WAIT_POLICY"] != nil
        if !waitPolicySet { setenv("OMP_WAIT_POLICY", "PASSIVE", 1) }
        defer { if !waitPolicySet { unsetenv("OMP_WAIT_POLICY") } }
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let message = dlerror().map { String(cString: $0) } ?? "dlopen failed"
            throw BLAS.LoadError(path: path, reason: message)
        }
        guard let sgemmPointer = dlsym(handle, "dnnl_sgemm") else {
            throw BLAS.LoadError(path: path, reason: "has no dnnl_sgemm")
        }
        let sgemm = unsafeBitCast(sgemmPointer, to: SgemmFunction.self)
        let bf16 = dlsym(handle, "dnnl_gemm_bf16bf16f32").map { unsafeBitCast($0, to: BF16GemmFunction.self) }
        var version = "?"
        if let pointer = dlsym(handle, "dnnl_version"),
           let info = unsafeBitCast(pointer, to: VersionFunction.self)() {
            // dnnl_version_t starts with three ints: major, minor, patch.
            let numbers = info.assumingMemoryBound(to: Int32.self)
            version = "\(numbers[0]).\(numbers[1]).\(numbers[2])"
        }
        var isa: String?
        if let pointer = dlsym(handle, "dnnl_get_effective_cpu_isa") {
            isa = isaName(unsafeBitCast(pointer, to: ISAFunction.self)())
        }
        let library = OneDNN(path: path, handle: handle, sgemm: sgemm, bf16: bf16, version: version, isa: isa)
        if let problem = library.selfCheck() {
            throw BLAS.LoadError(path: path, reason: "self-check of dnnl_sgemm failed (\(problem))")
        }
        return library
    }

    /// The name of a `dnnl_cpu_isa_t` value (oneDNN 2.x numbering).
    static func isaName(_ value: UInt32) -> String? {
        switch value {
        case 0x1: return "sse41"
        case 0x3: return "avx"
        case 0x7: return "avx2"
        case 0x407: return "avx2_vnni"
        case 0xf: return "avx512_mic"
        case 0x1f: return "avx512_mic_4ops"
        case 0x27: return "avx512_core"
        case 0x67: return "avx512_core_vnni"
        case 0xe7: return "avx512_core_bf16"
        case 0x3e7: return "avx512_core_amx"
        default: return nil
        }
    }

    /// Compares `dnnl_sgemm` with the Swift fallback on 37×29×23 products with every transpose
    /// combination and padded leading dimensions; returns the first disagreement.
    func selfCheck() -> String? {
        GEMMSelfCheck.firstDisagreement(m: 37, n: 29, k: 23) { transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc in
            sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                  a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
    }
}
