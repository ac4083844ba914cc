// `elevenlabs config`: the settings in force and where each came from (`show`), and editing the
// config file from the shell (`set`, `unset`) atomically, keeping its comments, private (0600) when
// it holds a key. `path` prints where the file is.
#if canImport(Glibc)
import Glibc
#endif
import ElevenLabsAPI

enum ConfigCommand {
    /// The settings `config show` lists, in its order (the config file's keys, but the key file's
    /// path, which shows as the key's source, and with the cache's cap).
    static let shownSettings = ["api_key", "base_url", "voice", "model", "format", "device", "dictionary", "cache_max_mb"]

    struct Row: Encodable {
        let setting: String
        let value: String?
        let source: String
    }

    static func run(_ inv: Invocation, _ context: Context) throws {
        guard let path = ConfigFile.defaultPath(environment: context.environment) else {
            throw CLIError("no config file location: neither XDG_CONFIG_HOME nor HOME is set", exit: .input)
        }
        switch inv.operands.first {
        case nil, "show": try show(inv, context, path: path)
        case "path":
            try context.out(path + "\n")
        case "set":
            guard inv.operands.count == 3 else {
                throw UsageError("'config set' needs a setting and a value", hint: "e.g. elevenlabs config set voice Roger", command: "config")
            }
            try edit(path, key: inv.operands[1], value: inv.operands[2], inv, context)
        case "unset":
            guard inv.operands.count == 2 else {
                throw UsageError("'config unset' needs one setting", hint: "e.g. elevenlabs config unset voice", command: "config")
            }
            try edit(path, key: inv.operands[1], value: nil, inv, context)
        case let verb?:
            let near = nearest(verb, in: ["show", "set", "unset", "path"]).map { "; did you mean '\($0)'?" } ?? ""
            throw UsageError("unknown action 'config \(verb)'\(near)", command: "config")
        }
    }

    /// Each setting, its value and where it came from: the environment, the config file and line,
    /// or the default. The key is masked.
    static func show(_ inv: Invocation, _ context: Context, path: String) throws {
        let config = try ConfigFile.load(path: path, lenient: true)
        for (_, message) in config?.ignored ?? [] { context.err("elevenlabs: warning: \(message)\n") }
        let env = context.environment
        var rows: [Row] = []
        let key = try? Credentials.resolve(keyFileOption: nil, environment: env, config: config)
        rows.append(Row(setting: "api_key", value: key.map { Redaction.mask($0.key) }, source: key.map { "\($0.source)" } ?? "not set"))
        let layered: [(String, String?, String)] = [
            ("base_url", "ELEVENLABS_BASE_URL", ClientConfiguration.defaultBaseURL), ("voice", "ELEVENLABS_VOICE", "George"),
            ("model", "ELEVENLABS_MODEL", Resolve.defaultModel), ("format", nil, OutputFormat.safeDefault.name),
            ("device", "ELEVENLABS_DEVICE", "default"), ("dictionary", nil, "none"),
        ]
        for (name, variable, fallback) in layered {
            if let variable, let v = env[variable] { rows.append(Row(setting: name, value: v, source: variable)) }
            else if let v = config?[name] { rows.append(Row(setting: name, value: v, source: config!.source(of: name))) }
            else { rows.append(Row(setting: name, value: fallback, source: "default")) }
        }
        if let v = env["ELEVENLABS_CACHE_MAX_MB"] { rows.append(Row(setting: "cache_max_mb", value: v, source: "ELEVENLABS_CACHE_MAX_MB")) }
        else if let v = config?["cache_max_mb"] { rows.append(Row(setting: "cache_max_mb", value: v, source: config!.source(of: "cache_max_mb"))) }
        else { rows.append(Row(setting: "cache_max_mb", value: "512", source: "default")) }
        if inv.flag(.json) {
            // An object keyed by setting, so a script reads `.voice.value` without a search.
            struct Entry: Encodable { let value: String?; let source: String }
            let object = Dictionary(rows.map { ($0.setting, Entry(value: $0.value, source: $0.source)) }, uniquingKeysWith: { a, _ in a })
            try context.out(JSONFields.render(object, inv))
            return
        }
        try context.out(Output.table(["SETTING", "VALUE", "SOURCE"], rows.map { [$0.setting, $0.value ?? "(none)", $0.source] }, kinds: [.fixed, .name, .text], context: context))
        if config == nil { context.err("elevenlabs: no config file yet; 'elevenlabs config set NAME VALUE' makes \(path)\n") }
    }

