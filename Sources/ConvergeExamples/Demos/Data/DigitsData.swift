import Converge
import Foundation
import ConvergeCore

/// The UCI optical handwritten digits: 1,797 grayscale 8×8 images of the digits 0–9 (E. Alpaydin
/// and C. Kaynak, 1998; CC BY 4.0 — see `Resources/DIGITS-LICENSE.txt`), bundled with Converge
/// as the plain CSV of the `digits.csv.gz` that scikit-learn ships.
///
/// ```swift
/// let digits = try DigitsData.load()
/// let (train, test) = digits.trainTestSplit()   // 1,437 / 360 examples, features in [0, 1]
/// ```
///
/// ## Where the file comes from
///
/// ``load(from:)`` reads, in this order: the URL you pass; the file named by the environment
/// variable `CONVERGE_DIGITS_PATH`; the copy in Converge's resource bundle (`Bundle.module`,
/// the `Converge_ConvergeExamples.resources` folder SwiftPM builds next to the executable). Set the
/// variable (or pass a URL) if you move an executable away from its build folder without that
/// bundle. The file is plain CSV; each row holds
/// 64 pixel counts (0–16, row-major) and the label (0–9).
///
/// ## The split
///
/// ``trainTestSplit()`` is fixed: the first ⌊0.8·N⌋ rows train, the rest test — the first
/// 1,437 and last 360 of the 1,797 images, the sizes scikit-learn's
/// `train_test_split(test_size=0.2)` gives, but without shuffling, so PyTorch code reproduces
/// it with `X[:1437], X[1437:]`. Every class has 33–37 test images.
public struct DigitsData {
    /// The environment variable that overrides the bundled file's path.
    public static let pathEnvironmentVariable = "CONVERGE_DIGITS_PATH"
    /// Side length of each image.
    public static let imageSide = 8
    /// Number of classes.
    public static let classCount = 10

    /// Pixels of shape [count, 64], row-major 8×8 images, scaled from 0–16 to [0, 1].
    public let images: Tensor
    /// The digit shown in each image.
    public let labels: [Int]

    /// Number of images.
    public var count: Int { labels.count }

    /// The images as [count, 1, 8, 8] (batch, channel, height, width) for convolutional layers.
    public var imagesWithChannel: Tensor { images.reshaped([count, 1, Self.imageSide, Self.imageSide]) }

    /// Images [count, 64] with their labels as `Float` class indices.
    public var examples: LabeledExamples {
        LabeledExamples(features: images, labels: Tensor(labels.map { Float($0) }))
    }

    /// Number of rows in the training part of ``trainTestSplit()``: ⌊0.8·count⌋.
    public var trainCount: Int { count * 4 / 5 }

    /// The fixed split: the first ``trainCount`` images train, the rest test.
    public func trainTestSplit() -> (train: LabeledExamples, test: LabeledExamples) {
        let all = examples
        return (all.rows(0..<trainCount), all.rows(trainCount..<count))
    }

    /// Wraps loaded images [N, 64] and labels.
    public init(images: Tensor, labels: [Int]) {
        precondition(images.shape == [labels.count, Self.imageSide * Self.imageSide],
                     "DigitsData: images shape \(images.shape) does not match \(labels.count) labels of 64 pixels")
        self.images = images
        self.labels = labels
    }

    /// Loads the digits from `url`, or else from the file named by `CONVERGE_DIGITS_PATH`, or else
    /// from the copy bundled with Converge.
    public static func load(from url: URL? = nil) throws -> DigitsData {
        let source = try url ?? ProcessInfo.processInfo.environment[pathEnvironmentVariable].map {
            URL(fileURLWithPath: $0)
        } ?? bundledFileURL()
        let path = source.path
        let raw: [UInt8]
        do {
            raw = [UInt8](try Data(contentsOf: source))
        } catch {
            throw DemoDataError.unreadable(path: path, reason: error.localizedDescription)
        }
        return try parse(csv: raw, path: path)
    }

    /// The URL of the bundled `digits.csv`.
    public static func bundledFileURL() throws -> URL {
        guard let url = Bundle.module.url(forResource: "digits", withExtension: "csv", subdirectory: "Resources") else {
            throw DemoDataError.resourceMissing(
                name: "digits.csv",
                hint: "set \(pathEnvironmentVariable) to its path or pass DigitsData.load(from:)")
        }
        return url
    }

    /// Parses rows of 65 comma-separated integers (blank lines are skipped).
    static func parse(csv: [UInt8], path: String) throws -> DigitsData {
        let pixelsPerImage = imageSide * imageSide
        var pixels: [Float] = []
        var labels: [Int] = []
        pixels.reserveCapacity(1797 * pixelsPerImage)
        var line = 1
        var fields: [Int] = []
        var value = 0
        var digits = 0
        var index = 0

        func finishField() throws {
            guard digits > 0 else {
                throw DemoDataError.malformedRow(path: path, line: line, reason: "field \(fields.count + 1) is empty")
            }
            fields.append(value)
            value = 0
            digits = 0
        }
        func finishRow() throws {
            if fields.isEmpty && digits == 0 { return }   // blank line
            try finishField()
            guard fields.count == pixelsPerImage + 1 else {
                throw DemoDataError.malformedRow(path: path, line: line,
                                                 reason: "expected \(pixelsPerImage + 1) values (64 pixels and a label), found \(fields.count)")
            }
            for (column, pixel) in fields.prefix(pixelsPerImage).enumerated() {
                guard pixel <= 16 else {
                    throw DemoDataError.malformedRow(path: path, line: line, reason: "pixel \(column + 1) is \(pixel), outside 0...16")
                }
                pixels.append(Float(pixel) / 16)
            }
            guard let label = fields.last, label < classCount else {
                throw DemoDataError.malformedRow(path: path, line: line, reason: "label \(fields.last ?? -1) is outside 0...9")
            }
            labels.append(label)
            fields.removeAll(keepingCapacity: true)
        }

        while index < csv.count {
            let byte = csv[index]
            index += 1
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard digits < 9 else {
                    throw DemoDataError.malformedRow(path: path, line: line, reason: "field \(fields.count + 1) is too long")
                }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
            case UInt8(ascii: ","):
                try finishField()
            case UInt8(ascii: "\n"):
                try finishRow()
                line += 1
            case UInt8(ascii: "\r"), UInt8(ascii: " "):
                continue
            default:
                let shown = byte >= 32 && byte < 127 ? "'\(Character(UnicodeScalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
                throw DemoDataError.malformedRow(path: path, line: line,
                                                 reason: "unexpected \(shown) in field \(fields.count + 1) (expected non-negative integers)")
            }
        }
        try finishRow()
        guard !labels.isEmpty else { throw DemoDataError.empty(path: path) }
        return DigitsData(images: Tensor(shape: [labels.count, pixelsPerImage], scalars: pixels), labels: labels)
    }
}
