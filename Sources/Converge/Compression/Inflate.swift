/// A decoder for raw DEFLATE streams (RFC 1951): stored, fixed-Huffman and dynamic-Huffman
/// blocks, written in plain Swift.
///
/// ```swift
/// let text = try Inflate.decompress(deflatedBytes)
/// ```
///
/// Use ``Gzip`` for `.gz` files, which wrap a DEFLATE stream in a header and a checksummed
/// trailer. Corrupt input throws a ``CompressionError`` naming the byte offset.
public enum Inflate {
    /// Decompresses a complete raw DEFLATE stream. Bytes after the final block are ignored.
    public static func decompress(_ bytes: [UInt8]) throws -> [UInt8] {
        var output: [UInt8] = []
        _ = try decompress(bytes, startingAt: 0, appendingTo: &output)
        return output
    }

    /// Decodes the DEFLATE stream that starts at byte `start` of `bytes`, appending to `output`
    /// (whose existing bytes are *not* visible to back-references), and returns the index of the
    /// first byte after the stream.
    public static func decompress(_ bytes: [UInt8], startingAt start: Int, appendingTo output: inout [UInt8]) throws -> Int {
        var reader = BitReader(bytes, startingAt: start)
        let base = output.count
        output.reserveCapacity(base + bytes.count * 4)
        var isFinal = false
        while !isFinal {
            let headerOffset = reader.byteOffset
            isFinal = try reader.read(1) == 1
            switch try reader.read(2) {
            case 0:
                try copyStoredBlock(&reader, into: &output)
            case 1:
                try decodeBlock(&reader, literals: fixedLiteralDecoder, distances: fixedDistanceDecoder, into: &output, base: base)
            case 2:
                let (literals, distances) = try readDynamicCodes(&reader)
                try decodeBlock(&reader, literals: literals, distances: distances, into: &output, base: base)
            default:
                throw CompressionError.invalidBlockType(offset: headerOffset)
            }
        }
        reader.alignToByte()
        return reader.byteOffset
    }

    /// A stored block: align, LEN, NLEN = ~LEN, then LEN raw bytes.
    private static func copyStoredBlock(_ reader: inout BitReader, into output: inout [UInt8]) throws {
        reader.alignToByte()
        let offset = reader.byteOffset
        let length = try reader.read(16)
        let complement = try reader.read(16)
        guard length == ~complement & 0xFFFF else {
            throw CompressionError.storedLengthMismatch(length: UInt16(length), complement: UInt16(complement), offset: offset)
        }
        try reader.copyBytes(length, into: &output)
    }

    /// Reads the code descriptions at the start of a dynamic block (RFC 1951 §3.2.7).
    private static func readDynamicCodes(_ reader: inout BitReader) throws -> (HuffmanDecoder, HuffmanDecoder) {
        let offset = reader.byteOffset
        let literalCount = try reader.read(5) + 257
        let distanceCount = try reader.read(5) + 1
        let codeLengthCount = try reader.read(4) + 4
        guard literalCount <= 286 else {
            throw CompressionError.invalidCodeLengths("\(literalCount) literal/length codes (at most 286)", offset: offset)
        }
        guard distanceCount <= 30 else {
            throw CompressionError.invalidCodeLengths("\(distanceCount) distance codes (at most 30)", offset: offset)
        }

        var codeLengthLengths = [Int](repeating: 0, count: 19)
        for i in 0..<codeLengthCount {
            codeLengthLengths[codeLengthOrder[i]] = try reader.read(3)
        }
        let codeLengthDecoder = try HuffmanDecoder(codeLengths: codeLengthLengths, completeness: .complete,
                                                   name: "code-length", offset: offset)

        let total = literalCount + distanceCount
        var lengths: [Int] = []
        lengths.reserveCapacity(total)
        while lengths.count < total {
            let symbol = try codeLengthDecoder.decode(&reader, name: "code-length")
            let repeated: Int
            let value: Int
            switch symbol {
            case 0...15:
                lengths.append(symbol)
                continue
            case 16:
                guard let previous = lengths.last else {
                    throw CompressionError.invalidCodeLengths("repeat code 16 with no previous length", offset: reader.byteOffset)
                }
                value = previous
                repeated = 3 + (try reader.read(2))
            case 17:
                value = 0
                repeated = 3 + (try reader.read(3))
            default:
                value = 0
                repeated = 11 + (try reader.read(7))
            }
            guard lengths.count + repeated <= total else {
                throw CompressionError.invalidCodeLengths("repeated lengths run past the \(total) codes", offset: reader.byteOffset)
            }
            lengths.append(contentsOf: repeatElement(value, count: repeated))
        }
        guard lengths[256] > 0 else {
            throw CompressionError.invalidCodeLengths("no code for end-of-block (symbol 256)", offset: offset)
        }
        let literals = try HuffmanDecoder(codeLengths: Array(lengths[0..<literalCount]), completeness: .allowSingleCode,
                                          name: "literal/length", offset: offset)
        let distances = try HuffmanDecoder(codeLengths: Array(lengths[literalCount...]), completeness: .allowSingleCode,
                                           name: "distance", offset: offset)
        return (literals, distances)
    }

