import Foundation

/// One recommendation of the doctor: a remedy from the catalogue, said in the recipe's terms,
/// with the findings that call for it. A report holds at most one per kind of change
/// (``Remedy/kind``), so it cannot say "lower the learning rate" and "raise it" at once.
public struct DoctorRecommendation: Equatable, Sendable, CustomStringConvertible {
    /// The change.
    public var remedy: Remedy
    /// The change in the recipe's terms (`reduce the learning rate from 0.5 to 0.05 (optimizer.lr)`).
    public var text: String
    /// The checks whose findings call for it.
    public var checks: [String]
    /// The most serious of those findings.
    public var status: DoctorFinding.Status

    /// `text (for gradient-flow, loss-spikes)`.
    public var description: String { "\(text) (for \(checks.joined(separator: ", ")))" }
}
