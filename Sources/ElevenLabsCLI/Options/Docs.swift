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

    /// An option as `command` uses it (each command's section lists its own), one sentence or more,
    /// each ending in a full stop.
    static func optionRoff(_ o: OptionSpec, command: String? = nil) -> String {
        var label = o.short.map { "\\fB\\-\($0)\\fR, " } ?? ""
        label += "\\fB\\-\\-\(roff(o.long))\\fR"
        if let m = o.metavar { label += " \\fI\(roff(m))\\fR" }
        var help = sentence(o.help(for: command))
        if !o.choices.isEmpty { help += " One of: " + o.choices.joined(separator: ", ") + "." }
        return ".TP\n\(label)\n\(roff(help))\n"
    }

    /// A description as a sentence: capitalised, with its full stop.
    static func sentence(_ text: String) -> String {
        guard let first = text.first else { return text }
        let body = first.uppercased() + text.dropFirst()
        return [".", "?", "!"].contains(body.last) ? body : body + "."
    }

    public static func manPage() -> String {
        var s = """
        .\\" Generated from the option table (Sources/ElevenLabsCLI/OptionTable.swift); do not edit.
        .TH ELEVENLABS 1 "" "elevenlabs \(BuildInfo.version)" "User Commands"
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
                for o in own { s += optionRoff(o, command: c.name) }
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
        settings, free. ELEVENLABS_CACHE_MAX_MB, else cache_max_mb in the config file, caps it (default 512 MiB;
        least recently used go first); \\fB\\-\\-no\\-cache\\fR skips it; \\fBelevenlabs cache\\fR shows it,
        \\fBcache clear\\fR empties it and \\fBcache path\\fR prints its place.
        It is used only when it belongs to the user and no one else can write to it.
        .SH AUDIOBOOKS
        \\fB\\-f\\fR with a Markdown (.md), HTML or XHTML (.html, .htm, .xhtml) or EPUB (.epub) file, or
        \\fB\\-\\-input\\-format\\fR md|html|epub, speaks a document as it is meant to be heard: no markup,
        URLs or code (\\fB\\-\\-read\\-code\\fR reads code and tables), headings as sentences with a pause.
        Headings of one level (\\fB\\-\\-chapter\\-level\\fR N; by default the top level that occurs more than
        once) or an EPUB's spine items are chapters: an MP3 gets ID3v2.4 CHAP frames timed from the audio
        written, a WAV cue points; \\fB\\-\\-split\\-chapters\\fR writes a file per chapter and an .m3u
        playlist. Each chapter is priced before anything is bought; \\fB\\-\\-dry\\-run\\fR prints the text
        each chapter sends. The parsers (libcmark, libxml2, libzip) are loaded only then.
        .SH BATCHES
        \\fB\\-\\-out\\-dir\\fR DIR writes one file per input into DIR, and DIR/manifest.jsonl records each item
        (input, output, voice, model, characters, credits, request id, status, error and a fingerprint of
        everything that decides the audio). A rerun converts only what is missing or changed.

        .SH FILES
        .TP
        .I $XDG_CONFIG_HOME/elevenlabs/config
        \\fIname\\fR = \\fIvalue\\fR lines: \(ConfigFile.knownKeys.joined(separator: ", ")). The key is
        looked for in this order: \\fB\\-\\-api\\-key\\-file\\fR, ELEVENLABS_API_KEY, ELEVENLABS_API_KEY_FILE, the config file.
        .TP
        .I $XDG_CACHE_HOME/elevenlabs/
        The voice and model lists of each account, kept for a day (mode 0600); \\fIaudio/\\fR, the audio
        cache; \\fIdevices\\fR, the audio devices that have played here, each as a fingerprint of its name
        and the ALSA and sound-server set-up. For one listed, the request goes while the device opens,
        and audio bought for it goes into the audio cache even if it then fails.
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

    /// Values offered for an option: its choices, or what `elevenlabs __complete KIND` prints.
    enum ValueSource { case choices([String]), dynamic(String), files, directories, none }

    static func source(_ o: OptionSpec) -> ValueSource {
        if !o.choices.isEmpty { return .choices(o.choices) }
        switch o.long {
        case "voice": return .dynamic("voices")
        case "model": return .dynamic("models")
        case "device": return .dynamic("devices")
        case "format": return .dynamic("formats")
        case "file", "output", "api-key-file", "cacert", "cover", "captions": return .files
        case "out-dir": return .directories
        default: return .none
        }
    }

    /// What the operand after a verb names: `voices show NAME`, `history play ID`, `config set NAME`.
    static let operandKinds: [(command: String, verbs: [String], kind: String)] = [
        ("voices", ["show", "settings", "delete", "preview"], "voices"),
        ("clone", ["edit"], "voices"),
        ("history", ["show", "play", "save", "delete"], "history"),
        ("config", ["set", "unset"], "settings"),
    ]

    /// What `config set NAME VALUE` takes as VALUE, for the settings whose values can be listed.
    static let settingValueKinds: [(setting: String, kind: String)] = [
        ("voice", "voices"), ("model", "models"), ("format", "formats"), ("device", "devices"),
    ]

    /// Options offered before any command: the global ones and speak's (speak is the default command).
    static var topLevelOptions: [OptionSpec] { OptionTable.options(for: "speak") }

    static let header = "Generated from the option table; do not edit.\n# Names, ids and devices come from `elevenlabs __complete KIND`: voices and models from the local\n# cache (fetched once when missing), history ids from one page of history, all with short timeouts.\n"

    public static func bash() -> String {
        let names = OptionTable.commands.map(\.name).joined(separator: "|")
        var s = """
        # bash completion for elevenlabs. \(header)# Each value is quoted as it is inserted, so a voice named "My Narrator" stays one argument.
        _elevenlabs_values() {
            local line word typed="$cur" quoted=""
            case "$typed" in \\"*|\\'*) quoted=1; typed="${typed:1}" ;; esac
            typed="${typed//\\\\/}"
            COMPREPLY=()
            while IFS= read -r line; do
                word="${line%%$'\\t'*}"
                [[ "${word,,}" == "${typed,,}"* ]] || continue
                # Inside an open quote readline inserts the text as it is; outside, it must be escaped.
                if [[ -n "$quoted" ]]; then COMPREPLY+=("$word"); else COMPREPLY+=("$(printf '%q' "$word")"); fi
            done < <(command elevenlabs __complete "$1" 2>/dev/null)
        }
        _elevenlabs() {
            local cur prev cmd verb i
            cur="${COMP_WORDS[COMP_CWORD]}"
            prev="${COMP_WORDS[COMP_CWORD-1]}"
            cmd=""
            verb=""
            for ((i = 1; i < COMP_CWORD; i++)); do
                if [[ -z "$cmd" ]]; then
                    case "${COMP_WORDS[i]}" in \(names)) cmd="${COMP_WORDS[i]}" ;; esac
                elif [[ -z "$verb" && "${COMP_WORDS[i]}" != -* ]]; then
                    verb="${COMP_WORDS[i]}"
                fi
            done
            case "$prev" in

        """
        for o in OptionTable.options where o.takesValue {
            let names = (["--\(o.long)"] + (o.short.map { ["-\($0)"] } ?? [])).joined(separator: "|")
            switch source(o) {
            case .choices(let c): s += "        \(names)) COMPREPLY=($(compgen -W \"\(c.joined(separator: " "))\" -- \"$cur\")); return ;;\n"
            case .dynamic(let kind): s += "        \(names)) _elevenlabs_values \(kind); return ;;\n"
            // The shell's own file completion: names with spaces stay whole and directories get a
            // slash, not a space (compopt -o filenames), one name per line (never split on spaces).
            case .files: s += "        \(names)) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- \"$cur\"); return ;;\n"
            case .directories: s += "        \(names)) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -d -- \"$cur\"); return ;;\n"
            case .none: s += "        \(names)) return ;;\n"
            }
        }
        s += """
            esac
            if [[ "$cur" != -* ]]; then
                case "$cmd $verb" in

        """
        // config set NAME VALUE: after NAME, that setting's values.
        s += "            \"config set\") case \"$prev\" in " + settingValueKinds.map { "\($0.setting)) _elevenlabs_values \($0.kind); return ;; " }.joined()
            + "set) _elevenlabs_values settings; return ;; esac; return ;;\n"
        for k in operandKinds {
            s += "            " + k.verbs.map { "\"\(k.command) \($0)\"" }.joined(separator: "|") + ") _elevenlabs_values \(k.kind); return ;;\n"
        }
        for c in OptionTable.commands where !c.verbs.isEmpty {
            s += "            \"\(c.name) \") COMPREPLY=($(compgen -W \"\(c.verbs.map(\.name).joined(separator: " "))\" -- \"$cur\")); [[ ${#COMPREPLY[@]} -gt 0 ]] && return ;;\n"
        }
        s += """
                    " ") COMPREPLY=($(compgen -W "\(OptionTable.commands.map(\.name).joined(separator: " ")) help" -- "$cur")); return ;;
                esac
                return
            fi
            case "$cmd" in

        """
        for c in OptionTable.commands {
            s += "        \(c.name)) COMPREPLY=($(compgen -W \"\(longs(c.name).joined(separator: " "))\" -- \"$cur\")) ;;\n"
        }
        s += """
                *) COMPREPLY=($(compgen -W "\(longs("speak").joined(separator: " "))" -- "$cur")) ;;
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
        # zsh completion for elevenlabs. \(header)
        # _describe quotes what it inserts; colons in values are escaped for it.
        _elevenlabs_values() {
            local -a vals
            local line
            for line in ${(f)"$(command elevenlabs __complete $1 2>/dev/null)"}; do
                if [[ $line == *$'\\t'* ]]; then vals+=("${${line%%$'\\t'*}//:/\\\\:}:${line#*$'\\t'}")
                else vals+=("${line//:/\\\\:}"); fi
            done
            # Names match whatever the case, as -v does.
            _describe -t $1 $1 vals -M 'm:{a-zA-Z}={A-Za-z}'
        }

        _elevenlabs() {
            local -a commands
            commands=(

        """
        for c in OptionTable.commands { s += "        '\(c.name):\(zshEscape(c.summary))'\n" }
        s += "    )\n    local cmd i\n"
        s += "    for (( i = 2; i < CURRENT; i++ )); do\n"
        s += "        case ${words[i]} in \(OptionTable.commands.map(\.name).joined(separator: "|"))) cmd=${words[i]}; break ;; esac\n    done\n"
        s += "    # From the command on, as if it were the program: its verb is argument 1, a name argument 2.\n"
        s += "    if [[ -n $cmd ]]; then words=(\"${(@)words[i,-1]}\"); (( CURRENT -= i - 1 )); fi\n"
        s += "    case $cmd in\n"
        for c in OptionTable.commands + [nil] as [CommandSpec?] { s += zshCase(c) }
        s += "    esac\n}\n\n_elevenlabs \"$@\"\n"
        return s
    }

    /// One command's arm of the zsh `case` (nil: before any command).
    static func zshCase(_ c: CommandSpec?) -> String {
        var s = "    \(c?.name ?? "*"))\n        _arguments -s \\\n"
        for o in c.map({ OptionTable.options(for: $0.name) }) ?? topLevelOptions { s += zshOption(o) }
        guard let c else {
            return s + "            '1:command:{_describe command commands}' \\\n            '*:text:'\n        ;;\n"
        }
        if !c.verbs.isEmpty {
            s += "            '1:action:(\(c.verbs.map(\.name).joined(separator: " ")))' \\\n"
            let kinds = operandKinds.filter { $0.command == c.name }
            if let k = kinds.first {
                s += "            '2:name:{ [[ ${words[2]} == (\(k.verbs.joined(separator: "|"))) ]] && _elevenlabs_values \(k.kind) || _files }' \\\n"
            }
            if c.name == "config" {
                let cases = settingValueKinds.map { "\($0.setting)) _elevenlabs_values \($0.kind) ;; " }.joined()
                s += "            '3:value:{ [[ ${words[2]} == set ]] && case ${words[3]} in \(cases)esac }' \\\n"
            }
        }
        return s + "            '*:argument:_files'\n        ;;\n"
    }

    /// One option's `_arguments` spec: its help, and what completes its value.
    static func zshOption(_ o: OptionSpec) -> String {
        let action: String
        switch source(o) {
        case .choices(let ch): action = ":\(o.metavar ?? "value"):(\(ch.joined(separator: " ")))"
        // In braces: _arguments would otherwise slip compadd options in before the kind.
        case .dynamic(let kind): action = ":\(kind):{_elevenlabs_values \(kind)}"
        case .files: action = ":file:_files"
        case .directories: action = ":directory:_files -/"
        case .none: action = o.takesValue ? ":\(zshEscape(o.metavar ?? "value")):" : ""
        }
        let spec = "[\(zshEscape(o.help))]\(action)"
        if let short = o.short {
            return "            '(-\(short) --\(o.long))'{-\(short),--\(o.long)}'\(spec)' \\\n"
        }
        return "            '--\(o.long)\(spec)' \\\n"
    }

    public static func fish() -> String {
        let commandNames = OptionTable.commands.map(\.name).joined(separator: " ")
        var s = """
        # fish completion for elevenlabs. \(header)# fish escapes what it inserts, so names with spaces stay one argument.
        set -l commands \(commandNames)
        complete -c elevenlabs -f

        """
        for c in OptionTable.commands {
            s += "complete -c elevenlabs -n \"not __fish_seen_subcommand_from $commands\" -a \(c.name) -d '\(c.summary.replacingOccurrences("'", "\\'"))'\n"
            let verbs = c.verbs.map(\.name).joined(separator: " ")
            for v in c.verbs {
                s += "complete -c elevenlabs -n \"__fish_seen_subcommand_from \(c.name); and not __fish_seen_subcommand_from \(verbs)\" -a \(v.name) -d '\(v.help.replacingOccurrences("'", "\\'"))'\n"
            }
        }
        let settings = ConfigFile.knownKeys.joined(separator: " ")
        for k in operandKinds {
            // A setting's name is asked for once; after it, its values (below).
            let once = k.command == "config" ? "; and not __fish_seen_subcommand_from \(settings)" : ""
            s += "complete -c elevenlabs -n \"__fish_seen_subcommand_from \(k.command); and __fish_seen_subcommand_from \(k.verbs.joined(separator: " "))\(once)\" -a '(elevenlabs __complete \(k.kind) 2>/dev/null)'\n"
        }
        for v in settingValueKinds {
            s += "complete -c elevenlabs -n \"__fish_seen_subcommand_from config; and __fish_seen_subcommand_from set; and __fish_seen_subcommand_from \(v.setting)\" -a '(elevenlabs __complete \(v.kind) 2>/dev/null)'\n"
        }
        for o in OptionTable.options {
            var line = "complete -c elevenlabs"
            if !o.isGlobal {
                // speak's options also apply before any command: speak is the default.
                let seen = "__fish_seen_subcommand_from \(o.commands.joined(separator: " "))"
                line += o.commands.contains("speak") ? " -n \"\(seen); or not __fish_seen_subcommand_from $commands\"" : " -n \"\(seen)\""
            }
            line += " -l \(o.long)"
            if let short = o.short { line += " -s \(short)" }
            if o.takesValue {
                switch source(o) {
                case .choices(let c): line += " -x -a '\(c.joined(separator: " "))'"
                case .dynamic(let kind): line += " -x -a '(elevenlabs __complete \(kind) 2>/dev/null)'"
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
