/// Why a demo dataset could not be loaded.
public enum DemoDataError: Error, CustomStringConvertible {
    /// The bundled data file is not where the package resources should be.
    case resourceMissing(name: String, hint: String)
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// A line of the file does not hold what it should.
    case malformedRow(path: String, line: Int, reason: String)
    /// The file holds no examples.
    case empty(path: String)

    /// A one-line explanation naming the file (and line).
    public var description: String {
        switch self {
        case .resourceMissing(let name, let hint):
            return "bundled data file \(name) not found; \(hint)"
        case .unreadable(let path, let reason):
            return "\(path): cannot read: \(reason)"
        case .malformedRow(let path, let line, let reason):
            return "\(path):\(line): \(reason)"
        case .empty(let path):
            return "\(path): no examples"
        }
    }
}
