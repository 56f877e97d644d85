import ConvergeCore
import Dispatch

/// Many tensors walked as one loop: the optimizer update and the gradient norm run over all
/// parameters in one pass, split into blocks that the cores share by element count, instead of
/// one loop (and one thread hand-off) per tensor.
///
/// Each tensor ("segment") is cut into blocks of ``blockSize`` elements (the last block of a
/// segment may be shorter). Blocks start at multiples of 8 within their segment, so an 8-wide
/// kernel run block by block takes exactly the vector and scalar steps it takes over the whole
/// tensor, and every element gets the same bits. Below ``Parallel/elementwiseThreshold`` elements
/// in all, the pass runs on the calling thread.
///
/// The arrays are kept between passes (``reset(counts:)`` reuses their capacity), so a training
/// step allocates nothing per tensor.
struct MultiTensorPass {
    /// Elements per block: 8K floats (32 KiB), which stay in L1/L2 between the norm and the
    /// update of one block, and small enough that the threads' shares of a model of a few
    /// tensors come out even (with 32K-element blocks, the StreamRec model's 74K parameters
    /// split 66K : 8K over two threads).
    static let blockSize = 1 << 13

    /// One block: elements `start ..< end` of segment `segment`.
    struct Block {
        var segment: Int
        var start: Int
        var end: Int
    }

    /// The blocks, segment by segment.
    private(set) var blocks: [Block] = []
    /// The element count of each segment.
    private(set) var counts: [Int] = []
    /// Elements over all segments.
    private(set) var totalCount = 0
    /// Per thread, the first block it runs (one more entry: the end).
    private var boundaries: [Int] = []

    /// Lays out segments of the given element counts.
    mutating func reset<C: Collection>(counts newCounts: C) where C.Element == Int {
        blocks.removeAll(keepingCapacity: true)
        counts.removeAll(keepingCapacity: true)
        totalCount = 0
        for (s, n) in newCounts.enumerated() {
            counts.append(n)
            totalCount += n
            var start = 0
            while start < n {
                let end = min(n, start + Self.blockSize)
                blocks.append(Block(segment: s, start: start, end: end))
                start = end
            }
        }
        // Balance threads by elements: thread t starts at the first block whose first element
        // lies at or after t/T of the total.
        let threads = Parallel.threadCount
        boundaries.removeAll(keepingCapacity: true)
        boundaries.append(0)
        if threads > 1 {
            var offset = 0, t = 1
            for (b, block) in blocks.enumerated() {
                while t < threads && offset >= t * totalCount / threads {
                    boundaries.append(b)
                    t += 1
                }
                offset += block.end - block.start
            }
            while boundaries.count < threads { boundaries.append(blocks.count) }
        }
        boundaries.append(blocks.count)
    }

    /// Calls `body(blockIndex, block)` for every block, on all cores when the pass is at least
    /// `threshold` elements (each block exactly once; blocks of one thread in order).
    func run(threshold: Int = Parallel.elementwiseThreshold, _ body: (Int, Block) -> Void) {
        let chunks = boundaries.count - 1
        if totalCount < threshold || chunks < 2 {
            for (b, block) in blocks.enumerated() { body(b, block) }
            return
        }
        blocks.withUnsafeBufferPointer { blocks in
            boundaries.withUnsafeBufferPointer { bounds in
                Parallel.run(chunks, threads: chunks) { c in
                    for b in bounds[c]..<bounds[c + 1] { body(b, blocks[b]) }
                }
            }
        }
    }
}

/// The gradient norm over many tensors, block by block: each block's eight double-precision lane
/// sums, combined per tensor in block order, then the scalar tail, as ``gradNorm(_:normType:)``
/// has always summed one tensor (up to the order in which the double lanes of blocks are added,
/// which moves the float32 result only in the rare case where the double sum lies within about
/// 2⁻²⁹ of a float32 rounding boundary; a tensor of at most one block is summed exactly as before).
struct BlockNorms {
    /// The norm's order: 1 or 2.
    let p: Double
    /// Per block, the eight lane sums of its whole groups of 8 elements.
    private(set) var lanes: [SIMD8<Double>] = []

    init(p: Double) {
        precondition(p == 1 || p == 2, "BlockNorms: p = \(p) (1 or 2 only)")
        self.p = p
    }

    /// Makes room for `count` blocks.
    mutating func reset(blockCount count: Int) {
        lanes.removeAll(keepingCapacity: true)
        lanes.append(contentsOf: repeatElement(SIMD8<Double>(repeating: 0), count: count))
    }

    /// The lane sums of `x[start ..< end]`'s whole groups of 8 (`start` a multiple of 8): squares
    /// through the C kernel (``Kernels/laneSumsOfSquares(_:from:to:)``, AVX-512 where available,
    /// the same sums in the same order), absolute values here.
    @inline(__always)
    static func laneSums(_ x: UnsafePointer<Float>, from start: Int, to end: Int, p: Double) -> SIMD8<Double> {
        if p == 2 { return Kernels.laneSumsOfSquares(x, from: start, to: end) }
        var sums = SIMD8<Double>(repeating: 0)
        var i = start
        while i + 8 <= end {
            let v = SIMD8<Double>(UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self))
            sums += v.replacing(with: -v, where: v .< 0)
            i += 8
        }
        return sums
    }

    /// The norm of segment `segment` (`count` elements at `x`) from its blocks `blocks`.
    func norm(_ x: UnsafePointer<Float>, count: Int, blocks: Range<Int>) -> Float {
        var sums = SIMD8<Double>(repeating: 0)
        for b in blocks { sums += lanes[b] }
        var sum = sums.sum()
        var i = count - count % 8
        while i < count {
            let a = Double(x[i])
            sum += p == 2 ? a * a : abs(a)
            i += 1
        }
        return Float(p == 2 ? sum.squareRoot() : sum)
    }

    /// Records block `b`'s lane sums. Blocks are distinct per call, so threads may record
    /// different blocks at once through `storage`.
    @inline(__always)
    static func record(_ storage: UnsafeMutablePointer<SIMD8<Double>>, _ b: Int, _ x: UnsafePointer<Float>,
                       _ block: MultiTensorPass.Block, p: Double) {
        storage[b] = laneSums(x, from: block.start, to: block.end, p: p)
    }

    /// Runs `body` with the lane storage for concurrent ``record(_:_:_:_:p:)`` calls.
    mutating func withStorage<R>(_ body: (UnsafeMutablePointer<SIMD8<Double>>) -> R) -> R {
        if lanes.isEmpty { lanes.append(SIMD8<Double>(repeating: 0)) }
        return lanes.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }
}
