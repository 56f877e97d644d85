import Foundation

/// One event of a TensorBoard event file, as Converge writes and reads them.
public struct TensorBoardEvent: Equatable {
    /// One scalar summary value.
    public struct Scalar: Equatable {
        /// The series' name, e.g. `loss/train`.
        public var tag: String
        /// The value (float32, as stored).
        public var value: Float

        /// Creates a scalar.
        public init(tag: String, value: Float) {
            self.tag = tag
            self.value = value
        }
    }

    /// Seconds since 1970.
    public var wallTime: Double
    /// The global step (or epoch) the values belong to.
    public var step: Int64
    /// The format version, set on a file's first event (`brain.Event:2`).
    public var fileVersion: String?
    /// Scalar summary values.
    public var scalars: [Scalar]

    /// Creates an event.
    public init(wallTime: Double, step: Int64, fileVersion: String? = nil, scalars: [Scalar] = []) {
        self.wallTime = wallTime
        self.step = step
        self.fileVersion = fileVersion
        self.scalars = scalars
    }

    /// The protobuf encoding: `Event{wall_time = 1 (double), step = 2 (int64), file_version = 3
    /// (string), summary = 5 { value = 1 { tag = 1, simple_value = 2 (float) } }}`.
    public func encoded() -> [UInt8] {
        var w = ProtobufWriter()
        w.double(1, wallTime)
        if step != 0 { w.int64(2, step) }
        if let fileVersion { w.string(3, fileVersion) }
        if !scalars.isEmpty {
            w.message(5) { summary in
                for scalar in scalars {
                    summary.message(1) { value in
                        value.string(1, scalar.tag)
                        value.float(2, scalar.value)
                    }
                }
            }
        }
        return w.bytes
    }

    /// Decodes an `Event` message, keeping the fields above and skipping all others.
    public init(decoding bytes: [UInt8]) throws {
        self.init(wallTime: 0, step: 0)
        do {
            var r = ProtobufReader(bytes)
            while let (field, value) = try r.next() {
                switch (field, value) {
                case (1, .fixed64(let bits)): wallTime = Double(bitPattern: bits)
                case (2, .varint(let v)): step = Int64(bitPattern: v)
                case (3, .bytes(let b)): fileVersion = String(decoding: b, as: UTF8.self)
                case (5, .bytes(let b)): scalars += try Self.decodeSummary(b)
                default: break
                }
            }
        } catch let failure as ProtobufReader.Failure {
            throw EventFileError(file: "<event>", record: 0, offset: 0, message: failure.message)
        }
    }

    private static func decodeSummary(_ bytes: [UInt8]) throws -> [Scalar] {
        var scalars: [Scalar] = []
        var r = ProtobufReader(bytes)
        while let (field, value) = try r.next() {
            guard field == 1, case .bytes(let valueBytes) = value else { continue }
            var tag = "", simple: Float?
            var v = ProtobufReader(valueBytes)
            while let (f, x) = try v.next() {
                switch (f, x) {
                case (1, .bytes(let b)): tag = String(decoding: b, as: UTF8.self)
                case (2, .fixed32(let bits)): simple = Float(bitPattern: bits)
                default: break
                }
            }
            if let simple { scalars.append(Scalar(tag: tag, value: simple)) }
        }
        return scalars
    }

    /// Reads every event of an event file, checking each record's checksums.
    ///
    /// - Throws: ``EventFileError`` naming the file and the record.
    public static func read(contentsOf url: URL) throws -> [TensorBoardEvent] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw EventFileError(file: url.path, record: 0, offset: 0, message: "cannot read the file: \(error.localizedDescription)")
        }
        let records = try TFRecord.locatedRecords(in: [UInt8](data), file: url.path)
        return try records.enumerated().map { index, record in
            do { return try TensorBoardEvent(decoding: record.data) } catch let e as EventFileError {
                throw EventFileError(file: url.path, record: index, offset: record.offset, message: e.message)
            }
        }
    }
}
