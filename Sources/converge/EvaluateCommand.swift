import ArgumentParser
import Converge
import Foundation

/// `converge evaluate --model RUN --data FILE [--json]`.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate a trained run folder on labelled data: the loss and the metrics of its task.",
        discussion: """
        The CSV file needs the training data's feature columns and its label column. Classification
        prints accuracy, ROC AUC, precision, recall and F1 (binary) or accuracy, top-5 accuracy and
        macro F1 (multi-class); regression prints MSE and MAE.
        """)

    @Option(help: "A folder written by `converge train`.")
    var model: String

    @Option(help: "A CSV file with the training data's feature columns and label column.")
    var data: String

    @Flag(help: "Print the metrics as one JSON object.")
    var json = false

    func run() throws {
        try reportingErrors("evaluate") {
            let trained = try TrainedModel(directory: URL(fileURLWithPath: model))
            let evaluation = try trained.evaluate(csv: URL(fileURLWithPath: data))
            print(json ? evaluation.json : "\(evaluation.rows) rows of \(data)\n" + evaluation.text, terminator: "")
        }
    }
}
