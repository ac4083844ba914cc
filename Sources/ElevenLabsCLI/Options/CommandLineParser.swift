// Turns argv into an Invocation using only OptionTable: long and short options, `--opt=value` and
// `--opt value`, bundled short flags, `--`, `-` as an operand, repetition, and errors that name the
// nearest valid spelling.
import ElevenLabsAPI

public struct Invocation: Sendable {
    public var command: String
    /// True when no command was named and text was given, as in `elevenlabs "hello"`.
    public var implicitCommand = false
    /// Values by option; a flag stores "" once per use.
    public var values: [OptionName: [String]] = [:]
    public var operands: [String] = []
    /// How many operands came after `--` (text meant as text).
    public var operandsAfterDashes = 0

    public init(command: String) { self.command = command }

    /// Another command's invocation sharing the global options (`speak -m '?'` runs `models`).
    init(listing inv: Invocation, command: String) {
        self.command = command
        values = inv.values.filter { key, _ in OptionTable.spec(key).isGlobal }
    }

    public func flag(_ option: OptionName) -> Bool { values[option] != nil }
    public func value(_ option: OptionName) -> String? { values[option]?.last }
    public func all(_ option: OptionName) -> [String] { values[option] ?? [] }

    public func double(_ option: OptionName, in range: ClosedRange<Double>) throws -> Double? {
        let long = option.rawValue
        guard let raw = value(option) else { return nil }
        guard let v = Double(raw), v.isFinite else {
            throw UsageError("--\(long) needs a number, not '\(raw)'", hint: "use a value from \(fmt(range.lowerBound)) to \(fmt(range.upperBound))", command: command)
        }
        guard range.contains(v) else {
            throw UsageError("--\(long) must be from \(fmt(range.lowerBound)) to \(fmt(range.upperBound)), not \(raw)", command: command)
        }
        return v
    }

    public func integer(_ option: OptionName, in range: ClosedRange<Int>) throws -> Int? {
        let long = option.rawValue
        guard let raw = value(option) else { return nil }
        guard let v = Int(raw) else {
            throw UsageError("--\(long) needs a whole number, not '\(raw)'", hint: "use a value from \(range.lowerBound) to \(range.upperBound)", command: command)
        }
        guard range.contains(v) else {
            throw UsageError("--\(long) must be from \(range.lowerBound) to \(range.upperBound), not \(raw)", command: command)
        }
        return v
    }

    private func fmt(_ d: Double) -> String { d == d.rounded() ? String(Int(d)) : String(d) }
}

public enum ParseResult: Sendable {
    case run(Invocation)
    case help(command: String?)
    case version
}

public enum CommandLineParser {
    /// The command used when none is named (`elevenlabs "text"` speaks, like `say`).
    static let implicitCommand = "speak"

    public static func parse(_ args: [String]) throws -> ParseResult {
        var p = Parsing(args: args)
        while p.i < args.count {
            if let early = try p.step() { return early }
            p.i += 1
        }
        return try p.result()
    }

    /// The parse so far: the command, the options and operands seen, and where in argv it is.
    private struct Parsing {
        let args: [String]
        var i = 0
        var command: String? = nil
        /// True when no command was named: `speak` was taken, as text or one of its options came first.
        var implicit = false
        var values: [OptionName: [String]] = [:]
        var operands: [String] = []
        var optionsEnded = false
        /// Operands given after `--`: text on purpose, never taken for a command word.
        var afterDashes = 0

        init(args: [String]) { self.args = args }

        /// One argument; a result when it ends the parse early (`help`).
        mutating func step() throws -> ParseResult? {
            let arg = args[i]
            // `-?` asks for help as -h does (as in many tools people know); quoted, since a shell
            // would otherwise expand it against one-letter file names.
            if arg == "-?" && !optionsEnded { values[.help] = [""]; return nil }
            if optionsEnded || arg == "-" || !arg.hasPrefix("-") { return try operand(arg) }
            if arg == "--" { optionsEnded = true }
            else if arg.hasPrefix("--") { try longOption(arg) }
            else { try shortOptions(arg) }
            return nil
        }

        /// A command word (the first bare word, when it names one), `help TOPIC`, or an operand.
        mutating func operand(_ arg: String) throws -> ParseResult? {
            if command == nil && !optionsEnded {
                if arg == "help" {
                    let topic = args.dropFirst(i + 1).first { !$0.hasPrefix("-") }
                    if let t = topic, t != "options", OptionTable.command(named: t) == nil {
                        throw unknownCommand(t)
                    }
                    return .help(command: topic)
                }
                if OptionTable.command(named: arg) != nil {
                    command = arg
                    return nil
                }
            }
            if command == nil { command = implicitCommand; implicit = true }
            operands.append(arg)
            if optionsEnded { afterDashes += 1 }
            return nil
        }

