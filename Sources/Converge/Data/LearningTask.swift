/// What a label column means: a class id (classification) or a real-valued target (regression).
///
/// Write `.regression`, `.classification` (the number of classes is the largest label plus one)
/// or `.classification(numClasses: k)` (labels must be in `0..<k`).
public struct LearningTask: Equatable, CustomStringConvertible {
    /// Whether labels are class ids.
    public let isClassification: Bool
    /// The number of classes, when fixed in advance (classification only).
    public let numClasses: Int?

    private init(isClassification: Bool, numClasses: Int?) {
        self.isClassification = isClassification
        self.numClasses = numClasses
    }

    /// Real-valued targets: any finite number.
    public static let regression = LearningTask(isClassification: false, numClasses: nil)
    /// Class ids `0, 1, 2, …`; the number of classes is inferred from the largest id.
    public static let classification = LearningTask(isClassification: true, numClasses: nil)
    /// Class ids in `0..<numClasses`.
    public static func classification(numClasses: Int) -> LearningTask {
        precondition(numClasses >= 1, "LearningTask.classification: numClasses must be at least 1, got \(numClasses)")
        return LearningTask(isClassification: true, numClasses: numClasses)
    }

    /// `regression`, `classification` or `classification(numClasses: k)`.
    public var description: String {
        guard isClassification else { return "regression" }
        return numClasses.map { "classification(numClasses: \($0))" } ?? "classification"
    }
}
