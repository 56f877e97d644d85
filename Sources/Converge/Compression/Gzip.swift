import Foundation

/// A decoder for gzip files (RFC 1952) in plain Swift: header (with optional extra field, file
/// name, comment and header CRC-16), the DEFLATE body (``Inflate``), and the trailer's CRC-32
/// and size, both checked. Concatenated members decode to the concatenation of their contents,
/// as `gunzip` does.
///
/// ```swift
/// let csv = try Gzip.decompress(contentsOf: URL(fileURLWithPath: "digits.csv.gz"))
/// ```
public enum Gzip {
    /// Whether `bytes` start with the gzip magic bytes `1f 8b`.
    public static func hasGzipHeader(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Decompresses gzip data held in memory.
    public static func decompress(_ bytes: [UInt8]) throws -> [UInt8] {
        var output: [UInt8] = []
        var position = 0
        repeat {
            guard hasGzipHeader(Array(bytes[position..<min(position + 2, bytes.count)])) else {
                throw position == 0 ? CompressionError.notGzip(offset: 0) : CompressionError.trailingGarbage(offset: position)
            }
            position = try decompressMember(bytes, startingAt: position, appendingTo: &output)
        } while position < bytes.count
        return output
    }

    /// Reads and decompresses a gzip file.
    public static func decompress(contentsOf url: URL) throws -> [UInt8] {
        try decompress([UInt8](Data(contentsOf: url)))
    }

    /// Header flag bits (RFC 1952 §2.3.1).
    private enum Flag {
        static let text: UInt8 = 1
        static let headerCRC: UInt8 = 2
        static let extra: UInt8 = 4
        static let name: UInt8 = 8
        static let comment: UInt8 = 16
        static let reserved: UInt8 = 0xE0
    }

    /// Decodes one member starting at `start`; returns the index after its trailer.
    private static func decompressMember(_ bytes: [UInt8], startingAt start: Int, appendingTo output: inout [UInt8]) throws -> Int {
        var position = start
        func need(_ count: Int) throws {
            if position + count > bytes.count { throw CompressionError.truncated(offset: bytes.count) }
        }
        func littleEndian(_ at: Int, _ count: Int) -> UInt32 {
            var value: UInt32 = 0
            for i in 0..<count { value |= UInt32(bytes[at + i]) << UInt32(8 * i) }
            return value
        }
        func skipZeroTerminated() throws {
            while true {
                try need(1)
                position += 1
                if bytes[position - 1] == 0 { return }
            }
        }

        try need(10)
        guard bytes[position + 2] == 8 else {
            throw CompressionError.unsupportedMethod(bytes[position + 2], offset: position + 2)
        }
        let flags = bytes[position + 3]
        guard flags & Flag.reserved == 0 else { throw CompressionError.reservedFlags(flags, offset: position + 3) }
        position += 10
        if flags & Flag.extra != 0 {
            try need(2)
            let extraLength = Int(littleEndian(position, 2))
            position += 2
            try need(extraLength)
            position += extraLength
        }
        if flags & Flag.name != 0 { try skipZeroTerminated() }
        if flags & Flag.comment != 0 { try skipZeroTerminated() }
        if flags & Flag.headerCRC != 0 {
            try need(2)
            let stored = UInt16(littleEndian(position, 2))
            let computed = UInt16(truncatingIfNeeded: CRC32.checksum(bytes[start..<position]))
            guard stored == computed else {
                throw CompressionError.headerChecksumMismatch(expected: stored, actual: computed, offset: position)
            }
            position += 2
        }

        let first = output.count
        position = try Inflate.decompress(bytes, startingAt: position, appendingTo: &output)

        try need(8)
        let storedCRC = littleEndian(position, 4)
        let storedSize = littleEndian(position + 4, 4)
        let crc = CRC32.checksum(output[first...])
        guard crc == storedCRC else {
            throw CompressionError.checksumMismatch(expected: storedCRC, actual: crc, offset: position)
        }
        let size = UInt32(truncatingIfNeeded: output.count - first)
        guard size == storedSize else {
            throw CompressionError.sizeMismatch(expected: storedSize, actual: size, offset: position + 4)
        }
        return position + 8
    }
}
