import Foundation

/// Hand-rolled encoding of the protobuf wire format: just what TensorBoard events need.
struct ProtobufWriter {
    /// The bytes written so far.
    private(set) var bytes: [UInt8] = []

    /// Wire types.
    enum WireType: UInt8 { case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5 }

    mutating func tag(_ field: Int, _ type: WireType) { varint(UInt64(field) << 3 | UInt64(type.rawValue)) }

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// An `int64` field (negative values take ten bytes, as protobuf specifies).
    mutating func int64(_ field: Int, _ value: Int64) {
        tag(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    mutating func double(_ field: Int, _ value: Double) {
        tag(field, .fixed64)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func float(_ field: Int, _ value: Float) {
        tag(field, .fixed32)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ field: Int, _ value: String) { data(field, Array(value.utf8)) }

    mutating func data(_ field: Int, _ value: [UInt8]) {
        tag(field, .lengthDelimited)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// A nested message built by `body`.
    mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        body(&inner)
        data(field, inner.bytes)
    }
}

/// Decoding of the protobuf wire format: walks the fields of one message.
struct ProtobufReader {
    /// One field: its number and value.
    enum Value {
        case varint(UInt64), fixed64(UInt64), fixed32(UInt32), bytes([UInt8])
    }
    struct Failure: Error { let message: String }

    private let bytes: [UInt8]
    private var i = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    private mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard i < bytes.count else { throw Failure(message: "message ends inside a varint") }
            guard shift < 64 else { throw Failure(message: "varint is longer than 10 bytes") }
            let b = bytes[i]
            i += 1
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }

    private mutating func fixed(_ size: Int) throws -> UInt64 {
        guard i + size <= bytes.count else { throw Failure(message: "message ends inside a fixed-size field") }
        var v: UInt64 = 0
        for k in 0..<size { v |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
        i += size
        return v
    }

    /// The next field, or nil at the end of the message.
    mutating func next() throws -> (field: Int, value: Value)? {
        guard i < bytes.count else { return nil }
        let key = try varint()
        let field = Int(key >> 3)
        switch key & 7 {
        case 0: return (field, .varint(try varint()))
        case 1: return (field, .fixed64(try fixed(8)))
        case 5: return (field, .fixed32(UInt32(try fixed(4))))
        case 2:
            let length = Int(try varint())
            guard length >= 0, i + length <= bytes.count else { throw Failure(message: "field \(field) runs past the end of the message") }
            defer { i += length }
            return (field, .bytes(Array(bytes[i..<(i + length)])))
        default:
            throw Failure(message: "unsupported wire type \(key & 7) for field \(field)")
        }
    }
}