    /// Decodes literals and back-references up to the end-of-block symbol.
    private static func decodeBlock(_ reader: inout BitReader, literals: HuffmanDecoder, distances: HuffmanDecoder,
                                    into output: inout [UInt8], base: Int) throws {
        while true {
            let symbol = try literals.decode(&reader, name: "literal/length")
            if symbol < 256 {
                output.append(UInt8(symbol))
                continue
            }
            if symbol == 256 { return }
            let lengthIndex = symbol - 257
            guard lengthIndex < lengthBase.count else {
                throw CompressionError.invalidCode("length symbol \(symbol) is not defined", offset: reader.byteOffset)
            }
            let length = lengthBase[lengthIndex] + (try reader.read(lengthExtraBits[lengthIndex]))
            let distanceSymbol = try distances.decode(&reader, name: "distance")
            guard distanceSymbol < distanceBase.count else {
                throw CompressionError.invalidCode("distance symbol \(distanceSymbol) is not defined", offset: reader.byteOffset)
            }
            let distance = distanceBase[distanceSymbol] + (try reader.read(distanceExtraBits[distanceSymbol]))
            let available = output.count - base
            guard distance <= available else {
                throw CompressionError.distanceTooFar(distance: distance, available: available, offset: reader.byteOffset)
            }
            let from = output.count - distance
            if distance >= length {
                output.append(contentsOf: output[from..<(from + length)])
            } else {
                // Overlapping copy: the source runs into bytes this copy is producing.
                for i in 0..<length { output.append(output[from + i]) }
            }
        }
    }

    /// Order in which code-length code lengths are stored.
    private static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
    /// Match length for symbols 257...285, before extra bits.
    private static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                     35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    /// Extra bits for symbols 257...285.
    private static let lengthExtraBits = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                          3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    /// Distance for symbols 0...29, before extra bits.
    private static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
                                       257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    /// Extra bits for distance symbols 0...29.
    private static let distanceExtraBits = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
                                            7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    /// The fixed literal/length code of RFC 1951 §3.2.6 (symbols 286 and 287 have codes but are
    /// invalid in data).
    private static let fixedLiteralDecoder: HuffmanDecoder = {
        var lengths = [Int](repeating: 8, count: 288)
        for i in 144..<256 { lengths[i] = 9 }
        for i in 256..<280 { lengths[i] = 7 }
        // Cannot fail: the fixed code is complete.
        return try! HuffmanDecoder(codeLengths: lengths, completeness: .complete, name: "fixed literal/length", offset: 0)
    }()

    /// The fixed distance code: 5 bits for each of 32 symbols (30 and 31 are invalid in data).
    private static let fixedDistanceDecoder: HuffmanDecoder = {
        try! HuffmanDecoder(codeLengths: [Int](repeating: 5, count: 32), completeness: .complete, name: "fixed distance", offset: 0)
    }()
}
