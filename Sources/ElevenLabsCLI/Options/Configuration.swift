// The config file and the API key's sources, in their documented order, with the wording users see
// about them. Format of $XDG_CONFIG_HOME/elevenlabs/config: `name = value` lines, `#` comments.
#if canImport(Glibc)
import Glibc
#endif
import ElevenLabsAPI
public struct ConfigFile: Sendable {
    public static let knownKeys: [String] = ["api_key", "api_key_file", "base_url", "voice", "model", "format", "device", "dictionary", "cache_max_mb"]

    public var path: String
    public var values: [String: String]
    /// The line each setting was read from, so messages can point at it.
    public var lines: [String: Int] = [:]
    /// Set when the file holds a key and its mode lets others read it.
    public var isExposed: Bool
    /// Set when others may change it (and so point the key at a server of theirs).
    public var isWritableByOthers = false
    /// Lines that are not a known setting: ignored, each with a warning naming the line, so a typo
    /// (`voise = Roger`) never stops every command, `config unset voise` included.
    public var ignored: [(line: Int, message: String)] = []

    public subscript(key: String) -> String? { values[key] }

    /// Where the config file lives for this environment.
    public static func defaultPath(environment: [String: String]) -> String? {
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") { return xdg + "/elevenlabs/config" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.config/elevenlabs/config" }
        return nil
    }

    /// Loads the file, or nil when it does not exist. A file that exists but cannot be read or parsed
    /// is an error naming the line, never silently ignored.
    /// `lenient`: a line that is not `name = value` is ignored with a warning too (for `config`,
    /// which must be able to repair the file); otherwise it is an error.
    public static func load(path: String, lenient: Bool = false) throws -> ConfigFile? {
        guard FileIO.exists(path) else { return nil }
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path, limit: 1 << 20) } catch let e as FileError {
            throw ConfigurationError("cannot read the config file \(e)", hint: "fix its permissions or remove it", category: .file)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigurationError("the config file \(path) is not UTF-8 text", hint: "rewrite it as plain text", category: .file)
        }
        return try parse(text, path: path, lenient: lenient)
    }

    public static func parse(_ text: String, path: String, lenient: Bool = false) throws -> ConfigFile {
        var values: [String: String] = [:]
        var lines: [String: Int] = [:]
        var ignored: [(line: Int, message: String)] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: " \t\r")
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "=") else {
                // The line itself is never shown: it may be a key pasted on its own.
                if lenient { ignored.append((index + 1, "\(path):\(index + 1): not a setting ('name = value'); ignored")); continue }
                throw ConfigurationError("\(path):\(index + 1): expected a setting as 'name = value'",
                                         hint: "each setting is one line such as 'voice = Roger'; a key goes in as 'api_key = ...'", category: .file)
            }
            let key = line[..<eq].trimmingCharacters(in: " \t")
            var value = line[line.index(after: eq)...].trimmingCharacters(in: " \t")
            if value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q {
                value = String(value.dropFirst().dropLast())
            }
            guard knownKeys.contains(key) else {
                // Named only when it looks like a setting's name (never a pasted secret).
                let plausible = key.count <= 32 && key.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F }
                let near = nearest(key, in: knownKeys).map { "; did you mean '\($0)'?" } ?? ""
                ignored.append((index + 1, "\(path):\(index + 1): unknown setting" + (plausible ? " '\(key)'\(near)" : "") + "; ignored"))
                continue
            }
            values[key] = value
            lines[key] = index + 1
        }
        let exposed = values["api_key"] != nil && FileIO.isReadableByOthers(path)
        return ConfigFile(path: path, values: values, lines: lines, isExposed: exposed, isWritableByOthers: FileIO.isWritableByOthers(path),
                          ignored: ignored)
    }

    /// A path written in the file, as the file means it: `~/...` in the home directory, and a relative
    /// path beside the config file, never in whatever directory the command runs from (where a
    /// planted `.secrets/elevenlabs` would send the user's texts to someone else's account).
    public func path(of value: String, for key: String, home: String?) throws -> String {
        if value == "~" || value.hasPrefix("~/") {
            guard let home, home.hasPrefix("/") else {
                throw ConfigurationError("\(source(of: key)): '~' needs HOME to be set", hint: "write the full path", category: .file)
            }
            return home + value.dropFirst()
        }
        if value.hasPrefix("~") {
            throw ConfigurationError("\(source(of: key)): '~user' paths are not expanded", hint: "write the full path", category: .file)
        }
        if value.hasPrefix("/") { return value }
        let dir = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        return (dir.isEmpty ? "" : dir) + "/" + value
    }

    /// Where a setting came from, for messages about its value: the config file and line.
    public func source(of key: String) -> String {
        lines[key].map { "\(key) in \(path):\($0)" } ?? "\(key) in \(path)"
    }
}

/// Where the API key came from, for `elevenlabs user` and error messages (never the key itself).
public enum KeySource: Sendable, Equatable, CustomStringConvertible {
    case keyFileOption(String)
    case environment
    case environmentKeyFile(String)
    case configFile(String)
    case configKeyFile(String)

