import ConvergeCore
import Foundation

/// NumPy's `.npy` array files.
///
/// Reading accepts format versions 1.0–3.0, C order, little-endian (or byte-order-free) arrays of
/// float16/32/64, signed and unsigned 8–64-bit integers and booleans, of any rank, and converts
/// the values to float32 (64-bit integers beyond 2²⁴ lose precision, as in `torch.float32`).
/// Writing produces version 1.0 float32 files that `numpy.load` reads.
public enum NPY {
    /// Reads the array in `url` as a float32 tensor.
    ///
    /// - Throws: ``DataFileError`` naming the file and what is wrong (bad magic, a malformed
    ///   header, an unsupported dtype, Fortran order, a data size that does not match the shape).
    public static func read(contentsOf url: URL) throws -> Tensor {
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw DataFileError(file: url.path, reason: .unreadable(FileProblem.reason(error)))
        }
        return try decode(data, file: url.path)
    }

    /// Decodes `.npy` bytes; `file` names them in errors.
    public static func decode(_ data: Data, file: String = "<data>") throws -> Tensor {
        func fail(_ message: String) -> DataFileError { DataFileError(file: file, reason: .malformed("NPY: " + message)) }
        let bytes = [UInt8](data.prefix(12))
        guard bytes.count >= 10, bytes.starts(with: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]) else {
            throw fail("not a .npy file (missing the \\x93NUMPY magic string)")
        }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("file ends inside the header length") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw fail("unsupported format version \(major).\(bytes[7]) (expected 1.0, 2.0 or 3.0)")
        }
        guard data.count >= headerStart + headerLength else {
            throw fail("header length \(headerLength) runs past the end of the \(data.count)-byte file")
        }
        let headerBytes = data.subdata(in: data.startIndex + headerStart ..< data.startIndex + headerStart + headerLength)
        guard let headerText = String(data: headerBytes, encoding: .utf8) else { throw fail("header is not text") }
        let header = try NPYHeader(parsing: headerText, fail: fail)
        guard let count = CheckedSize.count(header.shape),
              let expected = CheckedSize.bytes(header.shape, itemSize: header.itemSize) else {
            throw fail("shape \(header.shape) is not a valid size (a negative dimension, or more elements than can be addressed)")
        }
        let dataStart = headerStart + headerLength
        guard data.count - dataStart == expected else {
            throw fail("shape \(header.shape) of \(header.descr) needs \(expected) data bytes, the file has \(data.count - dataStart)")
        }
        let tensor = Tensor(uninitializedShape: header.shape)
        let out = tensor.storage.pointer
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let base = raw.baseAddress! + dataStart
            header.convert(base, count: count, into: out)
        }
        return tensor
    }

    /// Writes `tensor` as a float32 `.npy` file (atomically).
    public static func write(_ tensor: Tensor, to url: URL) throws {
        try AtomicFile.write(encode(tensor), to: url)
    }

    /// The `.npy` bytes of `tensor` (float32, C order, version 1.0).
    public static func encode(_ tensor: Tensor) -> Data {
        let shape: String
        switch tensor.rank {
        case 0: shape = "()"
        case 1: shape = "(\(tensor.shape[0]),)"
        default: shape = "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
        }
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }"
        let prefix = 10
        let padded = (prefix + header.utf8.count + 1 + 63) / 64 * 64
        header += String(repeating: " ", count: padded - prefix - header.utf8.count - 1) + "\n"
        var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        tensor.withUnsafeBufferPointer { buffer in
            for v in buffer {
                let bits = v.bitPattern.littleEndian
                withUnsafeBytes(of: bits) { data.append(contentsOf: $0) }
            }
        }
        return data
    }
}

/// The parsed header dictionary of a `.npy` file.
struct NPYHeader {
    enum Kind { case float, signed, unsigned, bool }
    let descr: String
    let kind: Kind
    let itemSize: Int
    let shape: [Int]

