import Converge
import ConvergeCore
import Foundation

/// libFuzzer entry: the bytes are an `.npy` file. A file error is the expected outcome for
/// garbage; anything else (a trap, a sanitizer report) is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPY(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    guard let tensor = try? NPY.decode(data, file: "fuzz.npy") else { return 0 }
    // Touch every value, and round-trip what was read.
    _ = tensor.scalars.reduce(0, +)
    let again = try? NPY.decode(NPY.encode(tensor), file: "roundtrip.npy")
    precondition(again?.shape == tensor.shape, "NPY round trip changed the shape")
    return 0
}
