// Which options each way of running `speak` honours, in one table. An invocation takes one or more
// paths (`-o x.mp3 --play --dialogue` is file, playing and dialogue); an option given on the command
// line must be honoured by at least one of them and refused by none, or the run stops here, before
// anything is read or sent, with exit 2 and a message naming the option and the path. So an option
// a path cannot honour is refused, never silently dropped, and the option × path test walks this
// table against the real binary.
import ElevenLabsAPI

enum SpeechPath: String, CaseIterable, Sendable {
    /// The audio is played on a device: no -o, or -o with --play.
    case playing
    /// -o FILE.
    case file
    /// -o - (standard output).
    case stdout
    /// --out-dir DIR: one file per input.
    case batch
    /// --dialogue: a script of several voices.
    case dialogue
    /// Standard input spoken as it arrives, over the WebSocket.
    case live
    /// --dry-run: priced and planned, nothing bought.
    case dryRun

    /// How the path is named in messages: as the user asked for it.
    var phrase: String {
        switch self {
        case .playing: return "playing"
        case .file: return "-o FILE (written, not played)"
        case .stdout: return "-o - (written to standard output, not played)"
        case .batch: return "--out-dir"
        case .dialogue: return "--dialogue"
        case .live: return "live input"
        case .dryRun: return "--dry-run"
        }
    }
}

enum SpeechPaths {
    /// What every path that speaks text honours: the request's content and settings, the spend
    /// question, the cache and the input.
    static let speaking: Set<OptionName> = [
        .voice, .model, .file, .format, .stability, .similarityBoost, .style, .speakerBoost, .noSpeakerBoost, .speed, .rate,
        .language, .dict, .seed, .textNormalization, .yes, .noCache, .progress, .captions, .live, .noLive,
        .output, .outDir, .dialogue, .dryRun, .createDirs, .inputFormat, .chapterLevel, .readCode,
    ]

    /// The options each path gives a meaning to. An option is honoured when one of the invocation's
    /// paths lists it here (global options, which shape the connection, are honoured by all).
    static let honours: [SpeechPath: Set<OptionName>] = [
        .playing: speaking.union([.play, .device, .highlight, .metrics, .json]),
        .file: speaking.union([.play, .metrics, .json, .splitChapters, .author, .cover]),
        .stdout: speaking.union([.play, .metrics, .json]),
        .batch: speaking.union([.eachLine, .jobs, .force]),
        .dialogue: [.cast],
        .live: [],
        .dryRun: [.json],
    ]

    /// Conflicts: options a path cannot take even when another path of the invocation honours them.
    static let refuses: [SpeechPath: [OptionName: (why: String, hint: String)]] = [
        .batch: [
            .output: ("a batch names its files itself, in DIR", "drop -o, or drop --out-dir to write one file"),
            .live: ("a batch reads its inputs whole", "drop --live"),
        ],
        .dialogue: [
            .voice: ("--dialogue takes its voices from the script, not -v", "cast them with --cast NAME=VOICE"),
            .inputFormat: ("a script is read as a script", "drop --input-format"),
            .chapterLevel: ("a script has no chapters", "drop --chapter-level"),
            .readCode: ("a script has no code blocks", "drop --read-code"),
            .splitChapters: ("a script has no chapters", "drop --split-chapters"),
            .author: ("a script is not a document", "drop --author"),
            .cover: ("a script is not a document", "drop --cover"),
            .live: ("a script is read whole", "drop --live"),
            .eachLine: ("a script's lines are its turns", "drop --each-line"),
        ],
        .live: [
            .dryRun: ("live text is not known yet, so it cannot be priced", "use --no-live to read it whole and price it"),
            .inputFormat: ("a document is read whole, not spoken as it arrives", "drop --live"),
            .chapterLevel: ("live input is not a document", "give the document with -f FILE"),
            .readCode: ("live input is not a document", "give the document with -f FILE"),
            .splitChapters: ("live input is not a document", "give the document with -f FILE"),
            .author: ("live input is not a document", "give the document with -f FILE"),
            .cover: ("live input is not a document", "give the document with -f FILE"),
            .noLive: ("--live and --no-live contradict each other", "give one of them"),
        ],
        .dryRun: [
            .highlight: ("a dry run plays nothing", "drop --dry-run to hear it"),
            .metrics: ("a dry run buys nothing, so there is nothing to measure", "drop --dry-run to measure a real run"),
        ],
    ]

    /// The settings the text-to-dialogue endpoint does not take (it has only `settings.stability`).
    static let dialogueEndpointRefuses: [OptionName] = [.similarityBoost, .style, .speakerBoost, .noSpeakerBoost, .speed, .rate]

