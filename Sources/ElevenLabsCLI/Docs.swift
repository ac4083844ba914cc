// The man page and the bash, zsh and fish completions, generated from OptionTable like --help, so
// none of them can list an option the parser does not take or miss one it does. The committed files
// in man/ and completions/ are these functions' output; a test keeps them equal.
import ElevenLabsAPI

public enum Docs {
    /// Each committed file (relative to the repository) and its content.
    public static func files() -> [(path: String, content: String)] {
        [("man/elevenlabs.1", manPage()), ("completions/elevenlabs.bash", bash()),
         ("completions/_elevenlabs", zsh()), ("completions/elevenlabs.fish", fish())]
    }

    // MARK: man page

    static func roff(_ s: String) -> String {
        var out = s.replacingOccurrences("\\", "\\e").replacingOccurrences("-", "\\-")
        if out.hasPrefix(".") || out.hasPrefix("'") { out = "\\&" + out }
        return out
    }

    static func optionRoff(_ o: OptionSpec) -> String {
        var label = o.short.map { "\\fB\\-\($0)\\fR, " } ?? ""
        label += "\\fB\\-\\-\(roff(o.long))\\fR"
        if let m = o.metavar { label += " \\fI\(roff(m))\\fR" }
        var help = o.help
        if !o.choices.isEmpty { help += " One of: " + o.choices.joined(separator: ", ") + "." }
        // Where another command uses it differently, say how.
        for (command, text) in o.helpFor.sorted(by: { $0.key < $1.key }) { help += " With \(command): \(text)." }
        return ".TP\n\(label)\n\(roff(help))\n"
    }

    public static func manPage() -> String {
        var s = """
        .\\" Generated from the option table (Sources/ElevenLabsCLI/OptionTable.swift); do not edit.
        .TH ELEVENLABS 1 "" "elevenlabs \(cliVersion)" "User Commands"
        .SH NAME
        elevenlabs \\- speak text with ElevenLabs voices, and manage voices, clones and history
        .SH SYNOPSIS

        """
        for c in OptionTable.commands {
            for u in c.usage { s += ".B elevenlabs\n\(roff(u))\n.br\n" }
        }
        s += """
        .SH DESCRIPTION
        \\fBelevenlabs\\fR talks to the ElevenLabs API through libcurl, decodes streamed MP3 with libmpg123 and
        plays it through ALSA as it arrives, or writes it to files. Like \\fBsay\\fR(1), \\fBspeak\\fR is the
        command when none is named: \\fBelevenlabs "Hello"\\fR speaks, and so does \\fBecho hi | elevenlabs\\fR.
        .SH COMMANDS

        """
        for c in OptionTable.commands {
            s += ".SS \(c.name)\n\(roff(c.summary)).\n"
            for v in c.verbs { s += ".TP\n\\fB\(c.name) \(v.name)\\fR\n\(roff(v.help)).\n" }
            let own = OptionTable.options.filter { $0.commands.contains(c.name) }
            if !own.isEmpty {
                s += ".PP\nOptions of \\fB\(c.name)\\fR:\n"
                for o in own { s += optionRoff(o) }
            }
        }
        s += ".SH GLOBAL OPTIONS\n"
        for o in OptionTable.options where o.isGlobal { s += optionRoff(o) }
        s += ".SH ENVIRONMENT\n"
        for e in Help.environment { s += ".TP\n.B \(e.name)\n\(roff(e.meaning)).\n" }
        s += """
        Options win over the environment, which wins over the config file.
        .SH NAMES
        Voices are matched case-insensitively by name: exactly, then by the part before " \\- " (Roger for
        "Roger \\- Laid-Back, Casual, Resonant"), then by prefix, then by substring; several matches are an
        error listing them. Commands that change or delete a voice take only an id or an exact name.
        Models are named by id, display name, or the aliases flash, turbo, v3 and multilingual.
        .SH LONG TEXTS
        A text longer than the model's per-request limit is split at paragraphs, sentences, clauses or
        words, never inside markup; the first request is short so the first sound comes quickly. The parts
        make one continuous sound and one file. A text that needs more than one request is priced first.
        .SH LIVE INPUT
        Text from a pipe or a terminal is spoken as it arrives over the stream-input WebSocket: a newline
        ends a unit, complete sentences go as they form, a line over 200 characters goes at its last clause
        or word, and a pause of 0.8 s sends the rest. \\fB\\-\\-no\\-live\\fR reads everything first.
        .SH THE AUDIO CACHE
        Audio bought once is kept under $XDG_CACHE_HOME/elevenlabs/audio and reused for the same text and
        settings, free. ELEVENLABS_CACHE_MAX_MB caps it (least recently used go first);
        \\fB\\-\\-no\\-cache\\fR skips it; \\fB\\-\\-cache\\-info\\fR and \\fB\\-\\-clear\\-cache\\fR show and empty it.
        It is used only when it belongs to the user and no one else can write to it.
        .SH BATCHES
        \\fB\\-\\-out\\-dir\\fR DIR writes one file per input into DIR, and DIR/manifest.jsonl records each item
        (input, output, voice, model, characters, credits, request id, status, error and a fingerprint of
        everything that decides the audio). A rerun converts only what is missing or changed.

        .SH FILES
        .TP
        .I $XDG_CONFIG_HOME/elevenlabs/config
        \\fIname\\fR = \\fIvalue\\fR lines: api_key, api_key_file, base_url, voice, model, format, device. The key is
        looked for in this order: \\fB\\-\\-api\\-key\\-file\\fR, ELEVENLABS_API_KEY, ELEVENLABS_API_KEY_FILE, the config file.
        .TP
        .I $XDG_CACHE_HOME/elevenlabs/
        The voice and model lists of each account, kept for a day (mode 0600).
        .SH EXIT STATUS

        """
        for code in ExitCode.allCases { s += ".TP\n.B \(code.rawValue)\n\(roff(code.meaning)).\n" }
        s += ".SH EXAMPLES\n"
        for c in OptionTable.commands { for e in c.examples { s += ".PP\n.nf\n\(roff(e))\n.fi\n" } }
        s += """
        .SH SEE ALSO
        \\fBsay\\fR(1), \\fBmpg123\\fR(1), \\fBaplay\\fR(1), \\fBelevenlabs\\-sandbox\\fR \\-\\-help

        """
        return s
    }

