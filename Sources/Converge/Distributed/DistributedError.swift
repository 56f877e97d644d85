/// Why a data-parallel operation failed. Every case reads as one line.
public enum DistributedError: Error, CustomStringConvertible, Equatable {
    /// Open MPI's library could not be loaded or is not Open MPI.
    case libraryUnavailable(String)
    /// An MPI call returned an error code.
    case callFailed(call: String, rank: Int, message: String)
    /// The process was started by `mpirun` but MPI could not be initialized.
    case initializationFailed(String)
    /// Ranks disagree on something that must be identical (sizes, counts).
    case mismatch(rank: Int, message: String)
    /// Another rank reported an error and printed it; this rank stops without printing.
    case failedOnAnotherRank(rank: Int)
    /// A launch option is not usable (e.g. `--processes 0`, or no `mpirun` on the PATH).
    case launch(String)

    /// One line naming the call and the rank where there is one.
    public var description: String {
        switch self {
        case .libraryUnavailable(let reason): return "Open MPI is not available: \(reason)"
        case .callFailed(let call, let rank, let message): return "\(call) failed on rank \(rank): \(message)"
        case .initializationFailed(let reason): return "MPI_Init failed: \(reason)"
        case .mismatch(let rank, let message): return "rank \(rank): \(message)"
        case .failedOnAnotherRank(let rank): return "stopped because rank \(rank) failed"
        case .launch(let message): return message
        }
    }
}
