import Foundation

/// TFRecord framing, the container of TensorBoard event files: each record is
/// `uint64 length · uint32 masked CRC-32C(length) · data · uint32 masked CRC-32C(data)`, all
/// little-endian.
public enum TFRecord {
    /// The framed bytes of one record holding `data`.
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 16)
        let length = withUnsafeBytes(of: UInt64(data.count).littleEndian) { Array($0) }
        out.append(contentsOf: length)
        appendUInt32(CRC32C.masked(CRC32C.checksum(length)), to: &out)
        out.append(contentsOf: data)
        appendUInt32(CRC32C.masked(CRC32C.checksum(data)), to: &out)
        return out
    }

    private static func appendUInt32(_ v: UInt32, to out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }

    /// The records framed in `bytes`, each checked against both of its CRCs.
    ///
    /// - Throws: ``EventFileError`` naming `file`, the record number and byte offset on a
    ///   truncated record or a checksum mismatch.
    public static func records(in bytes: [UInt8], file: String = "<data>") throws -> [[UInt8]] {
        try locatedRecords(in: bytes, file: file).map { $0.data }
    }

    /// The records with the byte offset where each starts.
    static func locatedRecords(in bytes: [UInt8], file: String) throws -> [(offset: Int, data: [UInt8])] {
        var records: [(offset: Int, data: [UInt8])] = []
        var i = 0
        func u32(_ at: Int) -> UInt32 { (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * UInt32($1)) } }
        while i < bytes.count {
            let index = records.count
            func fail(_ message: String) -> EventFileError { EventFileError(file: file, record: index, offset: i, message: message) }
            guard i + 12 <= bytes.count else { throw fail("file ends inside a record header") }
            let lengthBytes = Array(bytes[i..<(i + 8)])
            guard u32(i + 8) == CRC32C.masked(CRC32C.checksum(lengthBytes)) else { throw fail("length checksum mismatch") }
            let length = lengthBytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            guard length <= UInt64(bytes.count - i - 16) else { throw fail("record of \(length) bytes runs past the end of the file") }
            let start = i + 12, end = start + Int(length)
            let data = Array(bytes[start..<end])
            guard u32(end) == CRC32C.masked(CRC32C.checksum(data)) else { throw fail("data checksum mismatch") }
            records.append((i, data))
            i = end + 4
        }
        return records
    }
}

/// A TensorBoard event file (or TFRecord stream) that cannot be decoded.
public struct EventFileError: Error, CustomStringConvertible, Equatable {
    /// The file's path.
    public let file: String
    /// The 0-based record number.
    public let record: Int
    /// The byte offset where the record starts.
    public let offset: Int
    /// What is wrong.
    public let message: String

    /// `file: record N (byte B): message`.
    public var description: String { "\(file): record \(record) (byte \(offset)): \(message)" }
}