    // MARK: completions

    static func longs(_ command: String?) -> [String] {
        OptionTable.options(for: command).map { "--\($0.long)" } + OptionTable.options(for: command).compactMap { $0.short.map { "-\($0)" } }
    }

    /// Values offered for an option: its choices, or what the machine knows without the network.
    enum ValueSource { case choices([String]), voices, models, devices, files, directories, none }

    static func source(_ o: OptionSpec) -> ValueSource {
        if !o.choices.isEmpty { return .choices(o.choices) }
        switch o.long {
        case "voice": return .voices
        case "model": return .models
        case "device": return .devices
        case "file", "output", "api-key-file", "cacert": return .files
        case "out-dir": return .directories
        default: return .none
        }
    }

    /// Names from the voice cache, without a network call (the cache holds one JSON list per account).
    static let voiceCacheShell = #"cat "${XDG_CACHE_HOME:-$HOME/.cache}"/elevenlabs/voices-*.json 2>/dev/null | grep -o '"name":"[^"]*"' | sed 's/"name":"//;s/ - .*//;s/"$//' | sort -u"#
    static let modelCacheShell = #"cat "${XDG_CACHE_HOME:-$HOME/.cache}"/elevenlabs/models-*.json 2>/dev/null | grep -o '"model_id":"[^"]*"' | sed 's/"model_id":"//;s/"$//' | sort -u"#
    static let deviceShell = #"elevenlabs speak --device '?' 2>/dev/null | tail -n +2 | cut -d' ' -f1"#

    public static func bash() -> String {
        let commands = OptionTable.commands.map(\.name).joined(separator: " ")
        var s = """
        # bash completion for elevenlabs. Generated from the option table; do not edit.
        # Voice and model names come from the local cache: Tab never makes a network call.
        _elevenlabs() {
            local cur prev cmd i
            cur="${COMP_WORDS[COMP_CWORD]}"
            prev="${COMP_WORDS[COMP_CWORD-1]}"
            cmd=""
            for ((i = 1; i < COMP_CWORD; i++)); do
                case "${COMP_WORDS[i]}" in
                    \(OptionTable.commands.map(\.name).joined(separator: "|"))) cmd="${COMP_WORDS[i]}"; break ;;
                esac
            done
            case "$prev" in

        """
        for o in OptionTable.options where o.takesValue {
            let names = (["--\(o.long)"] + (o.short.map { ["-\($0)"] } ?? [])).joined(separator: "|")
            switch source(o) {
            case .choices(let c): s += "        \(names)) COMPREPLY=($(compgen -W \"\(c.joined(separator: " "))\" -- \"$cur\")); return ;;\n"
            case .voices: s += "        \(names)) local IFS=$'\\n'; COMPREPLY=($(compgen -W \"$(\(voiceCacheShell))\" -- \"$cur\")); return ;;\n"
            case .models: s += "        \(names)) COMPREPLY=($(compgen -W \"$(\(modelCacheShell))\" -- \"$cur\")); return ;;\n"
            case .devices: s += "        \(names)) COMPREPLY=($(compgen -W \"$(\(deviceShell))\" -- \"$cur\")); return ;;\n"
            case .files: s += "        \(names)) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
            case .directories: s += "        \(names)) COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n"
            case .none: s += "        \(names)) return ;;\n"
            }
        }
        s += """
            esac
            case "$cmd" in

        """
        for c in OptionTable.commands {
            let words = (c.verbs.map(\.name) + longs(c.name)).joined(separator: " ")
            s += "        \(c.name)) COMPREPLY=($(compgen -W \"\(words)\" -- \"$cur\")) ;;\n"
        }
        s += """
                *) COMPREPLY=($(compgen -W "\(commands) help \(longs(nil).joined(separator: " "))" -- "$cur")) ;;
            esac
        }
        complete -o default -F _elevenlabs elevenlabs

        """
        return s
    }

