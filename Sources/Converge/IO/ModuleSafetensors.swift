import Foundation

extension Module {
    /// Saves the model's parameters and buffers (``stateDict()``, dotted names in model order) as
    /// a safetensors file, atomically; PyTorch loads it with `safetensors.torch.load_file` and
    /// `model.load_state_dict` when the architectures match.
    public func saveSafetensors(to url: URL, metadata: [String: String] = [:]) throws {
        try Safetensors.write(stateDict(), metadata: metadata, to: url)
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
        try loadStateDict(file.tensors, strict: strict)
        return file.metadata
    }
}