    public var description: String {
        switch self {
        case .keyFileOption(let p): return "--api-key-file \(p)"
        case .environment: return "ELEVENLABS_API_KEY"
        case .environmentKeyFile(let p): return "ELEVENLABS_API_KEY_FILE (\(p))"
        case .configFile(let p): return "config file \(p)"
        case .configKeyFile(let p): return "api_key_file in the config file (\(p))"
        }
    }
}

public enum Credentials {
    public static let missingKeyHint =
        "create a key on the ElevenLabs site (your profile, API keys); keep it in a file only you can read (chmod 600) and pass --api-key-file FILE or set ELEVENLABS_API_KEY_FILE, or set ELEVENLABS_API_KEY, or add 'api_key_file = FILE' to the config file"

    /// Finds the API key: `--api-key-file`, then `ELEVENLABS_API_KEY`, then `ELEVENLABS_API_KEY_FILE`,
    /// then the config file (`api_key`, or `api_key_file`). The first source present wins, and a source
    /// that is present but unusable is an error rather than a silent fall-through.
    public static func resolve(keyFileOption: String?, environment: [String: String],
                               config: ConfigFile?) throws -> (key: String, source: KeySource) {
        let (key, source) = try find(keyFileOption: keyFileOption, environment: environment, config: config)
        try validate(key, from: source)
        return (key, source)
    }

    private static func find(keyFileOption: String?, environment: [String: String],
                             config: ConfigFile?) throws -> (key: String, source: KeySource) {
        if let path = keyFileOption { return (try readKeyFile(path, what: "--api-key-file"), .keyFileOption(path)) }
        if let key = environment["ELEVENLABS_API_KEY"] {
            let trimmed = key.trimmingCharacters(in: " \t\r\n")
            guard !trimmed.isEmpty else {
                throw ConfigurationError("ELEVENLABS_API_KEY is set but empty", hint: "unset it or give it your key", category: .credentials)
            }
            return (trimmed, .environment)
        }
        if let path = environment["ELEVENLABS_API_KEY_FILE"], !path.isEmpty {
            return (try readKeyFile(path, what: "ELEVENLABS_API_KEY_FILE"), .environmentKeyFile(path))
        }
        if let config {
            if let key = config["api_key"], !key.isEmpty { return (key, .configFile(config.path)) }
            if let given = config["api_key_file"], !given.isEmpty {
                let path = try config.path(of: given, for: "api_key_file", home: environment["HOME"])
                return (try readKeyFile(path, what: "api_key_file in \(config.path)"), .configKeyFile(path))
            }
        }
        throw ConfigurationError("no API key found", hint: missingKeyHint, category: .credentials)
    }

    /// A key goes into an HTTP header: any control character (CR and LF above all, which would start
    /// a header of the attacker's), space or non-ASCII byte is refused, judged byte by byte (in Swift
    /// "\r\n" is one Character). The key itself is never repeated in the message.
    static func validate(_ key: String, from source: KeySource) throws {
        guard key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw ConfigurationError("the API key from \(source) holds a control character, a space or a non-ASCII byte",
                                     hint: "an ElevenLabs key is one word of letters, digits and _; copy it again from the ElevenLabs site (profile, API keys)",
                                     category: .credentials)
        }
    }

    /// Key files that others can read, with the command that fixes them (empty when all is well).
    public static func exposedKeyFile(_ source: KeySource) -> String? {
        switch source {
        case .keyFileOption(let p), .environmentKeyFile(let p), .configKeyFile(let p):
            return FileIO.isReadableByOthers(p) ? p : nil
        case .environment, .configFile: return nil
        }
    }

    static func readKeyFile(_ path: String, what: String) throws -> String {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path, limit: 64 << 10) } catch let e as FileError {
            throw ConfigurationError("cannot read the key file named by \(what): \(e)",
                                     hint: "check the path, or use ELEVENLABS_API_KEY", category: .credentials)
        }
        let key = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: " \t\r\n")
        guard !key.isEmpty, !key.utf8.contains(10), !key.utf8.contains(13) else {
            throw ConfigurationError("the key file \(path) (\(what)) must hold exactly one key on one line",
                                     hint: "write only the key into the file", category: .credentials)
        }
        return key
    }
}

/// Edit distance for "did you mean" suggestions (options, subcommands, settings).
public func nearest(_ word: String, in candidates: [String], maxDistance: Int = 3) -> String? {
    var best: (String, Int)?
    for c in candidates {
        let d = editDistance(word.lowercased(), c.lowercased())
        if d <= maxDistance, best == nil || d < best!.1 { best = (c, d) }
    }
    return best?.0
}

public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count)
    var cur = prev
    var prevPrev = prev
    for i in 1...a.count {
        cur[0] = i
        for j in 1...b.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            // Two letters swapped ("hlep") is one slip, not two.
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] { cur[j] = min(cur[j], prevPrev[j - 2] + 1) }
        }
        prevPrev = prev
        swap(&prev, &cur)
    }
    return prev[b.count]
}