    /// Sets (or with nil, removes) one setting: its line is replaced in place, or a new one added;
    /// every other line, comments included, stays as it was. Several at once never lose one another's
    /// change (a lock around the read, change and write), and a config that is a symbolic link (a
    /// dotfiles repository) is written through the link, so the two never drift apart.
    static func edit(_ path: String, key: String, value: String?, _ inv: Invocation, _ context: Context) throws {
        let present = FileIO.exists(path) ? try ConfigFile.load(path: path, lenient: true) : nil
        // An unknown name may still be removed when the file has it: that is how a typo is mended.
        let removingUnknown = value == nil && present?.ignored.contains { $0.message.contains("unknown setting '\(key)'") } == true
        guard ConfigFile.knownKeys.contains(key) || removingUnknown else {
            let near = nearest(key, in: ConfigFile.knownKeys).map { "; did you mean '\($0)'?" } ?? ""
            throw UsageError("unknown setting '\(key)'\(near)", hint: "settings: " + ConfigFile.knownKeys.joined(separator: ", "), command: "config")
        }
        if let value { try check(key, value, inv, context, config: present) }
        let target = try AtomicFile.resolve(path)
        let dir = AtomicFile.directory(of: target)
        if !FileIO.exists(dir) { _ = mkdir(AtomicFile.directory(of: dir), 0o700); _ = mkdir(dir, 0o700) }
        let lock = try lockFile(in: dir)
        defer { close(lock) } // closing releases the lock
        var lines: [String] = []
        if FileIO.exists(target) {
            let bytes = try FileIO.read(target, limit: 1 << 20)
            lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.last == "" { lines.removeLast() }
        }
        func isLine(for key: String, _ line: String) -> Bool {
            guard let eq = line.firstIndex(of: "=") else { return false }
            return line[..<eq].trimmingCharacters(in: " \t") == key
        }
        let newLine = value.map { "\(key) = \(quoted($0))" }
        var replaced = false
        let had = lines.contains { isLine(for: key, $0) }
        if value == nil && !had {
            // Nothing to remove: say so, and leave the file (and its mtime) alone.
            if !inv.flag(.quiet) { context.err("elevenlabs: \(key) is not set in \(path); nothing changed\n") }
            return
        }
        lines = lines.compactMap { line in
            guard isLine(for: key, line) else { return line }
            if replaced || newLine == nil { return nil } // later duplicates, or an unset
            replaced = true
            return newLine
        }
        if !replaced, let newLine { lines.append(newLine) }
        let holdsKey = lines.contains { isLine(for: "api_key", $0) }
        // A file that holds a key is written private, whatever it was.
        try AtomicFile.write(Array((lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n").utf8), to: target, mode: holdsKey ? 0o600 : nil)
        if !inv.flag(.quiet) {
            context.err("elevenlabs: \(value == nil ? "removed \(key) from" : "set \(key) in") \(path)\(target == path ? "" : " (\(target))")\n")
            if key == "api_key" && value != nil {
                context.err("elevenlabs: warning: the key is in your shell's history now; a key file (config set api_key_file FILE) keeps it out\n")
            }
        }
    }

    /// An exclusive lock on a file beside the config (the config itself is replaced by rename, so a
    /// lock on it would be on the old file), held until the descriptor is closed.
    static func lockFile(in dir: String) throws -> Int32 {
        let fd = open(dir + "/.config.lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw CLIError("cannot lock the config file in \(dir): \(FileIO.errnoText())", exit: .input) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else {
                let reason = FileIO.errnoText()
                close(fd)
                throw CLIError("cannot lock the config file in \(dir): \(reason)", exit: .input)
            }
            try Signals.check()
        }
        return fd
    }

    /// What each setting may hold, checked before the file is touched.
    static func check(_ key: String, _ value: String, _ inv: Invocation, _ context: Context, config: ConfigFile?) throws {
        switch key {
        case "voice":
            guard !value.utf8.contains(where: { $0 < 0x20 }) else { throw UsageError("the value holds a control character", command: "config") }
            // A misspelt voice would otherwise fail every later speak. Looked up as -v looks it up
            // (the cached list, fetched when missing); when the account cannot be reached, saved
            // with a warning rather than refused.
            do {
                let session = try Session(inv, context, config: config)
                _ = try Resolve.voiceID(value, session: session)
            } catch let e as UsageError {
                throw UsageError(e.message, hint: e.hint, command: "config")
            } catch let e as CLIError where e.exitCode == .failure {
                // No such voice, several, or a retired one: the voice list answered.
                throw UsageError(e.message, hint: e.hint, command: "config")
            } catch {
                context.err("elevenlabs: warning: could not check that the voice '\(Output.clean(value))' exists (\(Output.clean("\(error)"))); saved as given\n")
            }
        case "api_key_file":
            guard !value.utf8.contains(where: { $0 < 0x20 }) else { throw UsageError("the value holds a control character", command: "config") }
            if !value.hasPrefix("/") && !value.hasPrefix("~") && !inv.flag(.quiet) {
                context.err("elevenlabs: note: a relative api_key_file is read beside the config file, not from the current directory\n")
            }
        case "base_url": _ = try ClientConfiguration.validateBaseURL(value)
        case "format":
            guard OutputFormat(value) != nil else {
                let near = nearest(value, in: AudioFormats.names).map { "; did you mean '\($0)'?" } ?? ""
                throw UsageError("unknown format '\(value)'\(near)", hint: "'elevenlabs speak --format ?' lists them", command: "config")
            }
        case "dictionary": _ = try SpeakOptions.dictionaries(value, source: "dictionary")
        case "cache_max_mb":
            guard AudioCache.megabytes(value) != nil else {
                throw UsageError("cache_max_mb must be a number of MiB from 0 to \(AudioCache.maxMB), not '\(Output.clean(value))'",
                                 hint: "0 turns the audio cache off; the default is 512", command: "config")
            }
        case "api_key":
            guard value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                throw UsageError("the key holds a control character, a space or a non-ASCII byte", command: "config")
            }
        default:
            guard !value.utf8.contains(where: { $0 < 0x20 }) else {
                throw UsageError("the value holds a control character", command: "config")
            }
        }
    }

    /// Values with spaces or a '#' are quoted, as the file's reader expects.
    static func quoted(_ v: String) -> String {
        v.contains(" ") || v.contains("#") || v.contains("=") ? "\"\(v)\"" : v
    }
}
