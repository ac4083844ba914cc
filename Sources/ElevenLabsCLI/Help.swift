// `--help` text, generated from OptionTable so it can never disagree with what the parser accepts.
import ElevenLabsAPI

enum Help {
    static func text(for command: String?) -> String {
        guard let name = command, let cmd = OptionTable.command(named: name) else { return general() }
        var s = "elevenlabs \(cmd.name): \(cmd.summary)\n\nUsage:\n"
        for u in cmd.usage { s += "  elevenlabs \(u)\n" }
        if !cmd.verbs.isEmpty {
            s += "\nActions:\n"
            let w = cmd.verbs.map(\.name.count).max() ?? 0
            for v in cmd.verbs { s += "  \(v.name.padding(w))  \(v.help)\n" }
        }
        let own = OptionTable.options.filter { $0.commands.contains(name) }
        if !own.isEmpty { s += "\nOptions:\n" + optionLines(own) }
        s += "\nGlobal options:\n" + optionLines(OptionTable.options.filter(\.isGlobal))
        if !cmd.examples.isEmpty { s += "\nExamples:\n" + cmd.examples.map { "  \($0)\n" }.joined() }
        return s
    }

    static func general() -> String {
        var s = """
        elevenlabs: ElevenLabs text to speech and account tools for the terminal

        Usage:
          elevenlabs COMMAND [OPTIONS] [ARGS...]
          elevenlabs help COMMAND

        Commands:

        """
        let w = OptionTable.commands.map(\.name.count).max() ?? 0
        for c in OptionTable.commands { s += "  \(c.name.padding(w))  \(c.summary)\n" }
        s += "\nGlobal options:\n" + optionLines(OptionTable.options.filter(\.isGlobal))
        s += """

        API key (the first source found is used):
          --api-key-file FILE, ELEVENLABS_API_KEY, ELEVENLABS_API_KEY_FILE,
          then api_key or api_key_file in the config file ($XDG_CONFIG_HOME/elevenlabs/config).

        Environment:
          ELEVENLABS_API_KEY, ELEVENLABS_API_KEY_FILE, ELEVENLABS_BASE_URL, XDG_CONFIG_HOME, NO_COLOR

        Exit codes:

        """
        for code in ExitCode.allCases { s += "  \(String(code.rawValue).padding(3))  \(code.meaning)\n" }
        s += "\nTry it offline: start 'elevenlabs-sandbox' and set ELEVENLABS_BASE_URL to the address it prints.\n"
        return s
    }

    static func optionLines(_ opts: [OptionSpec]) -> String {
        let labels = opts.map { o -> String in
            var l = o.short.map { "-\($0), " } ?? "    "
            l += "--\(o.long)"
            if let m = o.metavar { l += " \(m)" }
            return l
        }
        let w = min(labels.map(\.count).max() ?? 0, 30)
        var s = ""
        for (o, l) in zip(opts, labels) {
            var help = o.help
            if !o.choices.isEmpty && o.choices.count <= 8 { help += " (\(o.choices.joined(separator: ", ")))" }
            if l.count > w { s += "  \(l)\n  \("".padding(w))  \(help)\n" } else { s += "  \(l.padding(w))  \(help)\n" }
        }
        return s
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
