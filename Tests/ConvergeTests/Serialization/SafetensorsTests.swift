import XCTest
import ConvergeTestSupport
@testable import Converge

final class SafetensorsTests: XCTestCase {
    func testTinyFileBytes() throws {
        let url = try makeIOTestDirectory().appendingPathComponent("tiny.safetensors")
        try Safetensors.write([("a", Tensor([1, 2]))], to: url)
        let bytes = [UInt8](try Data(contentsOf: url))
        let json = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#  // 54 bytes, padded to 56
        XCTAssertEqual(Array(bytes[0..<8]), [56, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(Array(bytes[8..<64]), Array(json.utf8) + [0x20, 0x20])
        XCTAssertEqual(Array(bytes[64...]), [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0x40])  // 1.0f, 2.0f
    }

    func testHeaderWithMetadataIsAlignedAndOrdered() throws {
        let header = try Safetensors.encodeHeader([("w", Tensor(3)), ("b", Tensor([1]))], metadata: ["k": "v"], dtype: .f32, file: "f")
        let text = String(decoding: header, as: UTF8.self)
        XCTAssertEqual(header.count % 8, 0)
        XCTAssertTrue(text.hasPrefix(#"{"__metadata__":{"k":"v"},"w":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"b":"#), text)
        XCTAssertTrue(text.contains(#""data_offsets":[4,8]"#))
    }

    func testRoundTripKeepsOrderValuesShapesAndMetadata() throws {
        let url = try makeIOTestDirectory().appendingPathComponent("model.safetensors")
        Random.seed(3)
        let tensors: [(String, Tensor)] = [
            ("layer.weight", Tensor.randomNormal([3, 4])), ("layer.bias", Tensor.randomNormal([3])),
            ("scalar", Tensor(2.5)), ("empty", Tensor.zeros([0, 2])), ("a\"quoted\\name", Tensor([7])),
        ]
        try Safetensors.write(tensors, metadata: ["epoch": "4", "format": "pt"], to: url)
        let file = try Safetensors.read(contentsOf: url)
        XCTAssertEqual(file.tensors.map { $0.0 }, tensors.map { $0.0 })
        for ((_, a), (_, b)) in zip(file.tensors, tensors) {
            XCTAssertEqual(a.shape, b.shape)
            XCTAssertEqual(a.scalars, b.scalars)
        }
        XCTAssertEqual(file.metadata, ["epoch": "4", "format": "pt"])
        XCTAssertEqual(file["scalar"]?.scalars, [2.5])
        XCTAssertEqual(file.dtypes["layer.weight"], .f32)
        // Nothing but the final file is left in the directory.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path), ["model.safetensors"])
    }

    func testHalfPrecisionStorageRoundsToNearest() throws {
        let url = try makeIOTestDirectory().appendingPathComponent("half.safetensors")
        let t = Tensor([1, 1.0 / 3, -65504, 1e-8])
        try Safetensors.write([("x", t)], dtype: .f16, to: url)
        let f16 = try Safetensors.read(contentsOf: url)
        XCTAssertEqual(f16.dtypes["x"], .f16)
        XCTAssertEqual(f16["x"]!.scalars, [1, 0.33325195, -65504, 0])
        try Safetensors.write([("x", t)], dtype: .bf16, to: url)
        XCTAssertEqual(try Safetensors.read(contentsOf: url)["x"]!.scalars, [1, 0.33398438, -65536, 1.0011718e-08])  // as torch .half() / .bfloat16()
    }

    /// Bytes of `safetensors.torch.save` (safetensors 0.8) for F16, BF16, F64, F32 and I64 tensors
    /// with metadata, so reading is checked against the reference writer.
    static let torchFile = "YAEAAAAAAAB7Il9fbWV0YWRhdGFfXyI6eyJmcmFtZXdvcmsiOiJwdCIsIm5vdGUiOiJ4In0sImludHMiOnsiZHR5cGUiOiJJNjQiLCJzaGFwZSI6WzJdLCJkYXRhX29mZnNldHMiOlswLDE2XX0sImRvdWJsZSI6eyJkdHlwZSI6IkY2NCIsInNoYXBlIjpbMl0sImRhdGFfb2Zmc2V0cyI6WzE2LDMyXX0sInNpbmdsZSI6eyJkdHlwZSI6IkYzMiIsInNoYXBlIjpbMSwxXSwiZGF0YV9vZmZzZXRzIjpbMzIsMzZdfSwiYnJhaW4iOnsiZHR5cGUiOiJCRjE2Iiwic2hhcGUiOlsyLDJdLCJkYXRhX29mZnNldHMiOlszNiw0NF19LCJoYWxmIjp7ImR0eXBlIjoiRjE2Iiwic2hhcGUiOls0XSwiZGF0YV9vZmZzZXRzIjpbNDQsNTJdfX0gICAgICAgAwAAAAAAAAD8/////////5qZmZmZmbk/AAAAIF+gAsIAAMA/gD8gwEBASnEAPAC4/3sBAA=="

    func testReadsFileWrittenByPythonSafetensors() throws {
        let file = try Safetensors.decode(Data(base64Encoded: Self.torchFile)!, file: "torch.safetensors")
        XCTAssertEqual(file.tensors.map { $0.0 }, ["ints", "double", "single", "brain", "half"])
        XCTAssertEqual(file.metadata, ["framework": "pt", "note": "x"])
        XCTAssertEqual(file["half"]!.scalars, [1, -0.5, 65504, 5.960464477539063e-08])
        XCTAssertEqual(file["brain"]!.shape, [2, 2])
        XCTAssertEqual(file["brain"]!.scalars, [1, -2.5, 3, 1.0002555517425873e+30])
        XCTAssertEqual(file["double"]!.scalars, [0.1, -1e10])
        XCTAssertEqual(file["single"]!.shape, [1, 1])
        XCTAssertEqual(file["ints"]!.scalars, [3, -4])
        XCTAssertEqual(file.dtypes["brain"], .bf16)
    }

    /// A file with `header` (padded) followed by `dataBytes` zero bytes.
    func file(header: String, dataBytes: Int) -> Data {
        var json = Array(header.utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        var data = Data(withUnsafeBytes(of: UInt64(json.count).littleEndian) { Array($0) })
        data.append(contentsOf: json)
        data.append(Data(count: dataBytes))
        return data
    }

    func expectError(_ data: Data, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Safetensors.decode(data, file: "m.safetensors"), file: file, line: line) { error in
            XCTAssertEqual("\(error)", message, file: file, line: line)
        }
    }

    func testMalformedFilesNameFileTensorAndProblem() {
        expectError(Data([1, 2, 3]), "m.safetensors: file is 3 bytes, too short for the 8-byte header length")
        expectError(Data([200, 0, 0, 0, 0, 0, 0, 0, 0x7B, 0x7D]), "m.safetensors: header length 200 runs past the end of the 10-byte file")
        expectError(file(header: "[1,2]", dataBytes: 0), "m.safetensors: header is not a JSON object")
        expectError(file(header: #"{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}"#, dataBytes: 16),
                    "m.safetensors: tensor \"w\": data_offsets [0, 12] do not match shape [2, 2] of F32 (16 bytes)")
        expectError(file(header: #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, dataBytes: 8),
                    "m.safetensors: tensor \"w\": data_offsets [0, 16] are outside the 8-byte data section")
        expectError(file(header: #"{"w":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#, dataBytes: 8),
                    "m.safetensors: tensor \"w\": dtype C64 is not supported (F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL are)")
        expectError(file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, dataBytes: 8),
                    "m.safetensors: tensor \"b\": data_offsets [4, 8] overlap another tensor's data")
        expectError(file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, dataBytes: 8),
                    "m.safetensors: tensor \"a\": bytes 0..<4 of the data section belong to no tensor")
        expectError(file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, dataBytes: 8),
                    "m.safetensors: the data section has 8 bytes but the tensors use 4")
        expectError(file(header: #"{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, dataBytes: 4),
                    "m.safetensors: tensor \"a\": \"shape\" is not a list of non-negative integers")
        expectError(file(header: #"{"__metadata__":{"k":1}}"#, dataBytes: 0),
                    "m.safetensors: __metadata__ value for \"k\" is not a string")
    }

    func testWriteRejectsBadNamesAndLeavesOldFile() throws {
        let url = try makeIOTestDirectory().appendingPathComponent("w.safetensors")
        try Safetensors.write([("keep", Tensor([1]))], to: url)
        XCTAssertThrowsError(try Safetensors.write([("x", Tensor([1])), ("x", Tensor([2]))], to: url)) { error in
            XCTAssertEqual("\(error)", "\(url.path): tensor \"x\": the name appears twice")
        }
        XCTAssertThrowsError(try Safetensors.write([("", Tensor([1]))], to: url))
        XCTAssertEqual(try Safetensors.read(contentsOf: url).tensors.map { $0.0 }, ["keep"])
    }

    func testMissingFile() {
        XCTAssertThrowsError(try Safetensors.read(contentsOf: URL(fileURLWithPath: "/nonexistent/m.safetensors"))) { error in
            XCTAssertTrue("\(error)".hasPrefix("/nonexistent/m.safetensors: cannot read the file"), "\(error)")
        }
    }

    /// Writes a file and a JSON dump of its values for `scripts/check_safetensors.py` when
    /// `CONVERGE_EXPORT_DIR` is set (a manual interoperability check; otherwise it only checks the
    /// round trip).
    func testExportForPythonCheck() throws {
        let exportPath = ProcessInfo.processInfo.environment["CONVERGE_EXPORT_DIR"]
        let directory = try exportPath.map { URL(fileURLWithPath: $0) } ?? makeIOTestDirectory()
        Random.seed(7)
        let tensors: [(String, Tensor)] = [
            ("encoder.0.weight", Tensor.randomNormal([4, 3])), ("encoder.0.bias", Tensor.randomNormal([4])),
            ("head.weight", Tensor.randomNormal([2, 4])), ("step", Tensor(12)), ("images", Tensor.randomUniform([2, 1, 3, 3])),
        ]
        let url = directory.appendingPathComponent("converge.safetensors")
        try Safetensors.write(tensors, metadata: ["format": "pt", "producer": "converge"], to: url)
        var dump: [String: Any] = [:]
        for (name, t) in tensors { dump[name] = ["shape": t.shape, "data": t.scalars.map(Double.init)] }
        let json = try JSONSerialization.data(withJSONObject: ["tensors": dump, "order": tensors.map { $0.0 },
                                                               "metadata": ["format": "pt", "producer": "converge"]])
        try json.write(to: directory.appendingPathComponent("converge.safetensors.json"))
        XCTAssertEqual(try Safetensors.read(contentsOf: url).tensors.count, 5)
    }
}