    /// Why an option that none of the invocation's paths honours would do nothing, and what to do.
    static func unused(_ option: OptionName, on paths: Set<SpeechPath>) -> (message: String, hint: String) {
        let name = spelled(option)
        let batch = paths.contains(.batch)
        let main = [SpeechPath.batch, .file, .stdout, .playing].first { paths.contains($0) } ?? .playing
        switch option {
        case .jobs, .force, .eachLine:
            return (option == .eachLine ? "several inputs (or --each-line) need --out-dir DIR" : "\(name) is for batches (--out-dir DIR)",
                    "elevenlabs speak --out-dir audio/ a.txt b.txt")
        case .cast: return ("--cast maps the speakers of a --dialogue script", "elevenlabs speak --dialogue script.txt --cast NAME=VOICE")
        case .device: return ("\(name) cannot be used with \(main.phrase): nothing is played", batch ? "play the files afterwards" : "add --play to play as well")
        case .highlight:
            return batch ? ("--highlight cannot be used with --out-dir: a batch plays nothing", "use --captions srt for timed text")
                : ("--highlight marks words as they are played, and \(main.phrase) plays nothing", "use it when playing, without -o, or add --play")
        case .play: return ("--play cannot be used with --out-dir: a batch writes files", "play them afterwards")
        case .splitChapters, .author, .cover:
            return ("\(name) shapes the one file -o writes", batch ? "convert the document on its own: elevenlabs -f BOOK.epub -o book.mp3 \(name)..."
                        : "write a file: elevenlabs -f BOOK.epub -o book.mp3 \(name)...")
        case .metrics: return ("--metrics cannot be used with --out-dir: a batch records each item in DIR/manifest.jsonl", "read the manifest")
        case .json: return ("--json cannot be used with --out-dir: a batch prints the paths it writes (DIR/manifest.jsonl records each item)",
                            "with --dry-run, --json prints the plan")
        default: return ("\(name) cannot be used with \(main.phrase)", "see elevenlabs speak --help")
        }
    }

    /// An option as messages name it: both spellings when it has a short one (which was typed is not kept).
    static func spelled(_ option: OptionName) -> String {
        OptionTable.spec(option).short.map { "--\(option.rawValue) (-\($0))" } ?? "--\(option.rawValue)"
    }

    /// The paths an invocation takes, as far as its options say (live input from a pipe is decided
    /// later, when standard input has been looked at: see `checkLive`).
    static func paths(of inv: Invocation) -> Set<SpeechPath> {
        var paths: Set<SpeechPath> = []
        let output = inv.value(.output)
        if inv.value(.outDir) != nil {
            paths.insert(.batch)
        } else {
            if output == nil || inv.flag(.play) { paths.insert(.playing) }
            if let output { paths.insert(output == "-" ? .stdout : .file) }
        }
        if inv.flag(.dialogue) { paths.insert(.dialogue) }
        if inv.flag(.live) { paths.insert(.live) }
        if inv.flag(.dryRun) { paths.insert(.dryRun) }
        return paths
    }

    /// The refusal for an option on these paths, if any.
    static func refusal(_ option: OptionName, on paths: Set<SpeechPath>, dialogueEndpoint: Bool) -> UsageError? {
        // Global options shape the connection, which every path makes; --json shapes what is printed, which is the path's.
        if OptionTable.spec(option).isGlobal && option != .json { return nil }
        for path in SpeechPath.allCases where paths.contains(path) {
            if let r = refuses[path]?[option] { return UsageError("\(spelled(option)) cannot be used with \(path.phrase): \(r.why)", hint: r.hint, command: "speak") }
        }
        if paths.contains(.dialogue) && dialogueEndpoint && dialogueEndpointRefuses.contains(option) {
            return UsageError("\(spelled(option)) cannot be used with --dialogue: text to dialogue takes only --stability",
                              hint: "drop it, or give -m a model without dialogue (each turn is then its own request)", command: "speak")
        }
        guard !paths.contains(where: { honours[$0]?.contains(option) == true }) else { return nil }
        let r = unused(option, on: paths)
        return UsageError(r.message, hint: r.hint, command: "speak")
    }

    /// Refuses, in the order they were declared, the options the invocation's paths cannot honour.
    static func check(_ inv: Invocation, paths: Set<SpeechPath>, dialogueEndpoint: Bool) throws {
        for option in OptionName.allCases where inv.values[option] != nil {
            if let e = refusal(option, on: paths, dialogueEndpoint: dialogueEndpoint) { throw e }
        }
    }
}
