import ConvergeCore
import Foundation

/// The safetensors format: named tensors behind a JSON header, loadable by Python's `safetensors`
/// and PyTorch.
///
/// Layout: an 8-byte little-endian header length `n`, `n` bytes of JSON (padded with spaces to a
/// multiple of 8 so tensor data stay aligned), then the tensors' bytes. Each header entry names a
/// tensor and gives its `dtype`, `shape` and `data_offsets` `[begin, end)` relative to the data
/// section; an optional `__metadata__` entry maps strings to strings.
///
/// ```swift
/// try Safetensors.write(model.stateDict(), metadata: ["epoch": "12"], to: url)
/// let file = try Safetensors.read(contentsOf: url)
/// try model.loadStateDict(file.tensors)
/// ```
public enum Safetensors {
    /// An element type stored in a file.
    public enum DType: String, CaseIterable, Sendable {
        /// IEEE float32.
        case f32 = "F32"
        /// IEEE float16.
        case f16 = "F16"
        /// bfloat16.
        case bf16 = "BF16"
        /// IEEE float64.
        case f64 = "F64"
        /// Signed integers.
        case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8"
        /// Unsigned bytes.
        case u8 = "U8"
        /// Booleans (one byte each).
        case bool = "BOOL"

        /// Bytes per element.
        public var byteCount: Int {
            switch self {
            case .f64, .i64: return 8
            case .f32, .i32: return 4
            case .f16, .bf16, .i16: return 2
            case .i8, .u8, .bool: return 1
            }
        }
    }

    /// The contents of a file: its tensors (as float32) in data order, and its metadata.
    public struct File {
        /// The tensors, in the order their data appear in the file (for files written by
        /// ``Safetensors/write(_:metadata:dtype:to:)``, the order given to it).
        public var tensors: [(String, Tensor)]
        /// The `__metadata__` strings (empty when absent).
        public var metadata: [String: String]
        /// Each tensor's stored element type.
        public var dtypes: [String: DType]

        /// The tensor named `name`, if present.
        public subscript(name: String) -> Tensor? { tensors.first { $0.0 == name }?.1 }
    }

    /// Writes `tensors` in the given order, atomically (a temporary file renamed into place), so a
    /// crash never leaves a partial file.
    ///
    /// - Parameters:
    ///   - tensors: the tensors by name, written in this order.
    ///   - url: the file to write.
    ///   - metadata: string pairs stored in the header's `__metadata__`.
    ///   - dtype: the stored element type: `.f32` (default), `.f16` or `.bf16` (rounded to nearest
    ///     even).
    /// - Throws: ``SafetensorsError`` for an empty or duplicate name or a name starting with
    ///   `__metadata__`; ``FileIOError`` when the file cannot be written.
    public static func write(_ tensors: [(String, Tensor)], metadata: [String: String] = [:],
                             dtype: DType = .f32, to url: URL) throws {
        let header = try encodeHeader(tensors, metadata: metadata, dtype: dtype, file: url.path)
        let file = try AtomicFile(url)
        var length = UInt64(header.count).littleEndian
        try withUnsafeBytes(of: &length) { try file.write($0) }
        try file.write(header)
        for (_, tensor) in tensors { try writeData(tensor, dtype: dtype, to: file) }
        try file.commit()
    }

