// The version, written here and nowhere else: `--version`, the User-Agent, the man page, the Debian
// package and the release tarball all take it from this file (.ci/package reads the line below).
// Release builds made by .ci/package also record the commit and how they were packaged; a build
// from source leaves both empty and says so.
public enum BuildInfo {
    public static let version = "0.3.0"
    /// The commit a release build was made from (.ci/package writes it into its copy of the tree).
    public static let commit = ""
    /// How a release build is shipped: "Debian package" or "release tarball" (.ci/package).
    public static let packaging = ""

    /// `0.3.0 (commit 1a2b3c4d5e6f, Debian package)`, or `0.3.0 (built from source)`.
    public static var description: String {
        let made = [commit.isEmpty ? nil : "commit \(commit)", packaging.isEmpty ? nil : packaging].compactMap { $0 }
        return "\(version) (\(made.isEmpty ? "built from source" : made.joined(separator: ", ")))"
    }
}
