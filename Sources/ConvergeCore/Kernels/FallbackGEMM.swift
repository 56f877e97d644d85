import Foundation

extension Kernels {
    /// Pure-Swift GEMM used when no system BLAS is available; same contract as
    /// ``Kernels/gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``.
    ///
    /// A cache-blocked, packed GEMM: op(B) is packed in `kc × nc` panels shared by all workers,
    /// op(A) in `mc × kc` blocks per worker (each element stored 4 times, so that the micro-kernel
    /// multiplies by it without a shuffle), and a 6×8 register-blocked micro-kernel built on
    /// `SIMD4<Float>` (the baseline x86-64 and arm64 vector width) accumulates each tile. Blocks
    /// are spread over ``Parallel/threadCount`` workers for products above about half a million
    /// multiply-adds. A single-row or single-column C takes a matrix–vector path instead.
    /// Results match a naive loop to float32 rounding (sums run in a different order).
    public static func fallbackGEMM(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                                    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        checkGEMMArguments(transA: transA, transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
        if m == 0 || n == 0 { return }
        if k == 0 || alpha == 0 {
            scaleMatrix(c, rows: m, columns: n, ld: ldc, by: beta)
            return
        }
        if m == 1 || n == 1 {
            FallbackGEMV.multiply(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                                  a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        let job = FallbackGEMMJob(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                                  a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        job.run()
    }
}

/// Block sizes of the fallback GEMM.
enum FallbackGEMMBlocking {
    /// Rows of a micro-tile (rows of op(A) per packed panel).
    static let mr = 6
    /// Columns of a micro-tile (columns of op(B) per packed panel).
    static let nr = 8
    /// Depth of a packed block: a 6×kc A panel (broadcast ×4) and an 8×kc B panel fit in L1/L2.
    static var kc = 256
    /// Rows of op(A) per packed block (a multiple of `mr`); the block stays in L2.
    static var mc = 72
    /// Columns of op(B) per packed panel (a multiple of `nr`); the panel stays in L3.
    static var nc = 2048
    /// Multiply-adds (m·n·k) from which the work is spread over several threads.
    static var parallelThreshold = 1 << 19
}

/// One fallback GEMM call: the operands, the packing buffers and the work queue.
final class FallbackGEMMJob {
    typealias Blocking = FallbackGEMMBlocking
    let transA: Bool, transB: Bool
    let m: Int, n: Int, k: Int
    let alpha: Float, beta: Float
    let a: UnsafePointer<Float>, lda: Int
    let b: UnsafePointer<Float>, ldb: Int
    let c: UnsafeMutablePointer<Float>, ldc: Int
    let kc: Int, mc: Int, nc: Int
    let workers: Int

    /// Packed op(B) panel for the current (jc, pc) block: `nr`-column panels of `kc × nr` floats.
    let packedB: UnsafeMutablePointer<Float>
    /// One packed op(A) block per worker: `mr`-row panels of `kc × mr` broadcast elements.
    let packedA: [UnsafeMutablePointer<SIMD4<Float>>]

    private let lock = NSLock()
    private var nextItem = 0

    init(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
         a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
         beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        (self.transA, self.transB, self.m, self.n, self.k) = (transA, transB, m, n, k)
        (self.alpha, self.beta) = (alpha, beta)
        (self.a, self.lda, self.b, self.ldb, self.c, self.ldc) = (a, lda, b, ldb, c, ldc)
        let mr = Blocking.mr, nr = Blocking.nr
        kc = Swift.min(Blocking.kc, k)
        nc = Swift.min(Blocking.nc, (n + nr - 1) / nr * nr)
        let threads = Parallel.threadCount
        let work = Double(m) * Double(n) * Double(k)
        workers = threads > 1 && work >= Double(Blocking.parallelThreshold) ? threads : 1
        // With several workers, small m gets smaller blocks so that every worker has rows to do.
        var rowsPerBlock = Swift.min(Blocking.mc, (m + mr - 1) / mr * mr)
        if workers > 1 {
            let share = ((m + workers - 1) / workers + mr - 1) / mr * mr
            rowsPerBlock = Swift.max(mr, Swift.min(rowsPerBlock, share))
        }
        mc = rowsPerBlock
        // 64-byte alignment: the micro-kernel uses aligned 16-byte loads from both buffers.
        packedB = UnsafeMutableRawPointer.allocate(byteCount: kc * nc * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: kc * nc)
        let packedACount = kc * rowsPerBlock
        packedA = (0..<workers).map { _ in
            UnsafeMutableRawPointer.allocate(byteCount: packedACount * 16, alignment: 64)
                .bindMemory(to: SIMD4<Float>.self, capacity: packedACount)
        }
    }

    deinit {
        UnsafeMutableRawPointer(packedB).deallocate()
        for buffer in packedA { UnsafeMutableRawPointer(buffer).deallocate() }
    }

    func run() {
        let mr = Blocking.mr, nr = Blocking.nr
        let rowBlocks = (m + mc - 1) / mc
        for jc in stride(from: 0, to: n, by: nc) {
            let ncCur = Swift.min(nc, n - jc)
            let panels = (ncCur + nr - 1) / nr
            // When there are fewer row blocks than workers can share, split the columns too
            // (each item then packs its A block itself; A blocks are small in that case).
            let targetItems = workers == 1 ? 1 : workers * 3
            let columnGroups = Swift.min(panels, Swift.max(1, (targetItems + rowBlocks - 1) / rowBlocks))
            let items = rowBlocks * columnGroups
            for pc in stride(from: 0, to: k, by: kc) {
                let kcCur = Swift.min(kc, k - pc)
                let betaCur: Float = pc == 0 ? beta : 1
                // Pack op(B)[pc..., jc...] — every worker packs an equal share of the panels.
                let packWorkers = Swift.min(workers, panels)
                Parallel.forWorkers(packWorkers) { w in
                    let start = panels * w / packWorkers, end = panels * (w + 1) / packWorkers
                    self.packB(jc: jc, columns: ncCur, pc: pc, depth: kcCur, panels: start..<end)
                }
                nextItem = 0
                Parallel.forWorkers(Swift.min(workers, items)) { w in
                    let buffer = self.packedA[w]
                    while let item = self.takeItem(below: items) {
                        let block = item / columnGroups, group = item % columnGroups
                        let ic = block * self.mc
                        let rows = Swift.min(self.mc, self.m - ic)
                        self.packA(ic: ic, rows: rows, pc: pc, depth: kcCur, into: buffer)
                        let firstPanel = panels * group / columnGroups
                        let lastPanel = panels * (group + 1) / columnGroups
                        for q in firstPanel..<lastPanel {
                            let j0 = jc + q * nr
                            let cols = Swift.min(nr, jc + ncCur - j0)
                            let bPanel = UnsafeRawPointer(self.packedB + q * kcCur * nr)
                            for panel in 0..<(rows + mr - 1) / mr {
                                let i0 = ic + panel * mr
                                let aPanel = UnsafeRawPointer(buffer + panel * kcCur * mr)
                                FallbackGEMMJob.multiplyTile(depth: kcCur, a: aPanel, b: bPanel,
                                                             c: self.c + i0 * self.ldc + j0, ldc: self.ldc,
                                                             rows: Swift.min(mr, ic + rows - i0), columns: cols,
                                                             alpha: self.alpha, beta: betaCur)
                            }
                        }
                    }
                }
            }
        }
    }

    private func takeItem(below count: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard nextItem < count else { return nil }
        nextItem += 1
        return nextItem - 1
    }

    /// Packs rows `ic..<ic+rows`, depth `pc..<pc+depth` of op(A) into `mr`-row panels, each
    /// element broadcast into a `SIMD4`, rows past the end zero.
    func packA(ic: Int, rows: Int, pc: Int, depth: Int, into buffer: UnsafeMutablePointer<SIMD4<Float>>) {
        let mr = Blocking.mr
        for panel in 0..<(rows + mr - 1) / mr {
            let r0 = ic + panel * mr
            let live = Swift.min(mr, ic + rows - r0)
            let d = buffer + panel * depth * mr
            if transA {
                for p in 0..<depth {
                    let src = a + (pc + p) * lda + r0
                    let dp = d + p * mr
                    for i in 0..<live { dp[i] = SIMD4(repeating: src[i]) }
                }
            } else {
                for i in 0..<live {
                    let src = a + (r0 + i) * lda + pc
                    for p in 0..<depth { d[p * mr + i] = SIMD4(repeating: src[p]) }
                }
            }
            if live < mr {
                for p in 0..<depth { for i in live..<mr { d[p * mr + i] = .zero } }
            }
        }
    }

    /// Packs `nr`-column panels `panels` of op(B)[pc..<pc+depth, jc..<jc+columns], columns past
    /// the end zero.
    func packB(jc: Int, columns: Int, pc: Int, depth: Int, panels: Range<Int>) {
        let nr = Blocking.nr
        for q in panels {
            let j0 = jc + q * nr
            let live = Swift.min(nr, jc + columns - j0)
            let d = packedB + q * depth * nr
            if transB {
                for j in 0..<live {
                    let src = b + (j0 + j) * ldb + pc
                    for p in 0..<depth { d[p * nr + j] = src[p] }
                }
                if live < nr {
                    for p in 0..<depth { for j in live..<nr { d[p * nr + j] = 0 } }
                }
            } else if live == nr {
                for p in 0..<depth {
                    let row = UnsafeRawPointer(b + (pc + p) * ldb + j0).loadUnaligned(as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(d + p * nr).storeBytes(of: row, as: SIMD8<Float>.self)
                }
            } else {
                for p in 0..<depth {
                    let src = b + (pc + p) * ldb + j0
                    for j in 0..<live { d[p * nr + j] = src[j] }
                    for j in live..<nr { d[p * nr + j] = 0 }
                }
            }
        }
    }

    /// The 6×8 micro-kernel: `C[rows×columns] = alpha · (Ã · B̃) + beta · C` for one tile, where
    /// Ã is a packed A panel (`depth` steps of 6 broadcast `SIMD4`s) and B̃ a packed B panel
    /// (`depth` steps of 8 floats). `beta == 0` does not read C.
    @inline(__always)
    static func multiplyTile(depth: Int, a: UnsafeRawPointer, b: UnsafeRawPointer,
                             c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int,
                             alpha: Float, beta: Float) {
        typealias V = SIMD4<Float>
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V()
        var c30 = V(), c31 = V(), c40 = V(), c41 = V(), c50 = V(), c51 = V()
        var pa = a, pb = b
        for _ in 0..<depth {
            let b0 = pb.load(as: V.self), b1 = pb.load(fromByteOffset: 16, as: V.self)
            var x = pa.load(as: V.self)
            c00 += x * b0; c01 += x * b1
            x = pa.load(fromByteOffset: 16, as: V.self)
            c10 += x * b0; c11 += x * b1
            x = pa.load(fromByteOffset: 32, as: V.self)
            c20 += x * b0; c21 += x * b1
            x = pa.load(fromByteOffset: 48, as: V.self)
            c30 += x * b0; c31 += x * b1
            x = pa.load(fromByteOffset: 64, as: V.self)
            c40 += x * b0; c41 += x * b1
            x = pa.load(fromByteOffset: 80, as: V.self)
            c50 += x * b0; c51 += x * b1
            pa += 96
            pb += 32
        }
        let acc = (c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51)
        if rows == 6 && columns == 8 {
            withUnsafeBytes(of: acc) { tile in
                for i in 0..<6 {
                    let row = UnsafeMutableRawPointer(c + i * ldc)
                    let t0 = tile.load(fromByteOffset: i * 32, as: V.self)
                    let t1 = tile.load(fromByteOffset: i * 32 + 16, as: V.self)
                    if beta == 0 {
                        row.storeBytes(of: alpha * t0, as: V.self)
                        row.storeBytes(of: alpha * t1, toByteOffset: 16, as: V.self)
                    } else if beta == 1 {
                        row.storeBytes(of: alpha * t0 + row.loadUnaligned(as: V.self), as: V.self)
                        row.storeBytes(of: alpha * t1 + row.loadUnaligned(fromByteOffset: 16, as: V.self),
                                       toByteOffset: 16, as: V.self)
                    } else {
                        row.storeBytes(of: alpha * t0 + beta * row.loadUnaligned(as: V.self), as: V.self)
                        row.storeBytes(of: alpha * t1 + beta * row.loadUnaligned(fromByteOffset: 16, as: V.self),
                                       toByteOffset: 16, as: V.self)
                    }
                }
            }
        } else {
            withUnsafeBytes(of: acc) { raw in
                let tile = raw.bindMemory(to: Float.self)
                for i in 0..<rows {
                    let row = c + i * ldc
                    for j in 0..<columns {
                        let v = alpha * tile[i * 8 + j]
                        row[j] = beta == 0 ? v : v + beta * row[j]
                    }
                }
            }
        }
    }
}