    static func zshEscape(_ s: String) -> String {
        s.replacingOccurrences("'", "'\\''").replacingOccurrences("[", "\\[").replacingOccurrences("]", "\\]").replacingOccurrences(":", "\\:")
    }

    public static func zsh() -> String {
        var s = """
        #compdef elevenlabs
        # zsh completion for elevenlabs. Generated from the option table; do not edit.
        # Voice and model names come from the local cache: Tab never makes a network call.

        _elevenlabs_voices() { local -a v; v=(${(f)"$(\(voiceCacheShell))"}); _describe 'voice' v }
        _elevenlabs_models() { local -a m; m=(${(f)"$(\(modelCacheShell))"}); _describe 'model' m }
        _elevenlabs_devices() { local -a d; d=(${(f)"$(\(deviceShell))"}); _describe 'device' d }

        _elevenlabs() {
            local -a commands
            commands=(

        """
        for c in OptionTable.commands { s += "        '\(c.name):\(zshEscape(c.summary))'\n" }
        s += "    )\n    local cmd=${words[(r)(" + OptionTable.commands.map(\.name).joined(separator: "|") + ")]}\n"
        s += "    case $cmd in\n"
        for c in OptionTable.commands + [nil] as [CommandSpec?] {
            s += "    \(c?.name ?? "*"))\n        _arguments -s \\\n"
            for o in OptionTable.options(for: c?.name) {
                let action: String
                switch source(o) {
                case .choices(let ch): action = ":\(o.metavar ?? "value"):(\(ch.joined(separator: " ")))"
                case .voices: action = ":voice:_elevenlabs_voices"
                case .models: action = ":model:_elevenlabs_models"
                case .devices: action = ":device:_elevenlabs_devices"
                case .files: action = ":file:_files"
                case .directories: action = ":directory:_files -/"
                case .none: action = o.takesValue ? ":\(zshEscape(o.metavar ?? "value")):" : ""
                }
                let spec = "[\(zshEscape(o.help))]\(action)"
                if let short = o.short {
                    s += "            '(-\(short) --\(o.long))'{-\(short),--\(o.long)}'\(spec)' \\\n"
                } else {
                    s += "            '--\(o.long)\(spec)' \\\n"
                }
            }
            if let c {
                if !c.verbs.isEmpty {
                    s += "            '1:action:(\(c.verbs.map(\.name).joined(separator: " ")))' \\\n"
                }
                s += "            '*:argument:_files'\n        ;;\n"
            } else {
                s += "            '1:command:{_describe command commands}' \\\n            '*:text:'\n        ;;\n"
            }
        }
        s += "    esac\n}\n\n_elevenlabs \"$@\"\n"
        return s
    }

    public static func fish() -> String {
        var s = """
        # fish completion for elevenlabs. Generated from the option table; do not edit.
        # Voice and model names come from the local cache: Tab never makes a network call.
        set -l commands \(OptionTable.commands.map(\.name).joined(separator: " "))
        complete -c elevenlabs -f

        """
        for c in OptionTable.commands {
            s += "complete -c elevenlabs -n \"not __fish_seen_subcommand_from $commands\" -a \(c.name) -d '\(c.summary.replacingOccurrences("'", "\\'"))'\n"
            for v in c.verbs {
                s += "complete -c elevenlabs -n \"__fish_seen_subcommand_from \(c.name)\" -a \(v.name) -d '\(v.help.replacingOccurrences("'", "\\'"))'\n"
            }
        }
        for o in OptionTable.options {
            var line = "complete -c elevenlabs"
            if !o.isGlobal { line += " -n \"__fish_seen_subcommand_from \(o.commands.joined(separator: " "))\"" }
            line += " -l \(o.long)"
            if let short = o.short { line += " -s \(short)" }
            if o.takesValue {
                switch source(o) {
                case .choices(let c): line += " -x -a '\(c.joined(separator: " "))'"
                case .voices: line += " -x -a '(\(voiceCacheShell.replacingOccurrences("'", "\\'")))'"
                case .models: line += " -x -a '(\(modelCacheShell.replacingOccurrences("'", "\\'")))'"
                case .devices: line += " -x -a '(\(deviceShell.replacingOccurrences("'", "\\'")))'"
                case .files, .directories: line += " -r -F"
                case .none: line += " -x"
                }
            }
            line += " -d '\(o.help.replacingOccurrences("'", "\\'"))'"
            s += line + "\n"
        }
        return s
    }
}
