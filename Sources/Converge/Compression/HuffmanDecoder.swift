/// A canonical Huffman code (RFC 1951 §3.2.2) decoded through one lookup table indexed by the
/// next `maximumLength` input bits.
///
/// The code is built from the code length of each symbol (0 = unused). Codes are assigned in
/// order of length, then of symbol, and the table stores them bit-reversed because DEFLATE
/// packs Huffman codes starting with their most significant bit.
struct HuffmanDecoder {
    /// Length of the longest code; the table has `1 << maximumLength` entries.
    private let maximumLength: Int
    /// For each `maximumLength`-bit window: `symbol << 4 | codeLength`, or 0 where no code fits.
    private let table: [UInt16]

    /// What a set of code lengths may leave unassigned.
    enum Completeness {
        /// Every bit pattern must decode (the code-length code).
        case complete
        /// As zlib accepts for literal/length and distance codes: no codes at all, or a single
        /// code of length 1; anything else must be complete.
        case allowSingleCode
    }

    /// Builds the decoder; `offset` is only used in error messages.
    init(codeLengths: [Int], completeness: Completeness, name: String, offset: Int) throws {
        var countPerLength = [Int](repeating: 0, count: 16)
        for length in codeLengths {
            guard length >= 0 && length <= 15 else {
                throw CompressionError.invalidCodeLengths("\(name) code length \(length) is out of range", offset: offset)
            }
            countPerLength[length] += 1
        }
        countPerLength[0] = 0
        let longest = countPerLength.lastIndex { $0 > 0 } ?? 0

        // Kraft inequality: count the codes still free at each length.
        var free = 1
        for length in 1...15 {
            free = free * 2 - countPerLength[length]
            if free < 0 {
                throw CompressionError.invalidCodeLengths("\(name) code is over-subscribed", offset: offset)
            }
        }
        if free > 0 {
            let allowed = completeness == .allowSingleCode && longest <= 1
            if !allowed {
                throw CompressionError.invalidCodeLengths("\(name) code is incomplete", offset: offset)
            }
        }

        // First code of each length (RFC 1951 §3.2.2, step 2).
        var nextCode = [Int](repeating: 0, count: 16)
        var code = 0
        for length in 1..<16 {
            code = (code + countPerLength[length - 1]) << 1
            nextCode[length] = code
        }

        maximumLength = max(longest, 1)
        var table = [UInt16](repeating: 0, count: 1 << maximumLength)
        for (symbol, length) in codeLengths.enumerated() where length > 0 {
            let reversed = Self.reverse(nextCode[length], bits: length)
            nextCode[length] += 1
            let entry = UInt16(symbol << 4 | length)
            var index = reversed
            while index < table.count {
                table[index] = entry
                index += 1 << length
            }
        }
        self.table = table
    }

    /// The low `bits` bits of `value` in reverse order.
    private static func reverse(_ value: Int, bits: Int) -> Int {
        var result = 0
        var v = value
        for _ in 0..<bits {
            result = (result << 1) | (v & 1)
            v >>= 1
        }
        return result
    }

    /// Reads one symbol.
    @inline(__always)
    func decode(_ reader: inout BitReader, name: String) throws -> Int {
        let (bits, available) = reader.peek(maximumLength)
        let entry = Int(table[bits])
        let length = entry & 15
        if length == 0 {
            if available < maximumLength { throw CompressionError.truncated(offset: reader.bytes.count) }
            throw CompressionError.invalidCode("bits match no \(name) code", offset: reader.byteOffset)
        }
        if length > available { throw CompressionError.truncated(offset: reader.bytes.count) }
        reader.consume(length)
        return entry >> 4
    }
}
