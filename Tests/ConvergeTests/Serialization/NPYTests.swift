import XCTest
import ConvergeTestSupport
@testable import Converge

/// The `.npy` files here were written by `numpy.save` (NumPy 2.x) and embedded as base64, so the
/// tests check against NumPy's real output without needing Python.
final class NPYTests: XCTestCase {
    static let numpy: [String: String] = [
        "f4_2x3": "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAMA/AAAAwAAAQEAAAIBAAACoQAAAwMA=",
        "f8_3": "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAqamZmZmZm5PwAAACBfoALCAAAAAAAABEA=",
        "i4_2x2": "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDIpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAAA/v///wMAAAD///9/",
        "i8_2x1x2": "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDEsIDIpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoHAAAAAAAAAPj/////////CQAAAAAAAAAKAAAAAAAAAA==",
        "scalar_f4": "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAGBA",
        "f2_3": "k05VTVBZAQB2AHsnZGVzY3InOiAnPGYyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAPAC4/3s=",
        "bool_3": "k05VTVBZAQB2AHsnZGVzY3InOiAnfGIxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAE=",
        "u1_2": "k05VTVBZAQB2AHsnZGVzY3InOiAnfHUxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoA/w==",
        "big_f4": "k05VTVBZAQB2AHsnZGVzY3InOiAnPmY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo/gAAAQAAAAA==",
        "fortran": "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAABAQAAAgD8AAIBAAAAAQAAAoEA=",
        "c8": "k05VTVBZAQB2AHsnZGVzY3InOiAnPGM4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDEsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAIA/AAAAQA==",
    ]

    func numpyFile(_ name: String) -> Data { Data(base64Encoded: Self.numpy[name]!)! }

    func testReadsNumPyDtypesAndRanks() throws {
        var t = try NPY.decode(numpyFile("f4_2x3"))
        XCTAssertEqual(t.shape, [2, 3])
        XCTAssertEqual(t.scalars, [1.5, -2, 3, 4, 5.25, -6])
        t = try NPY.decode(numpyFile("f8_3"))
        XCTAssertEqual(t.shape, [3])
        XCTAssertEqual(t.scalars, [0.1, -1e10, 2.5])
        t = try NPY.decode(numpyFile("i4_2x2"))
        XCTAssertEqual(t.scalars, [1, -2, 3, 2_147_483_648])  // 2³¹ − 1 rounds to 2³¹ in float32
        t = try NPY.decode(numpyFile("i8_2x1x2"))
        XCTAssertEqual(t.shape, [2, 1, 2])
        XCTAssertEqual(t.scalars, [7, -8, 9, 10])
        t = try NPY.decode(numpyFile("scalar_f4"))
        XCTAssertEqual(t.shape, [])
        XCTAssertEqual(t.scalars, [3.5])
        XCTAssertEqual(try NPY.decode(numpyFile("f2_3")).scalars, [1, -0.5, 65504])
        XCTAssertEqual(try NPY.decode(numpyFile("bool_3")).scalars, [1, 0, 1])
        XCTAssertEqual(try NPY.decode(numpyFile("u1_2")).scalars, [0, 255])
    }

    func testWriteMatchesNumPyBytesAndRoundTrips() throws {
        // numpy.save of the same float32 array produces exactly these bytes.
        let t = Tensor(shape: [2, 3], scalars: [1.5, -2, 3, 4, 5.25, -6])
        XCTAssertEqual(NPY.encode(t), numpyFile("f4_2x3"))
        XCTAssertEqual(NPY.encode(Tensor(3.5)), numpyFile("scalar_f4"))
        let url = try makeIOTestDirectory().appendingPathComponent("x.npy")
        let r = Tensor(shape: [2, 1, 3], scalars: [0, 1, 2, 3, 4, 5])
        try NPY.write(r, to: url)
        let back = try NPY.read(contentsOf: url)
        XCTAssertEqual(back.shape, [2, 1, 3])
        XCTAssertEqual(back.scalars, r.scalars)
        XCTAssertEqual(NPY.encode(r).count % 4, 0)
        XCTAssertEqual((NPY.encode(r).count - 24) % 64, 0)  // header block is 64-byte aligned
    }

    func expectMalformed(_ data: Data, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try NPY.decode(data, file: "a.npy"), file: file, line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("a.npy: NPY: "), text, file: file, line: line)
            XCTAssertTrue(text.contains(fragment), text, file: file, line: line)
        }
    }

    func testMalformedFilesNameTheFileAndTheProblem() {
        expectMalformed(Data("hello world".utf8), "missing the \\x93NUMPY magic")
        expectMalformed(numpyFile("big_f4"), "big-endian dtype '>f4' is not supported")
        expectMalformed(numpyFile("fortran"), "Fortran-order")
        expectMalformed(numpyFile("c8"), "dtype '<c8' is not supported")
        expectMalformed(numpyFile("f4_2x3").dropLast(4), "needs 24 data bytes, the file has 20")
        var badVersion = numpyFile("f4_2x3")
        badVersion[6] = 9
        expectMalformed(badVersion, "unsupported format version 9.0")
        var longHeader = numpyFile("f4_2x3")
        longHeader[8] = 0xFF
        longHeader[9] = 0xFF
        expectMalformed(longHeader, "runs past the end")
        expectMalformed(npy(header: "{'descr'\n"), "header is not a Python dict literal")
        expectMalformed(npy(header: "{'descr': '<f4', 'fortran_order': False}\n"), "no 'shape' tuple")
        expectMalformed(npy(header: "{'descr': '<f4', 'shape': (1,)}\n"), "no boolean 'fortran_order'")
        expectMalformed(npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}\n"), "shape entry -1")
    }

    /// A version 1.0 file with `header` and no data.
    func npy(header: String) -> Data {
        Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.utf8.count), 0]) + Data(header.utf8)
    }

    func testMissingFileIsUnreadable() {
        XCTAssertThrowsError(try NPY.read(contentsOf: URL(fileURLWithPath: "/nonexistent/x.npy"))) { error in
            guard case .unreadable = (error as? DataFileError)?.reason else { return XCTFail("\(error)") }
        }
    }
}
