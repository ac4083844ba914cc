// `--help` text, generated from OptionTable so it can never disagree with what the parser accepts,
// and wrapped to the terminal: two columns down to 40, the descriptions folded under themselves.
import ElevenLabsAPI

enum Help {
    /// Every environment variable the program reads (a test checks the code and the man page agree).
    static let environment: [(name: String, meaning: String)] = [
        ("ELEVENLABS_API_KEY", "the API key"),
        ("ELEVENLABS_API_KEY_FILE", "a file holding the API key"),
        ("ELEVENLABS_BASE_URL", "the API's address (a regional host, or the sandbox)"),
        ("ELEVENLABS_VOICE", "the voice when -v is not given"),
        ("ELEVENLABS_MODEL", "the model when -m is not given"),
        ("ELEVENLABS_DEVICE", "the ALSA device when --device is not given"),
        ("ELEVENLABS_CACHE_MAX_MB", "the audio cache's size limit in MiB (default 512; 0 turns it off)"),
        ("ELEVENLABS_COMPLETE_TIMEOUT", "how long a Tab press may wait for the API's names, in seconds (default 3, up to 60)"),
        ("XDG_CONFIG_HOME", "where the config file lives (elevenlabs/config; else ~/.config)"),
        ("XDG_CACHE_HOME", "where the caches live (elevenlabs/; else ~/.cache)"),
        ("TMPDIR", "where standard input is spooled while it is read (else /tmp)"),
        ("HOME", "where the config file and caches live when the XDG variables are not set"),
        ("COLUMNS", "the terminal's width when it cannot be asked"),
        ("NO_COLOR", "no colour in tables"),
        ("TERM", "'dumb' means no colour"),
    ]

    static func text(for command: String?, width: Int = 80) -> String {
        let width = max(40, width)
        if command == "options" { return globalOptions(width: width) }
        guard let name = command, let cmd = OptionTable.command(named: name) else { return general(width: width) }
        var s = wrap("elevenlabs \(cmd.name): \(cmd.summary)", width: width) + "\nUsage:\n"
        for u in cmd.usage { s += wrap("elevenlabs \(u)", width: width, indent: 2, hanging: 4) }
        if !cmd.verbs.isEmpty {
            s += "\nActions:\n" + columns(cmd.verbs.map { ($0.name, $0.help) }, width: width)
        }
        // Its own options, and --json where it prints JSON, each as this command uses it; the
        // options every command shares are named once, not described again in every help.
        let json = name == "speak" || VerbOptions.honours[name]?.values.contains { $0.contains(.json) } == true
        let own = OptionTable.options.filter { $0.commands.contains(name) || (json && $0.name == .json) }
        if !own.isEmpty { s += "\nOptions:\n" + optionLines(own, width: width, command: name) }
        let shared = OptionTable.options.filter { g in g.isGlobal && !own.contains { $0.name == g.name } }
        s += "\n" + wrap("Every command also takes " + shared.map { "--\($0.long)" }.joined(separator: ", ")
                         + ": 'elevenlabs help options' describes them.", width: width)
        if !cmd.examples.isEmpty { s += "\nExamples:\n" + examples(cmd.examples) }
        return s
    }

    /// `elevenlabs help options`: the options every command takes.
    static func globalOptions(width: Int = 80) -> String {
        wrap("elevenlabs: the options every command takes", width: width) + "\nGlobal options:\n"
            + optionLines(OptionTable.options.filter(\.isGlobal), width: width)
    }

    /// Examples are never folded: each is a command line to copy whole, however narrow the screen.
    static func examples(_ lines: [String]) -> String { lines.map { "  \($0)\n" }.joined() }

