// Entry point of the CLI library: parse, dispatch to one command, map any error to an exit code.
// Callable in-process (tests pass a capturing Context) as well as from the executable.
#if canImport(Glibc)
import Glibc
#endif
import ElevenLabsAPI
import ThreadSupport
import AudioPlayback

public enum CLI {
    public static func main(_ args: [String], context: Context) -> ExitCode {
        // The completions' helper: before parsing, so it never meets the "did you mean" machinery.
        if args.first == "__complete" {
            CompleteCommand.run(Array(args.dropFirst()), context)
            return .ok
        }
        do {
            let parsed = try CommandLineParser.parse(args)
            Timeline.mark("arguments parsed")
            switch parsed {
            case .help(let command):
                // The terminal's width; into a pipe, COLUMNS when set (as `COLUMNS=200 elevenlabs
                // --help | less` asks), else 80.
                try context.out(Help.text(for: command, width: context.terminalWidth))
            case .version:
                try context.out(versionText())
            case .run(let inv):
                try dispatch(inv, context)
            }
            return .ok
        } catch is OutputClosed {
            return .ok
        } catch {
            // Interrupted: stop quietly, as shells expect of Ctrl-C; cleanup already ran while unwinding.
            if Signals.pending != 0 {
                if context.run.progressOnScreen.read({ $0 }) { context.err("\n") }
                if let summary = context.run.progressSummary.read({ $0 }) { context.err("elevenlabs: interrupted: \(summary)\n") }
                return ExitCode.forSignal(Signals.pending)
            }
            Output.report(error, context: context)
            return ExitCode.of(error)
        }
    }

    static func dispatch(_ inv: Invocation, _ context: Context) throws {
        // Every option given must be one the verb honours (VerbOptions; speak's paths: SpeechPaths).
        if inv.command != "speak" { try VerbOptions.check(inv) }
        // `--json ?` lists the fields; a bad field list is refused before any request.
        if try JSONFields.answerQuery(inv, context) { return }
        _ = try JSONFields.selection(inv)
        switch inv.command {
        case "speak": try SpeakCommand.run(inv, context)
        case "models": try ModelsCommand.run(inv, context)
        case "user": try UserCommand.run(inv, context)
        case "voices": try VoicesCommand.run(inv, context)
        case "clone": try CloneCommand.run(inv, context)
        case "history": try HistoryCommand.run(inv, context)
        case "config": try ConfigCommand.run(inv, context)
        case "dictionaries": try DictionariesCommand.run(inv, context)
        case "cache": try CacheCommand.run(inv, context)
        case "version":
            try expectNoOperands(inv)
            if inv.flag(.json) { try context.out(JSONFields.render(VersionReport(), inv)) } else { try context.out(versionText()) }
        case "completion":
            let shells = ["bash": Docs.bash, "zsh": Docs.zsh, "fish": Docs.fish]
            guard inv.operands.count == 1, let script = shells[inv.operands[0]] else {
                throw UsageError("'completion' needs one shell: bash, zsh or fish", hint: "elevenlabs completion bash > FILE", command: "completion")
            }
            try context.out(script())
        default:
            throw UsageError("unknown command '\(inv.command)'")
        }
    }

    /// False only for runs that certainly print help or the version or stay on this machine (and so
    /// need libcurl loaded before anything else, if at all); a misjudged true costs only an idle warm-up.
    public static func mayUseNetwork(_ args: [String]) -> Bool {
        // Commands that are answered here (a `config set` of the base URL, or `version`, loads libcurl
        // itself when it needs it).
        if let first = args.first, ["help", "config", "cache", "version", "completion"].contains(first) { return false }
        for a in args {
            if a == "--" { break }
            if a == "--help" || a == "-h" || a == "--version" { return false }
        }
        return true
    }

    /// A closed standard stream (`2>&-`) would let the next file opened take its number, and then
    /// messages meant for stderr land in an audio file: each closed one is opened on /dev/null first.
    public static func reopenClosedStandardStreams() {
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            let null = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY)
            if null >= 0 && null != fd { dup2(null, fd); close(null) }
        }
    }

    /// `version --json`: what `--version` prints, field by field (empty commit and packaging for
    /// a build from source).
    struct VersionReport: Encodable {
        let version = BuildInfo.version, commit = BuildInfo.commit, packaging = BuildInfo.packaging
        let libcurl = CurlInfo.version, tls = CurlInfo.sslVersion
        let libmpg123 = AudioLibraries.mpg123Version, alsa_lib = AudioLibraries.alsaVersion
    }

    static func versionText() -> String {
        var s = "elevenlabs \(BuildInfo.description)\n"
        s += "libcurl \(CurlInfo.version)" + (CurlInfo.sslVersion.map { " (\($0))" } ?? "") + "\n"
        s += "libmpg123 \(AudioLibraries.mpg123Version)\n"
        s += "alsa-lib \(AudioLibraries.alsaVersion)\n"
        return s
    }

    /// Refuses operands a command does not take, so typos are not silently ignored.
    static func expectNoOperands(_ inv: Invocation) throws {
        if let extra = inv.operands.first {
            throw UsageError("'\(inv.command)' takes no arguments, but got '\(extra)'", command: inv.command)
        }
    }
}
