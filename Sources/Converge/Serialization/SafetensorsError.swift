/// A safetensors file that cannot be read (or a set of tensors that cannot be written).
///
/// Its ``description`` names the file and, where one is involved, the tensor:
/// `model.safetensors: tensor "fc.weight": data_offsets [0, 96] do not match shape [4, 8] of F32 (128 bytes)`.
public struct SafetensorsError: Error, CustomStringConvertible, Equatable {
    /// The file's path.
    public let file: String
    /// The tensor concerned, if any.
    public let tensor: String?
    /// What is wrong.
    public let message: String

    /// Creates an error.
    public init(file: String, tensor: String? = nil, message: String) {
        self.file = file
        self.tensor = tensor
        self.message = message
    }

    /// `file: tensor "name": message`.
    public var description: String {
        "\(file): " + (tensor.map { "tensor \"\($0)\": " } ?? "") + message
    }
}
