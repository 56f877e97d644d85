/// The version of Converge: the one place it is written down.
///
/// `converge --version` prints it, and the release is tagged with it, so a package can depend
/// on this exact version with `.package(url: "…/Converge.git", from: "0.2.0")`.
public enum ConvergeVersion {
    /// The semantic version of this release, `major.minor.patch`.
    public static let current = "0.2.0"
}