    /// The header JSON (padded) for `tensors` stored as `dtype`, with keys in the given order.
    static func encodeHeader(_ tensors: [(String, Tensor)], metadata: [String: String], dtype: DType, file: String) throws -> Data {
        precondition([.f32, .f16, .bf16].contains(dtype), "Safetensors.write: dtype \(dtype.rawValue) cannot be written (F32, F16 or BF16)")
        var entries: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            entries.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var seen = Set<String>()
        var offset = 0
        for (name, tensor) in tensors {
            guard !name.isEmpty else { throw SafetensorsError(file: file, message: "a tensor has an empty name") }
            guard name != "__metadata__" else { throw SafetensorsError(file: file, tensor: name, message: "the name is reserved for metadata") }
            guard seen.insert(name).inserted else { throw SafetensorsError(file: file, tensor: name, message: "the name appears twice") }
            let end = offset + tensor.count * dtype.byteCount
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            entries.append("\(jsonString(name)):{\"dtype\":\"\(dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var json = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8))
        return Data(json)
    }

    private static func writeData(_ tensor: Tensor, dtype: DType, to file: AtomicFile) throws {
        let p = tensor.storage.pointer, n = tensor.count
        switch dtype {
        case .f32:
            #if _endian(little)
            try file.write(UnsafeRawBufferPointer(start: p, count: n * 4))
            #else
            let swapped = (0..<n).map { p[$0].bitPattern.littleEndian }
            try swapped.withUnsafeBytes { try file.write($0) }
            #endif
        default:
            // Convert in chunks so large tensors need little extra memory.
            let chunk = 1 << 16
            var buffer = [UInt16](repeating: 0, count: Swift.min(chunk, n))
            var start = 0
            while start < n {
                let m = Swift.min(chunk, n - start)
                for i in 0..<m {
                    let v = p[start + i]
                    buffer[i] = (dtype == .f16 ? HalfPrecision.float16Bits(from: v) : HalfPrecision.bfloat16Bits(from: v)).littleEndian
                }
                try buffer.withUnsafeBytes { try file.write(UnsafeRawBufferPointer(rebasing: $0[0..<(m * 2)])) }
                start += m
            }
        }
    }

    /// Reads `url`, converting every tensor to float32.
    ///
    /// - Throws: ``SafetensorsError`` naming the file (and tensor): a short file, a header length
    ///   beyond the file, a header that is not a JSON object, an unknown dtype, offsets that do not
    ///   match the shape, overlap, leave gaps or run past the end of the file.
    public static func read(contentsOf url: URL) throws -> File {
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw SafetensorsError(file: url.path, message: "cannot read the file: \(error.localizedDescription)")
        }
        return try decode(data, file: url.path)
    }

    /// The largest header accepted (the format's own limit, 100 MB).
    public static let maxHeaderSize: UInt64 = 100_000_000

    /// Decodes the bytes of a safetensors file; `file` names it in errors. Entries are checked in
    /// name order, so a file with several bad entries always reports the same one.
    public static func decode(_ data: Data, file: String = "<data>") throws -> File {
        func fail(_ message: String, tensor: String? = nil) -> SafetensorsError {
            SafetensorsError(file: file, tensor: tensor, message: message)
        }
        guard data.count >= 8 else { throw fail("file is \(data.count) bytes, too short for the 8-byte header length") }
        let lengthBytes = [UInt8](data.prefix(8))
        let headerLength = lengthBytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= maxHeaderSize else {
            throw fail("header length \(headerLength) exceeds the format's limit of \(maxHeaderSize) bytes")
        }
        guard headerLength <= UInt64(data.count - 8) else {
            throw fail("header length \(headerLength) runs past the end of the \(data.count)-byte file")
        }
        let headerEnd = 8 + Int(headerLength)
        let headerData = data.subdata(in: data.startIndex + 8 ..< data.startIndex + headerEnd)
        guard let object = try? JSONSerialization.jsonObject(with: headerData), let header = object as? [String: Any] else {
            throw fail("header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        if let raw = header["__metadata__"] {
            guard let dict = raw as? [String: Any] else { throw fail("__metadata__ is not an object of strings") }
            for (k, v) in dict {
                guard let s = v as? String else { throw fail("__metadata__ value for \"\(k)\" is not a string") }
                metadata[k] = s
            }
        }
        struct Entry { let name: String; let dtype: DType; let shape: [Int]; let begin: Int; let end: Int }
        var entries: [Entry] = []
        let dataSize = data.count - headerEnd
        for (name, raw) in header.sorted(by: { $0.key < $1.key }) where name != "__metadata__" {
            guard let info = raw as? [String: Any] else { throw fail("entry is not an object", tensor: name) }
            guard let dtypeName = info["dtype"] as? String else { throw fail("missing \"dtype\"", tensor: name) }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw fail("dtype \(dtypeName) is not supported (\(DType.allCases.map(\.rawValue).joined(separator: ", ")) are)", tensor: name)
            }
            guard let shapeValues = info["shape"] as? [Any], let shape = integers(shapeValues), shape.allSatisfy({ $0 >= 0 }) else {
                throw fail("\"shape\" is not a list of non-negative integers", tensor: name)
            }
            guard let offsetValues = info["data_offsets"] as? [Any], let offsets = integers(offsetValues), offsets.count == 2 else {
                throw fail("\"data_offsets\" is not a pair of integers", tensor: name)
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, begin <= end, end <= dataSize else {
                throw fail("data_offsets [\(begin), \(end)] are outside the \(dataSize)-byte data section", tensor: name)
            }
            guard let expected = CheckedSize.bytes(shape, itemSize: dtype.byteCount) else {
                throw fail("shape \(shape) has more elements than can be addressed", tensor: name)
            }
            guard end - begin == expected else {
                throw fail("data_offsets [\(begin), \(end)] do not match shape \(shape) of \(dtype.rawValue) (\(expected) bytes)", tensor: name)
            }
            entries.append(Entry(name: name, dtype: dtype, shape: shape, begin: begin, end: end))
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var covered = 0
        for entry in entries {
            guard entry.begin >= covered || entry.begin == entry.end else {
                throw fail("data_offsets [\(entry.begin), \(entry.end)] overlap another tensor's data", tensor: entry.name)
            }
            guard entry.begin == covered || entry.begin == entry.end else {
                throw fail("bytes \(covered)..<\(entry.begin) of the data section belong to no tensor", tensor: entry.name)
            }
            covered = Swift.max(covered, entry.end)
        }
        guard covered == dataSize else {
            throw fail("the data section has \(dataSize) bytes but the tensors use \(covered)")
        }
        var tensors: [(String, Tensor)] = []
        var dtypes: [String: DType] = [:]
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            for entry in entries {
                let tensor = Tensor(uninitializedShape: entry.shape)
                convert(raw.baseAddress! + headerEnd + entry.begin, dtype: entry.dtype, count: tensor.count, into: tensor.storage.pointer)
                tensors.append((entry.name, tensor))
                dtypes[entry.name] = entry.dtype
            }
        }
        return File(tensors: tensors, metadata: metadata, dtypes: dtypes)
    }

    private static func convert(_ source: UnsafeRawPointer, dtype: DType, count: Int, into out: UnsafeMutablePointer<Float>) {
        @inline(__always) func load<T: FixedWidthInteger>(_ i: Int, _: T.Type) -> T {
            T(littleEndian: source.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self))
        }
        switch dtype {
        case .f32:
            #if _endian(little)
            UnsafeMutableRawPointer(out).copyMemory(from: source, byteCount: count * 4)
            #else
            for i in 0..<count { out[i] = Float(bitPattern: load(i, UInt32.self)) }
            #endif
        case .f16: for i in 0..<count { out[i] = HalfPrecision.float(fromFloat16Bits: load(i, UInt16.self)) }
        case .bf16: for i in 0..<count { out[i] = HalfPrecision.float(fromBFloat16Bits: load(i, UInt16.self)) }
        case .f64: for i in 0..<count { out[i] = Float(Double(bitPattern: load(i, UInt64.self))) }
        case .i64: for i in 0..<count { out[i] = Float(load(i, Int64.self)) }
        case .i32: for i in 0..<count { out[i] = Float(load(i, Int32.self)) }
        case .i16: for i in 0..<count { out[i] = Float(load(i, Int16.self)) }
        case .i8: for i in 0..<count { out[i] = Float(load(i, Int8.self)) }
        case .u8, .bool: for i in 0..<count { out[i] = Float(load(i, UInt8.self)) }
        }
    }

    /// `values` as integers, or nil when any is not a whole number.
    private static func integers(_ values: [Any]) -> [Int]? {
        var result: [Int] = []
        for v in values {
            guard let n = v as? NSNumber, let i = Int(exactly: n.doubleValue) else { return nil }
            result.append(i)
        }
        return result
    }

    /// A JSON string literal for `s`.
    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