    init(parsing text: String, fail: (String) -> DataFileError) throws {
        var parser = PythonLiteralParser(Array(text.utf8))
        guard case .dict(let entries)? = try? parser.parseValue() else {
            throw fail("header is not a Python dict literal: \(text.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        var dict: [String: PythonLiteral] = [:]
        for (k, v) in entries { if case .string(let key) = k { dict[key] = v } }
        guard let descrValue = dict["descr"] else { throw fail("header has no 'descr' key") }
        guard case .string(let descr) = descrValue else {
            throw fail("structured dtype \(descrValue) is not supported (expected a plain numeric dtype such as '<f4')")
        }
        guard case .bool(let fortran)? = dict["fortran_order"] else { throw fail("header has no boolean 'fortran_order' key") }
        guard !fortran else { throw fail("Fortran-order (column-major) arrays are not supported; save with np.ascontiguousarray") }
        guard case .tuple(let dims)? = dict["shape"] else { throw fail("header has no 'shape' tuple") }
        var shape: [Int] = []
        for d in dims {
            guard case .int(let n) = d, n >= 0 else { throw fail("shape entry \(d) is not a non-negative integer") }
            shape.append(n)
        }
        guard let order = descr.first, let kindChar = descr.dropFirst().first, let size = Int(descr.dropFirst(2)) else {
            throw fail("dtype '\(descr)' is not understood")
        }
        guard order != ">" else { throw fail("big-endian dtype '\(descr)' is not supported; convert with arr.astype('<f4')") }
        guard order == "<" || order == "|" || order == "=" else { throw fail("dtype '\(descr)' is not understood") }
        let kind: Kind
        switch (kindChar, size) {
        case ("f", 2), ("f", 4), ("f", 8): kind = .float
        case ("i", 1), ("i", 2), ("i", 4), ("i", 8): kind = .signed
        case ("u", 1), ("u", 2), ("u", 4), ("u", 8): kind = .unsigned
        case ("b", 1): kind = .bool
        default: throw fail("dtype '\(descr)' is not supported (float16/32/64, int8–64, uint8–64 and bool are)")
        }
        self.descr = descr
        self.kind = kind
        self.itemSize = size
        self.shape = shape
    }

    /// Converts `count` little-endian elements at `source` into floats.
    func convert(_ source: UnsafeRawPointer, count: Int, into out: UnsafeMutablePointer<Float>) {
        @inline(__always) func load<T: FixedWidthInteger>(_ i: Int, _: T.Type) -> T {
            T(littleEndian: source.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self))
        }
        for i in 0..<count {
            switch (kind, itemSize) {
            case (.float, 2): out[i] = HalfPrecision.float(fromFloat16Bits: load(i, UInt16.self))
            case (.float, 4): out[i] = Float(bitPattern: load(i, UInt32.self))
            case (.float, 8): out[i] = Float(Double(bitPattern: load(i, UInt64.self)))
            case (.signed, 1): out[i] = Float(load(i, Int8.self))
            case (.signed, 2): out[i] = Float(load(i, Int16.self))
            case (.signed, 4): out[i] = Float(load(i, Int32.self))
            case (.signed, 8): out[i] = Float(load(i, Int64.self))
            case (.unsigned, 1), (.bool, 1): out[i] = Float(load(i, UInt8.self))
            case (.unsigned, 2): out[i] = Float(load(i, UInt16.self))
            case (.unsigned, 4): out[i] = Float(load(i, UInt32.self))
            default: out[i] = Float(load(i, UInt64.self))
            }
        }
    }
}

/// The few Python literals a `.npy` header uses.
indirect enum PythonLiteral: CustomStringConvertible {
    case string(String), int(Int), bool(Bool), none
    case tuple([PythonLiteral]), list([PythonLiteral]), dict([(PythonLiteral, PythonLiteral)])

    var description: String {
        switch self {
        case .string(let s): return "'\(s)'"
        case .int(let n): return String(n)
        case .bool(let b): return b ? "True" : "False"
        case .none: return "None"
        case .tuple(let items): return "(" + items.map(\.description).joined(separator: ", ") + (items.count == 1 ? ",)" : ")")
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .dict(let items): return "{" + items.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + "}"
        }
    }
}

/// A small recursive-descent parser for Python literals (dicts, tuples, lists, strings, integers,
/// booleans and None).
struct PythonLiteralParser {
    struct Failure: Error {}
    private let bytes: [UInt8]
    private var i = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x09 || bytes[i] == 0x0D { i += 1 }
    }

    private mutating func peek() -> UInt8? { skipSpace(); return i < bytes.count ? bytes[i] : nil }

    private mutating func expect(_ c: Character) throws {
        guard peek() == c.asciiValue else { throw Failure() }
        i += 1
    }

    mutating func parseValue() throws -> PythonLiteral {
        guard let c = peek() else { throw Failure() }
        switch c {
        case UInt8(ascii: "{"):
            i += 1
            var items: [(PythonLiteral, PythonLiteral)] = []
            while peek() != UInt8(ascii: "}") {
                let key = try parseValue()
                try expect(":")
                items.append((key, try parseValue()))
                if peek() == UInt8(ascii: ",") { i += 1 } else { break }
            }
            try expect("}")
            return .dict(items)
        case UInt8(ascii: "("), UInt8(ascii: "["):
            let close = c == UInt8(ascii: "(") ? UInt8(ascii: ")") : UInt8(ascii: "]")
            i += 1
            var items: [PythonLiteral] = []
            while peek() != close {
                items.append(try parseValue())
                if peek() == UInt8(ascii: ",") { i += 1 } else { break }
            }
            guard peek() == close else { throw Failure() }
            i += 1
            return c == UInt8(ascii: "(") ? .tuple(items) : .list(items)
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            i += 1
            let start = i
            while i < bytes.count && bytes[i] != c { i += 1 }
            guard i < bytes.count else { throw Failure() }
            defer { i += 1 }
            return .string(String(decoding: bytes[start..<i], as: UTF8.self))
        default:
            let start = i
            while i < bytes.count, let ch = Optional(bytes[i]),
                  (ch >= 0x30 && ch <= 0x39) || (ch >= 0x41 && ch <= 0x5A) || (ch >= 0x61 && ch <= 0x7A) || ch == UInt8(ascii: "-") || ch == UInt8(ascii: "_") {
                i += 1
            }
            let word = String(decoding: bytes[start..<i], as: UTF8.self)
            switch word {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .none
            default:
                let digits = word.hasSuffix("L") ? String(word.dropLast()) : word
                guard let n = Int(digits) else { throw Failure() }
                return .int(n)
            }
        }
    }
}