        /// `--name`, `--name value`, `--name=value`.
        mutating func longOption(_ arg: String) throws {
            let body = arg.dropFirst(2)
            let name: String, inline: String?
            if let eq = body.firstIndex(of: "=") {
                name = String(body[..<eq]); inline = String(body[body.index(after: eq)...])
            } else {
                name = String(body); inline = nil
            }
            let s = try spec(long: name)
            if s.name == .json {
                // `--json` alone prints every field; `--json=FIELDS`, or a field list after it
                // (`--json name,voice_id`, `--json ?`), selects (JSONFields). Only a word made of
                // the command's field names is taken, so text and ids stay operands.
                if let inline { try store(s, inline) }
                else if i + 1 < args.count, JSONFields.isSelection(args[i + 1], command: command) { i += 1; try store(s, args[i]) }
                else { try store(s, "") }
                return
            }
            if s.takesValue {
                try store(s, try inline ?? takeValue(for: s, shown: "--\(name)"))
            } else {
                if inline != nil { throw UsageError("--\(name) takes no value", command: command) }
                try store(s, "")
            }
        }

        /// One or more short options: `-q`, `-qv Roger`, `-vRoger`, `-o-`.
        mutating func shortOptions(_ arg: String) throws {
            var rest = Substring(arg.dropFirst())
            while let c = rest.first {
                rest = rest.dropFirst()
                let s = try spec(short: c)
                if s.takesValue {
                    let v = rest.isEmpty ? try takeValue(for: s, shown: "-\(c)") : String(rest)
                    try store(s, v)
                    return
                }
                try store(s, "")
            }
        }

        mutating func spec(long name: String) throws -> OptionSpec {
            let valid = OptionTable.options(for: command)
            if let s = valid.first(where: { $0.long == name }) { return s }
            if let s = adoptImplicit({ $0.long == name }) { return s }
            if let other = OptionTable.options.first(where: { $0.long == name }) {
                let owners = listing(other.commands)
                if command == nil {
                    throw UsageError("--\(name) belongs to \(owners); put it after the command",
                                     hint: "e.g. elevenlabs \(other.commands[0]) --\(name) ...")
                }
                throw UsageError("--\(name) is an option of \(owners), not of '\(command!)'", command: command)
            }
            let near = nearest(name, in: valid.map(\.long)).map { "; did you mean --\($0)?" } ?? ""
            throw UsageError("unknown option --\(name)\(near)", command: command)
        }

        mutating func spec(short c: Character) throws -> OptionSpec {
            let valid = OptionTable.options(for: command)
            if let s = valid.first(where: { $0.short == c }) { return s }
            if let s = adoptImplicit({ $0.short == c }) { return s }
            if let other = OptionTable.options.first(where: { $0.short == c }) {
                let owners = listing(other.commands)
                throw UsageError("-\(c) (--\(other.long)) is an option of \(owners)" + (command.map { ", not of '\($0)'" } ?? ""),
                                 command: command)
            }
            // `elevenlabs -5 degrees`: text that starts with a dash, not an option.
            let hint = c.isNumber ? "to speak text that starts with '-', put -- before it: elevenlabs -- \(args[i]) ..." : nil
            throw UsageError("unknown option -\(c)", hint: hint, command: command)
        }

        /// `elevenlabs -v Roger "hi"`: an option of the implicit command, before any command, selects it.
        mutating func adoptImplicit(_ match: (OptionSpec) -> Bool) -> OptionSpec? {
            guard command == nil, let s = OptionTable.options(for: implicitCommand).first(where: match) else { return nil }
            command = implicitCommand
            implicit = true
            return s
        }

        mutating func store(_ s: OptionSpec, _ value: String) throws {
            // '?' asks for the list (as say -v '?' does); the command answers it.
            if !s.choices.isEmpty && !s.choices.contains(value) && value != "?" {
                let near = nearest(value, in: s.choices).map { "; did you mean '\($0)'?" } ?? ""
                throw UsageError("invalid value '\(value)' for --\(s.long)\(near)",
                                 hint: "valid values: " + s.choices.joined(separator: ", "), command: command)
            }
            if s.repeatable { values[s.name, default: []].append(value) } else { values[s.name] = [value] }
        }

        mutating func takeValue(for s: OptionSpec, shown: String) throws -> String {
            guard i + 1 < args.count else {
                throw UsageError("\(shown) needs a value (\(s.metavar ?? "VALUE"))", command: command)
            }
            i += 1
            return args[i]
        }

