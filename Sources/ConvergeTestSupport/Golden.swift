import ConvergeCore
import Foundation

/// Reads golden files written by `scripts/goldens/*.py`: JSON objects mapping a name to
/// `{"shape": [..], "data": [..]}` (or to plain numbers / arrays for scalars and lists).
public struct Golden {
    /// The decoded JSON object.
    public let root: [String: Any]

    /// Loads `path`.
    public init(contentsOf url: URL) throws {
        let data = try Data(contentsOf: url)
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        root = object
    }

    /// Loads a fixture from a test bundle's `Fixtures` folder, e.g. `load("ops", from: .module)`.
    public init(_ name: String, bundle: Bundle, subdirectory: String = "Fixtures") throws {
        guard let url = bundle.url(forResource: name, withExtension: "json", subdirectory: subdirectory) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "\(subdirectory)/\(name).json"])
        }
        try self.init(contentsOf: url)
    }

    /// The entry `key` (nested keys separated by `/`) as a tensor.
    public func tensor(_ key: String) -> Tensor {
        let value = lookup(key)
        if let dict = value as? [String: Any], let shape = dict["shape"] as? [Int], let data = dict["data"] as? [Any] {
            return Tensor(shape: shape, scalars: data.map(Golden.float))
        }
        if let array = value as? [Any] { return Tensor(array.map(Golden.float)) }
        return Tensor(Golden.float(value as Any))
    }

    /// The entry `key` as a list of floats.
    public func floats(_ key: String) -> [Float] { tensor(key).scalars }

    /// The entry `key` as a number.
    public func number(_ key: String) -> Double { Double(Golden.float(lookup(key) as Any)) }

    /// The raw entry `key` (nested keys separated by `/`).
    public func lookup(_ key: String) -> Any? {
        var current: Any? = root
        for part in key.split(separator: "/") { current = (current as? [String: Any])?[String(part)] }
        return current
    }

    static func float(_ value: Any) -> Float {
        if let n = value as? NSNumber { return n.floatValue }
        if let s = value as? String {
            switch s { case "nan", "NaN": return .nan; case "inf", "Infinity": return .infinity
            case "-inf", "-Infinity": return -.infinity; default: return Float(s) ?? .nan }
        }
        return .nan
    }
}

/// Describes the worst element where `actual` and `expected` differ by more than
/// `atol + rtol · |expected|`, or returns `nil` when all agree (NaN matches NaN).
public func mismatch(_ actual: [Float], _ expected: [Float], rtol: Float = 1e-5, atol: Float = 1e-6) -> String? {
    guard actual.count == expected.count else { return "count \(actual.count) ≠ expected \(expected.count)" }
    var worst: (Int, Float)?
    for i in 0..<actual.count {
        let a = actual[i], e = expected[i]
        if a.isNaN && e.isNaN { continue }
        if a == e { continue }
        let error = abs(a - e)
        let allowed = atol + rtol * abs(e)
        if !(error <= allowed) {
            let score = error / allowed
            if worst == nil || score > worst!.1 || score.isNaN { worst = (i, score) }
        }
    }
    guard let (i, _) = worst else { return nil }
    return "element \(i): \(actual[i]) vs expected \(expected[i]) (rtol \(rtol), atol \(atol))"
}

/// `mismatch` for tensors, also checking shapes.
public func mismatch(_ actual: Tensor, _ expected: Tensor, rtol: Float = 1e-5, atol: Float = 1e-6) -> String? {
    guard actual.shape == expected.shape else { return "shape \(actual.shape) ≠ expected \(expected.shape)" }
    return mismatch(actual.scalars, expected.scalars, rtol: rtol, atol: atol)
}
