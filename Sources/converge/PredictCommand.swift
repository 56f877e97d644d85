import ArgumentParser
import Converge
import ConvergeExamples
import Foundation

/// `converge predict --model DIR --data FILE [--output FILE]`.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict with a trained run folder; writes CSV (probability/prediction per row).")

    @Option(help: "A folder written by `converge train`.")
    var model: String

    @Option(help: "A CSV file with the training data's feature columns (a label column is ignored).")
    var data: String

    @Option(help: "Write the predictions here instead of standard output.")
    var output: String?

    func run() throws {
        try reportingErrors("predict") {
            let trained = try TrainedModel(directory: URL(fileURLWithPath: model))
            let csv = trained.predictionsCSV(for: try trained.features(fromCSV: URL(fileURLWithPath: data)))
            if let output {
                try AtomicFile.write(Data(csv.utf8), to: URL(fileURLWithPath: output))
            } else {
                print(csv, terminator: "")
            }
        }
    }
}
