import Converge
import ConvergeCore
import Foundation

/// A small model whose state dict a fuzzed file is loaded into (names `0.weight`, `0.bias`, …).
let model = Sequential { Linear(3, 4); ReLU(); Linear(4, 2) }
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("converge-fuzz-safetensors-\(getpid())")
let url = folder.appendingPathComponent("model.safetensors")

/// libFuzzer entry: the bytes are a `.safetensors` file, decoded and, when they decode, loaded
/// into a model (strict and non-strict), as `predict` and `--resume` do.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    guard let file = try? Safetensors.decode(data, file: "fuzz.safetensors") else { return 0 }
    for (_, tensor) in file.tensors { _ = tensor.scalars.reduce(0, +) }
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    guard (try? data.write(to: url)) != nil else { return 0 }
    _ = try? model.loadSafetensors(from: url, strict: true)
    _ = try? model.loadSafetensors(from: url, strict: false)
    return 0
}
