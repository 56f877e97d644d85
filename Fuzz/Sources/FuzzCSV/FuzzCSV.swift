import Converge
import ConvergeCore
import Foundation

let folder = FileManager.default.temporaryDirectory.appendingPathComponent("converge-fuzz-csv-\(getpid())")
let url = folder.appendingPathComponent("data.csv")

/// libFuzzer entry: the bytes are a CSV file, read as `train` reads it: parsed, then encoded
/// with the last column as the label for classification and regression, with and without a
/// categorical column and missing-value imputation, and split for validation.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    guard (try? data.write(to: url)) != nil else { return 0 }
    for delimiter: Character in [",", ";"] {
        guard let table = try? CSVTable(contentsOf: url, delimiter: delimiter), let label = table.columnNames.last else { continue }
        let first = table.columnNames.first.map { [$0] } ?? []
        let variants: [(LearningTask, [String], MissingValuePolicy)] = [
            (.classification(numClasses: 3), [], .error),
            (.regression, [], .mean),
            (.classification(numClasses: 1_000_000), first, .median),
            (.regression, first, .mostFrequent),
        ]
        for (task, categorical, missing) in variants {
            guard let encoding = try? TableEncoding(fitting: table, labelColumn: label, task: task,
                                                    categorical: categorical.filter { $0 != label }, missing: missing),
                  let dataset = try? encoding.dataset(of: table, task: task) else { continue }
            let split = randomSplit(dataset.dataset, validationFraction: 0.5, seed: 1)
            _ = (split.train.count, split.validation.count)
        }
    }
    return 0
}
