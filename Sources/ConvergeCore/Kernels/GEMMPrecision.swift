import Foundation

/// The arithmetic ``Kernels/gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`` runs in.
public enum GEMMPrecision: String, Sendable {
    /// float32 inputs and accumulation.
    case float32
    /// Inputs rounded to bfloat16, products accumulated in float32 (PyTorch's CPU autocast):
    /// oneDNN's `dnnl_gemm_bf16bf16f32` on a processor with AVX512-BF16 or AMX, otherwise
    /// emulated (inputs rounded to bfloat16 values, multiplied in float32) after one notice.
    case bfloat16
}

extension Kernels {
    /// The precision of the products computed now. Set it with ``withGEMMPrecision(_:_:)``;
    /// the graph records it with each op, and the backward pass runs each op's products in the
    /// precision its forward pass used.
    public internal(set) static var gemmPrecision: GEMMPrecision = .float32

    /// Runs `body` with ``gemmPrecision`` set to `precision`.
    @inline(__always)
    public static func withGEMMPrecision<R>(_ precision: GEMMPrecision, _ body: () throws -> R) rethrows -> R {
        let previous = gemmPrecision
        gemmPrecision = precision
        defer { gemmPrecision = previous }
        return try body()
    }

    /// Whether bfloat16 products run on bfloat16 hardware here (oneDNN is loaded, has its bf16
    /// GEMM, and uses AVX512-BF16 or AMX kernels on this processor).
    public static var hasNativeBFloat16GEMM: Bool {
        guard let library = OneDNN.shared else { return false }
        return library.hasBF16GEMM && library.hasNativeBF16
    }

    /// Why bfloat16 products are emulated here, or `nil` when they are not.
    public static var bfloat16EmulationReason: String? {
        guard let library = OneDNN.shared else { return "oneDNN (libdnnl2) is not installed" }
        if !library.hasBF16GEMM { return "\(library.name) has no dnnl_gemm_bf16bf16f32" }
        if !library.hasNativeBF16 { return "this processor has no bfloat16 instructions (AVX512-BF16 or AMX)" }
        return nil
    }

    /// Printed once, at the first emulated bfloat16 product.
    private static let bfloat16EmulationNotice: Void = {
        let reason = bfloat16EmulationReason ?? "the bfloat16 GEMM failed"
        fputs("converge: \(reason); bfloat16 products are emulated in float32 (same rounding, no speed-up)\n", stderr)
    }()

    /// The bfloat16 product: op(A) and op(B) rounded to bfloat16, accumulated in float32.
    static func gemmBFloat16(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                             a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let aRows = transA ? k : m, aColumns = transA ? m : k
        let bRows = transB ? n : k, bColumns = transB ? k : n
        let pool = BufferPool.shared
        if hasNativeBFloat16GEMM, let library = OneDNN.shared {
            let (aBuffer, aCapacity) = pool.take((aRows * aColumns + 1) / 2)
            let (bBuffer, bCapacity) = pool.take((bRows * bColumns + 1) / 2)
            defer {
                pool.give(aBuffer, capacity: aCapacity)
                pool.give(bBuffer, capacity: bCapacity)
            }
            let pa = UnsafeMutableRawPointer(aBuffer).bindMemory(to: UInt16.self, capacity: aCapacity * 2)
            let pb = UnsafeMutableRawPointer(bBuffer).bindMemory(to: UInt16.self, capacity: bCapacity * 2)
            packBFloat16(a, rows: aRows, columns: aColumns, ld: lda, into: pa)
            packBFloat16(b, rows: bRows, columns: bColumns, ld: ldb, into: pb)
            let done = library.gemmBF16(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                                        a: pa, lda: aColumns, b: pb, ldb: bColumns, beta: beta, c: c, ldc: ldc)
            // Rebind before the buffers go back to the float pool.
            _ = UnsafeMutableRawPointer(aBuffer).bindMemory(to: Float.self, capacity: aCapacity)
            _ = UnsafeMutableRawPointer(bBuffer).bindMemory(to: Float.self, capacity: bCapacity)
            if done { return }
        }
        _ = bfloat16EmulationNotice
        let (aBuffer, aCapacity) = pool.take(aRows * aColumns)
        let (bBuffer, bCapacity) = pool.take(bRows * bColumns)
        defer {
            pool.give(aBuffer, capacity: aCapacity)
            pool.give(bBuffer, capacity: bCapacity)
        }
        packRoundedToBFloat16(a, rows: aRows, columns: aColumns, ld: lda, into: aBuffer)
        packRoundedToBFloat16(b, rows: bRows, columns: bColumns, ld: ldb, into: bBuffer)
        gemmFloat32(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                    a: aBuffer, lda: aColumns, b: bBuffer, ldb: bColumns, beta: beta, c: c, ldc: ldc)
    }
}
