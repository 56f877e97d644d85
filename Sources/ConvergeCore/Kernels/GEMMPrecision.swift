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
        gemmBFloat16(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                     a: .float32(a), lda: lda, b: .float32(b), ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// `C = alpha · op(A) · op(B) + beta · C` in bfloat16 with float32 accumulation, where each
    /// of A and B is float32 (rounded to bfloat16 into a scratch buffer first) or already
    /// bfloat16 (used as it is, with no conversion: a weight cast once per step, an activation
    /// stored in bfloat16). Layout and leading dimensions as in
    /// ``gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``. Without native bfloat16
    /// products (see ``hasNativeBFloat16GEMM``), or where the float32 GEMM measured faster for
    /// this size (``BFloat16GEMMChoice``), the same rounded values are multiplied in float32.
    /// Pass `choosingBySize: false` inside ``forEachBatchRange(_:parallel:_:)``: there each worker
    /// runs oneDNN on its own thread, and the float32 way would start a multithreaded library
    /// from every worker at once.
    public static func gemmBFloat16(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                                    a: GEMMOperand, lda: Int, b: GEMMOperand, ldb: Int,
                                    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
                                    choosingBySize: Bool = true) {
        checkGEMMArguments(transA: transA, transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
        if m == 0 || n == 0 { return }
        if k == 0 {
            scaleMatrix(c, rows: m, columns: n, ld: ldc, by: beta)
            return
        }
        let aRows = transA ? k : m, aColumns = transA ? m : k
        let bRows = transB ? n : k, bColumns = transB ? k : n
        let pool = BufferPool.shared
        var scratch: [(UnsafeMutablePointer<Float>, Int)] = []
        defer { for (pointer, capacity) in scratch { pool.give(pointer, capacity: capacity) } }
        var nativeFailed = false
        if hasNativeBFloat16GEMM, !choosingBySize || BFloat16GEMMChoice.usesNativeInstructions(m: m, n: n, k: k),
           let library = OneDNN.shared {
            // Float32 operands are packed into bfloat16 scratch (rebound to Float before it goes
            // back to the pool).
            func bits(_ operand: GEMMOperand, rows: Int, columns: Int, ld: Int) -> (UnsafePointer<UInt16>, Int) {
                switch operand {
                case .bfloat16(let p): return (p, ld)
                case .float32(let p):
                    let (buffer, capacity) = pool.take((rows * columns + 1) / 2)
                    let packed = UnsafeMutableRawPointer(buffer).bindMemory(to: UInt16.self, capacity: capacity * 2)
                    packBFloat16(p, rows: rows, columns: columns, ld: ld, into: packed)
                    scratch.append((buffer, capacity))
                    return (UnsafePointer(packed), columns)
                }
            }
            let (pa, packedLDA) = bits(a, rows: aRows, columns: aColumns, ld: lda)
            let (pb, packedLDB) = bits(b, rows: bRows, columns: bColumns, ld: ldb)
            GEMMDispatch.shared.recordBFloat16(transA: transA, transB: transB, m: m, n: n, k: k, library: library)
            let done = library.splitGemmBF16(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                                             a: pa, lda: packedLDA, b: pb, ldb: packedLDB, beta: beta, c: c, ldc: ldc)
            for (buffer, capacity) in scratch {
                _ = UnsafeMutableRawPointer(buffer).bindMemory(to: Float.self, capacity: capacity)
            }
            if done { return }
            nativeFailed = true
        }
        // Here by choice (the float32 GEMM measured faster for this class) or for lack of
        // bfloat16 instructions; only the second deserves the notice.
        if !hasNativeBFloat16GEMM || nativeFailed { _ = bfloat16EmulationNotice }
        func floats(_ operand: GEMMOperand, rows: Int, columns: Int, ld: Int) -> UnsafePointer<Float> {
            let (buffer, capacity) = pool.take(rows * columns)
            scratch.append((buffer, capacity))
            switch operand {
            case .float32(let p): packRoundedToBFloat16(p, rows: rows, columns: columns, ld: ld, into: buffer)
            case .bfloat16(let p):
                for i in 0..<rows { convertFromBFloat16Serial(p + i * ld, buffer + i * columns, count: columns) }
            }
            return UnsafePointer(buffer)
        }
        let fa = floats(a, rows: aRows, columns: aColumns, ld: lda)
        let fb = floats(b, rows: bRows, columns: bColumns, ld: ldb)
        gemmFloat32(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                    a: fa, lda: aColumns, b: fb, ldb: bColumns, beta: beta, c: c, ldc: ldc, bfloat16Values: true)
    }
}

/// One operand of ``Kernels/gemmBFloat16(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``:
/// float32 values (rounded to bfloat16 on the way in) or bfloat16 bit patterns.
public enum GEMMOperand {
    /// float32 values.
    case float32(UnsafePointer<Float>)
    /// bfloat16 bit patterns.
    case bfloat16(UnsafePointer<UInt16>)
}
