/// A problem in a recipe file: names the file, the line when known, and the field.
public struct RecipeError: Error, CustomStringConvertible, Equatable {
    /// The recipe file (as given).
    public let file: String
    /// 1-based line of the offending value, when known.
    public let line: Int?
    /// The dotted field path, e.g. `optimizer.lr` or `model.layers[2].conv1d.kernel`.
    public let field: String
    /// What is wrong.
    public let message: String

    /// Creates an error.
    public init(file: String, line: Int?, field: String, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    /// `recipe.yaml:7: optimizer.lr: expected a number, got 'fast'`.
    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        return field.isEmpty ? "\(place): \(message)" : "\(place): \(field): \(message)"
    }
}
