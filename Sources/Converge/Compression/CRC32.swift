/// The CRC-32 checksum used by gzip, zlib's `crc32` and PNG (ISO 3309 / ITU-T V.42: reflected
/// polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF).
///
/// ```swift
/// var crc = CRC32()
/// crc.update(Array("123456789".utf8))
/// crc.value   // 0xCBF43926
/// ```
public struct CRC32 {
    /// The checksum of the bytes passed to ``update(_:)`` so far.
    public var value: UInt32 { ~register }

    private var register: UInt32 = 0xFFFF_FFFF

    /// A checksum of no bytes (value 0).
    public init() {}

    /// Extends the checksum with `bytes`.
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        var r = register
        for byte in bytes {
            r = crc32Table[Int((r ^ UInt32(byte)) & 0xFF)] ^ (r >> 8)
        }
        register = r
    }

    /// The checksum of `bytes`.
    public static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }
}

/// Remainders of each byte value, one table lookup per input byte.
private let crc32Table: [UInt32] = (0..<256).map { index -> UInt32 in
    var c = UInt32(index)
    for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
}
