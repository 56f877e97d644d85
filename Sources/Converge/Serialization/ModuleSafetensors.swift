import Foundation

extension Module {
    /// Saves the model's parameters and buffers (dotted names in model order) as a safetensors
    /// file, atomically. Names are spelled as PyTorch spells them by default (`1.running_mean`),
    /// so `model.load_state_dict(safetensors.torch.load_file(path))` works for the same
    /// architecture in PyTorch.
    public func saveSafetensors(to url: URL, metadata: [String: String] = [:], keyStyle: StateDictKeyStyle = .pytorch) throws {
        try Safetensors.write(stateDict(keyStyle: keyStyle), metadata: metadata, to: url)
    }

    /// Loads parameters and buffers from a safetensors file (any stored float type is converted
    /// to float32).
    ///
    /// - Returns: the file's metadata.
    /// - Throws: ``SafetensorsError`` for an unreadable file, ``StateDictError`` for missing,
    ///   unexpected (when `strict`) or mis-shaped tensors; the model is unchanged when it throws.
    @discardableResult
    public func loadSafetensors(from url: URL, strict: Bool = true) throws -> [String: String] {
        let file = try Safetensors.read(contentsOf: url)
        // Accept either spelling: PyTorch's (what saveSafetensors writes) or Swift's.
        let pytorchKeys = Set(stateDict(keyStyle: .pytorch).map { $0.0 })
        let style: StateDictKeyStyle = file.tensors.contains { pytorchKeys.contains($0.0) } ? .pytorch : .swift
        try loadStateDict(file.tensors, strict: strict, keyStyle: style)
        return file.metadata
    }
}