    static func general(width: Int = 80) -> String {
        var s = wrap("elevenlabs: ElevenLabs text to speech and account tools for the terminal", width: width)
        s += "\nUsage:\n" + columns([("elevenlabs \"TEXT\"", "speak it (speak is the command when none is named)"),
                                       ("COMMAND | elevenlabs", "speak what a program writes, as it arrives"),
                                       ("elevenlabs COMMAND ...", "see Commands below; elevenlabs help COMMAND")], width: width)
        s += "\nMost used speak options:\n"
        let common = ["voice", "model", "output", "file", "rate", "format", "device", "captions"]
        s += optionLines(common.compactMap { n in OptionTable.options.first { $0.long == n } }, width: width)
        s += "\nExamples:\n" + examples(["elevenlabs \"Hello there\"", "elevenlabs -v Roger -o hello.mp3 \"Hello there\"",
                                         "fortune | elevenlabs -v George", "elevenlabs speak -f chapter.txt -o chapter.mp3",
                                         "elevenlabs voices --search george"])
        s += "\nCommands:\n" + columns(OptionTable.commands.map { ($0.name, $0.summary) }, width: width)
        s += "\nGlobal options:\n" + optionLines(OptionTable.options.filter(\.isGlobal), width: width)
        s += "\n" + wrap("API key (the first source found is used):", width: width)
        s += wrap("--api-key-file FILE, ELEVENLABS_API_KEY, ELEVENLABS_API_KEY_FILE, then api_key or api_key_file in the config file ($XDG_CONFIG_HOME/elevenlabs/config). Create a key on the ElevenLabs site (your profile, API keys).", width: width, indent: 2, hanging: 2)
        s += "\nEnvironment:\n" + columns(environment.map { ($0.name, $0.meaning) }, width: width)
        s += "\nExit codes:\n" + columns(ExitCode.allCases.map { (String($0.rawValue), $0.meaning) }, width: width)
        s += "\n" + wrap("Try it offline: start 'elevenlabs-sandbox' and set ELEVENLABS_BASE_URL to the address it prints.", width: width)
        return s
    }

    static func optionLines(_ opts: [OptionSpec], width: Int = 80, command: String? = nil) -> String {
        columns(opts.map { o in
            var l = o.short.map { "-\($0), " } ?? "    "
            l += "--\(o.long)"
            if let m = o.metavar { l += " \(m)" }
            var help = o.help(for: command)
            if !o.choices.isEmpty && o.choices.count <= 8 { help += " (\(o.choices.joined(separator: ", ")))" }
            return (l, help)
        }, width: width)
    }

    /// Two columns: labels, then their text folded to the width; a label too long for its column
    /// gets a line of its own.
    static func columns(_ rows: [(String, String)], width: Int) -> String {
        let labelWidth = min(rows.map(\.0.count).max() ?? 0, width >= 60 ? 30 : width / 3)
        var s = ""
        for (label, text) in rows {
            let indent = 2 + labelWidth + 2
            if label.count > labelWidth {
                s += "  \(label)\n" + wrap(text, width: width, indent: indent, hanging: indent)
            } else {
                s += wrap(text, width: width, indent: indent, hanging: indent, firstPrefix: "  " + label.padding(labelWidth) + "  ")
            }
        }
        return s
    }

    /// Folds `text` at spaces to `width`: the first line after `firstPrefix` (or `indent` spaces),
    /// the rest after `hanging` spaces. A word longer than a line stands alone.
    static func wrap(_ text: String, width: Int, indent: Int = 0, hanging: Int = 0, firstPrefix: String? = nil) -> String {
        var lines: [String] = []
        var line = firstPrefix ?? String(repeating: " ", count: indent)
        var lineHasWord = false
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            if lineHasWord && line.count + 1 + word.count > width {
                lines.append(line)
                // A word too long for the hanging indent (a URL at 40 columns) starts further left.
                line = String(repeating: " ", count: hanging + word.count > width ? max(0, min(hanging, width - word.count)) : hanging)
                lineHasWord = false
            }
            line += (lineHasWord ? " " : "") + word
            lineHasWord = true
        }
        lines.append(line)
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
