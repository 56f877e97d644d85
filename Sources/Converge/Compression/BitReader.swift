/// Reads a byte array as the little-endian bit stream of RFC 1951: bits are taken from each
/// byte starting with the least significant one, and multi-bit fields are packed low bit first.
struct BitReader {
    /// The whole input.
    let bytes: [UInt8]
    /// Index of the next byte not yet moved into ``buffer``.
    private(set) var position: Int
    /// Bits read ahead, the next one in bit 0.
    private var buffer: UInt64 = 0
    /// Number of valid bits in ``buffer``.
    private var bufferedCount = 0

    /// Starts reading `bytes` at byte index `start`.
    init(_ bytes: [UInt8], startingAt start: Int = 0) {
        self.bytes = bytes
        self.position = start
    }

    /// Index of the byte holding the next unread bit (for error messages and for finding where
    /// a stream ended once it is byte-aligned).
    var byteOffset: Int { position - bufferedCount / 8 }

    /// Moves whole bytes into the buffer until it holds more than 56 bits or the input ends.
    @inline(__always)
    private mutating func refill() {
        while bufferedCount <= 56 && position < bytes.count {
            buffer |= UInt64(bytes[position]) << UInt64(bufferedCount)
            position += 1
            bufferedCount += 8
        }
    }

    /// Reads an `count`-bit field (0 ≤ count ≤ 32), low bit first.
    @inline(__always)
    mutating func read(_ count: Int) throws -> Int {
        if bufferedCount < count {
            refill()
            if bufferedCount < count { throw CompressionError.truncated(offset: bytes.count) }
        }
        let value = Int(buffer & ((1 << UInt64(count)) - 1))
        buffer >>= UInt64(count)
        bufferedCount -= count
        return value
    }

    /// The next `count` bits without consuming them, zero-padded past the end of the input, and
    /// how many of them are real input bits.
    @inline(__always)
    mutating func peek(_ count: Int) -> (bits: Int, available: Int) {
        if bufferedCount < count { refill() }
        return (Int(buffer & ((1 << UInt64(count)) - 1)), min(count, bufferedCount))
    }

    /// Drops `count` bits that ``peek(_:)`` showed were available.
    @inline(__always)
    mutating func consume(_ count: Int) {
        buffer >>= UInt64(count)
        bufferedCount -= count
    }

    /// Skips to the next byte boundary.
    mutating func alignToByte() {
        consume(bufferedCount % 8)
    }

    /// Appends the next `count` whole bytes to `output`; the reader must be byte-aligned.
    mutating func copyBytes(_ count: Int, into output: inout [UInt8]) throws {
        precondition(bufferedCount % 8 == 0, "BitReader.copyBytes: reader is not byte-aligned")
        var remaining = count
        while remaining > 0 && bufferedCount > 0 {
            output.append(UInt8(truncatingIfNeeded: buffer))
            consume(8)
            remaining -= 1
        }
        guard remaining <= bytes.count - position else { throw CompressionError.truncated(offset: bytes.count) }
        output.append(contentsOf: bytes[position..<(position + remaining)])
        position += remaining
    }
}