        /// What the whole command line asks for.
        func result() throws -> ParseResult {
            if values[.help] != nil { return .help(command: implicit ? nil : command) }
            // `voices help`, `history help`: a command's own help, where "help" cannot be a name or text.
            if let cmd = command, !implicit, cmd != "speak", operands == ["help"] { return .help(command: cmd) }
            if values[.version] != nil { return .version }
            guard let cmd = command else {
                // Bare `elevenlabs`: the implicit command decides (speak reads stdin).
                var inv = Invocation(command: implicitCommand)
                inv.implicitCommand = true
                inv.values = values
                return .run(inv)
            }
            if implicit && afterDashes == 0 { try rejectCommandPosition(operands) }
            var inv = Invocation(command: cmd)
            inv.implicitCommand = implicit
            inv.values = values
            inv.operands = operands
            inv.operandsAfterDashes = afterDashes
            return .run(inv)
        }
    }

    /// 'a', 'a' and 'b', 'a', 'b' and 'c'.
    static func listing(_ names: [String]) -> String {
        let quoted = names.map { "'\($0)'" }
        guard quoted.count > 1 else { return quoted.first ?? "" }
        return quoted.dropLast().joined(separator: ", ") + " and " + quoted.last!
    }

    static func unknownCommand(_ word: String) -> UsageError {
        let names = OptionTable.commands.map(\.name)
        let near = nearest(word, in: names, maxDistance: 2).map { "; did you mean '\($0)'?" } ?? ""
        return UsageError("unknown command '\(word)'\(near)", hint: "commands: " + names.joined(separator: ", "))
    }

    /// Words people type expecting a command (other tools have them, or they guess), with the command
    /// that does what they most likely meant, when there is one.
    static let commandLikeWords: [String: String?] = [
        "help": nil, "version": "version", "config": "config", "configure": "config", "settings": "config",
        "login": "config", "logout": "config", "auth": "config", "key": "config", "apikey": "config", "token": "config",
        "completion": "completion", "completions": "completion", "list": "voices", "ls": "voices",
        "status": "user", "formats": nil, "format": nil, "devices": nil, "device": nil, "info": "user", "init": "config",
        "setup": "config", "install": nil, "uninstall": nil, "update": nil, "upgrade": nil, "whoami": "user",
        "account": "user", "credits": "user", "balance": "user", "quota": "user", "usage": "user", "subscription": "user",
        "plan": "user", "play": "history", "say": "speak", "tts": "speak", "stop": nil, "model": "models",
        "voice": "voices", "search": "voices", "dialogue": "speak", "preview": "voices", "dictionary": "dictionaries",
        "dict": "dictionaries", "dicts": "dictionaries", "lexicon": "dictionaries", "clones": "clone",
    ]

    /// The first bare argument stands where a command goes. Text there is spoken only when it is
    /// clearly text: a phrase (white space inside it, or several words that do not start with a
    /// command-like word), an explicit `speak`, or words after `--`. A lone word, and any first word
    /// near a command, is refused (exit 2) before a request, since speaking a typo spends credits.
    static func rejectCommandPosition(_ operands: [String]) throws {
        guard let word = operands.first, !word.contains(where: { $0.isWhitespace }) else { return }
        // An existing file's name: speak says how to read it (`-f`) or convert it (`--out-dir`).
        if operands.count == 1 && FileIO.exists(word) { return }
        // A phrase is refused only when its first word is a command word or a slip of a command's
        // name ("dictionary list", "modles voices"); ordinary first words ("Spoken by...") are text.
        let near = operands.count == 1 ? nearCommand(word) : nearCommand(word, phrase: true)
        guard operands.count == 1 || near != nil else { return }
        let quoted = shellQuoted(word)
        let hint = "to speak it: elevenlabs \(implicitCommand) \(quoted), or elevenlabs -- \(quoted)"
        if let near {
            throw UsageError("unknown command '\(Output.clean(word))'; did you mean '\(near)'?", hint: hint)
        }
        throw UsageError("'\(Output.clean(word))' is not a command, and one word alone is not spoken",
                         hint: "\(hint); 'elevenlabs --help' lists the commands")
    }

    /// The command a word most likely meant: a command or command-like word itself, or one within one
    /// edit (two for words over five letters; a swap of two letters is one edit), ignoring case and
    /// trailing punctuation (`models.`).
    static func nearCommand(_ word: String, phrase: Bool = false) -> String? {
        var w = word.lowercased()
        while let last = w.last, last.isPunctuation { w.removeLast() }
        guard !w.isEmpty, w.allSatisfy({ $0.isLetter || $0 == "-" }) else { return nil }
        let names = OptionTable.commands.map(\.name) + ["help"]
        if names.contains(w) { return w }
        if let mapped = commandLikeWords[w] { return mapped ?? "help" }
        guard w.count >= 3 else { return nil }
        let known = phrase ? names : Set(names).union(commandLikeWords.keys).sorted()
        guard let near = nearest(w, in: known, maxDistance: w.count <= 5 ? 1 : 2) else { return nil }
        if names.contains(near) { return near }
        return commandLikeWords[near].flatMap { $0 } ?? "help"
    }

    /// A word in single quotes for a shell, as a hint to copy.
    static func shellQuoted(_ word: String) -> String {
        "'" + Output.clean(word).split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }
}
