// The one error type for configuration the core validates itself (the base URL); the CLI uses it
// for its own configuration (config file, key sources) as well.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// What kind of fix it needs: a key, a file repaired, or a setting's value changed.
    public enum Category: Sendable { case credentials, file, value }
    public let message: String
    public let hint: String?
    public let category: Category
    public init(_ message: String, hint: String? = nil, category: Category = .value) {
        self.message = message; self.hint = hint; self.category = category
    }
    public var description: String { message }
}
