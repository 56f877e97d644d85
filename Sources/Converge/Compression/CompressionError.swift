/// Why a gzip or DEFLATE stream could not be decoded.
///
/// Every case names the byte offset (from the start of the input) at or near which decoding
/// stopped, so that a corrupt file can be inspected with a hex dump.
public enum CompressionError: Error, Equatable, CustomStringConvertible {
    /// The input ended before the stream did.
    case truncated(offset: Int)
    /// The input does not start with the gzip magic bytes `1f 8b`.
    case notGzip(offset: Int)
    /// The gzip header names a compression method other than 8 (DEFLATE).
    case unsupportedMethod(UInt8, offset: Int)
    /// The gzip header sets flag bits that RFC 1952 reserves.
    case reservedFlags(UInt8, offset: Int)
    /// The optional CRC-16 of the gzip header does not match the header.
    case headerChecksumMismatch(expected: UInt16, actual: UInt16, offset: Int)
    /// A DEFLATE block header has the reserved block type 3.
    case invalidBlockType(offset: Int)
    /// A stored block's length and its one's complement disagree.
    case storedLengthMismatch(length: UInt16, complement: UInt16, offset: Int)
    /// A dynamic block describes Huffman codes that cannot be built.
    case invalidCodeLengths(String, offset: Int)
    /// The bits at this point match no code, or decode to a length or distance symbol that
    /// DEFLATE does not define.
    case invalidCode(String, offset: Int)
    /// A back-reference points before the start of the output.
    case distanceTooFar(distance: Int, available: Int, offset: Int)
    /// The CRC-32 in the gzip trailer does not match the decompressed data.
    case checksumMismatch(expected: UInt32, actual: UInt32, offset: Int)
    /// The size in the gzip trailer does not match the decompressed data (modulo 2³²).
    case sizeMismatch(expected: UInt32, actual: UInt32, offset: Int)
    /// Bytes follow the last gzip member that do not start another member.
    case trailingGarbage(offset: Int)

    /// A one-line explanation naming the byte offset.
    public var description: String {
        switch self {
        case .truncated(let offset):
            return "compressed data ends early (at byte \(offset))"
        case .notGzip(let offset):
            return "not gzip data: missing magic bytes 1f 8b at byte \(offset)"
        case .unsupportedMethod(let method, let offset):
            return "gzip: unsupported compression method \(method) at byte \(offset) (only 8, DEFLATE, exists)"
        case .reservedFlags(let flags, let offset):
            return "gzip: reserved header flag bits set (flags 0x\(String(flags, radix: 16))) at byte \(offset)"
        case .headerChecksumMismatch(let expected, let actual, let offset):
            return "gzip: header CRC-16 mismatch at byte \(offset): stored 0x\(hex(UInt32(expected), 4)), computed 0x\(hex(UInt32(actual), 4))"
        case .invalidBlockType(let offset):
            return "deflate: invalid block type 3 near byte \(offset)"
        case .storedLengthMismatch(let length, let complement, let offset):
            return "deflate: stored block length \(length) does not match its complement \(complement) near byte \(offset)"
        case .invalidCodeLengths(let reason, let offset):
            return "deflate: invalid Huffman code lengths near byte \(offset): \(reason)"
        case .invalidCode(let reason, let offset):
            return "deflate: invalid code near byte \(offset): \(reason)"
        case .distanceTooFar(let distance, let available, let offset):
            return "deflate: back-reference distance \(distance) exceeds the \(available) bytes decoded so far, near byte \(offset)"
        case .checksumMismatch(let expected, let actual, let offset):
            return "gzip: CRC-32 mismatch in trailer at byte \(offset): stored 0x\(hex(expected, 8)), data gives 0x\(hex(actual, 8))"
        case .sizeMismatch(let expected, let actual, let offset):
            return "gzip: size mismatch in trailer at byte \(offset): stored \(expected), data has \(actual) bytes (mod 2^32)"
        case .trailingGarbage(let offset):
            return "gzip: unexpected bytes after the last member, at byte \(offset)"
        }
    }
}

/// `value` in lowercase hexadecimal, zero-padded to `digits`.
private func hex(_ value: UInt32, _ digits: Int) -> String {
    let text = String(value, radix: 16)
    return String(repeating: "0", count: max(0, digits - text.count)) + text
}
