// The one table of commands and options. Parsing, `--help`, the man page and the shell completions are
// all driven by it (a test keeps the man page and completions in step), so an option exists exactly
// when it has a row here.

/// Every option's long name. Code names an option by one of these cases, never by a string, so a
/// misspelt or removed option is a compile error, and a test checks each case has exactly one row.
public enum OptionName: String, CaseIterable, Sendable, Hashable {
    // Global
    case help, version, apiKeyFile = "api-key-file", baseURL = "base-url", json, verbose, quiet
    case connectTimeout = "connect-timeout", firstByteTimeout = "first-byte-timeout", stallTimeout = "stall-timeout", retries, cacert
    // speak (some also of history and voices)
    case voice, model, file, output, format, play, device
    case stability, similarityBoost = "similarity-boost", style, speakerBoost = "speaker-boost", noSpeakerBoost = "no-speaker-boost"
    case speed, rate, language, dict, seed, textNormalization = "text-normalization"
    case outDir = "out-dir", eachLine = "each-line", jobs, force, dryRun = "dry-run", dialogue, cast, yes, progress
    case captions, highlight, noCache = "no-cache", cacheInfo = "cache-info", clearCache = "clear-cache", live, noLive = "no-live", metrics
    // voices, clone, history, dictionaries
    case search, gender, accent, age, label, description, allowDuplicate = "allow-duplicate"
    case removeBackgroundNoise = "remove-background-noise", name, limit, after, before, category
    case createDirs = "create-dirs", clobber
    // documents
    case inputFormat = "input-format", chapterLevel = "chapter-level", readCode = "read-code", splitChapters = "split-chapters", author, cover
}

public struct OptionSpec: Sendable {
    public enum Kind: Sendable, Equatable {
        case flag
        /// Takes a value; the string names it in help (`--voice NAME`).
        case value(String)
    }
    public let name: OptionName
    public let short: Character?
    public let kind: Kind
    /// Commands the option belongs to; empty means it is global.
    public let commands: [String]
    /// Allowed values, checked while parsing and offered by completions.
    public let choices: [String]
    /// Repeated uses accumulate; otherwise the last one wins, as in curl and most Unix tools.
    public let repeatable: Bool
    public let help: String
    /// The description where a command uses the option differently from `help` (which is speak's).
    public var helpFor: [String: String] = [:]

    /// The description of the option as `command` uses it.
    public func help(for command: String?) -> String { command.flatMap { helpFor[$0] } ?? help }

    /// The name as typed after `--`.
    public var long: String { name.rawValue }
    public var takesValue: Bool { kind != .flag }
    public var isGlobal: Bool { commands.isEmpty }
    public var metavar: String? { if case .value(let m) = kind { return m }; return nil }
}

public struct CommandSpec: Sendable {
    public let name: String
    public let summary: String
    /// Usage lines after "elevenlabs ".
    public let usage: [String]
    /// Sub-verbs (`voices show`), each with a one-line description.
    public let verbs: [(name: String, help: String)]
    public let examples: [String]
}

public enum OptionTable {
    public static let commands: [CommandSpec] = [
        CommandSpec(name: "speak", summary: "speak text aloud, or save it as audio (the default command)",
                    usage: ["speak [OPTIONS] TEXT...", "speak [OPTIONS] -f FILE", "speak [OPTIONS] < FILE   (or from a pipe, spoken as it arrives)",
                            "speak --out-dir DIR [OPTIONS] FILE...   (batch: one audio file per input file)",
                            "speak --dialogue [OPTIONS] SCRIPT   (several voices; with --out-dir, several scripts)",
                            "speak -f BOOK.md|.html|.epub -o BOOK.mp3 [--split-chapters]   (an audiobook, in chapters)",
                            "[OPTIONS] TEXT...   (speak is the command when none is named)"],
                    verbs: [],
                    examples: ["elevenlabs \"Hello there\"", "elevenlabs speak -v Roger -o hello.mp3 \"Hello there\"",
                               "fortune | elevenlabs -v George", "elevenlabs speak -f chapter1.txt -o chapter1.wav",
                               "elevenlabs speak --format pcm_16000 -o - \"hi\" | aplay -r 16000 -f S16_LE -t raw -",
                               "elevenlabs speak --out-dir audio/ chapters/*.txt", "elevenlabs speak --dict DICTIONARY_ID \"Siobhán met Tomás.\"",
                               "elevenlabs speak --dialogue episode.txt --cast HOST=Sarah -o episode.mp3 --captions episode.srt",
                               "elevenlabs speak -f book.epub -o book.mp3 --cover cover.jpg --dry-run",
                               "elevenlabs speak --each-line -f prompts.txt --out-dir clips/ | xargs -n1 mpg123"]),
        CommandSpec(name: "models", summary: "list the text-to-speech models, their languages, limits and cost",
                    usage: ["models [--json]"], verbs: [],
                    examples: ["elevenlabs models", "elevenlabs models --json | jq -r '.[].model_id'"]),
        CommandSpec(name: "user", summary: "show the plan, credits used and left, and where the API key came from",
                    usage: ["user [--json]"], verbs: [],
                    examples: ["elevenlabs user"]),
        CommandSpec(name: "voices", summary: "list and search the voices this account can use",
                    usage: ["voices [--search TEXT] [--category CATEGORY] [--json]", "voices search TEXT",
                            "voices show NAME|ID [--json]",
                            "voices settings NAME|ID [--stability X] [--similarity-boost X] [--style X] [--speed X]",
                            "voices delete NAME|ID [--yes]",
                            "voices preview NAME|ID [-o FILE] [--device NAME]"],
                    verbs: [("list", "every voice, as with no verb (also: ls)"), ("search", "voices whose name, description or labels contain TEXT (as --search)"),
                            ("show", "details and settings of one voice"),
                            ("settings", "show a voice's settings and the account defaults; with setting options, change them"),
                            ("delete", "delete a voice of yours, named exactly or by id (asks first on a terminal; --yes otherwise)"),
                            ("preview", "hear the voice's own sample (free), or write it with -o")],
                    examples: ["elevenlabs voices --search roger", "elevenlabs voices --gender female --accent british",
                               "elevenlabs voices show Roger", "elevenlabs voices settings Roger --stability 0.3",
                               "elevenlabs voices delete 'My Clone' --yes"]),
        CommandSpec(name: "clone", summary: "make a voice from your own recordings (instant voice cloning), or edit one",
                    usage: ["clone NAME FILE... [--label KEY=VALUE]... [--description TEXT] [--remove-background-noise]",
                            "clone edit NAME|ID [--name NEW] [--label KEY=VALUE]... [--description TEXT] [FILE...]"],
                    verbs: [("edit", "rename, relabel, describe, or add samples to a voice of yours")],
                    examples: ["elevenlabs clone Narrator take1.mp3 take2.wav --label accent=irish",
                               "elevenlabs clone edit Narrator --name 'Old Narrator'"]),
        CommandSpec(name: "history", summary: "list, replay, save, download and delete your generations",
                    usage: ["history [--limit N] [--voice NAME|ID] [--model MODEL] [--search TEXT] [--after DATE] [--before DATE]",
                            "history show ID", "history play ID [--device NAME]", "history save ID -o FILE",
                            "history download ID... --out-dir DIR [--clobber]", "history delete ID... [--yes]"],
                    verbs: [("list", "your generations, as with no verb (also: ls)"), ("search", "generations whose text contains TEXT (as --search)"),
                            ("show", "one generation's details"), ("play", "play a generation again (no credits)"),
                            ("save", "write a generation's audio to a file (no credits)"),
                            ("download", "write several generations, one file each, under names made from date, voice and text"),
                            ("delete", "delete generations (asks first on a terminal; --yes otherwise)")],
                    examples: ["elevenlabs history --limit 20", "elevenlabs history play HISTORY_ID",
                               "elevenlabs history download ID1 ID2 --out-dir takes/"]),
        CommandSpec(name: "dictionaries", summary: "list, show and add pronunciation dictionaries (speak applies them by id)",
                    usage: ["dictionaries [list] [--json]", "dictionaries show ID [--json]",
                            "dictionaries add FILE.pls --name NAME [--description TEXT]"],
                    verbs: [("list", "every dictionary: id, name, latest version, rules"),
                            ("show", "one dictionary's details"),
                            ("add", "make a dictionary from a .pls lexicon file (W3C PLS)")],
                    examples: ["elevenlabs dictionaries add names.pls --name 'Character names'",
                               "elevenlabs dictionaries --json | jq -r '.[].id'"]),
        CommandSpec(name: "config", summary: "show the settings in force and where each came from; set and unset them in the config file",
                    usage: ["config [show] [--json]", "config set NAME VALUE", "config unset NAME", "config path"],
                    verbs: [("show", "every setting, its value and its source (environment, config file and line, default)"),
                            ("set", "write NAME = VALUE into the config file (atomically, keeping comments)"),
                            ("unset", "remove NAME from the config file"), ("path", "print the config file's path")],
                    examples: ["elevenlabs config", "elevenlabs config set voice Roger", "elevenlabs config set api_key_file ~/.secrets/elevenlabs"]),
        CommandSpec(name: "cache", summary: "show, empty or locate the audio cache (audio already bought, replayed free)",
                    usage: ["cache [info] [--json]", "cache clear [--json]", "cache path"],
                    verbs: [("info", "how many entries, their size and the cap (cache_max_mb), and where"),
                            ("clear", "remove every cached audio entry"),
                            ("path", "print the cache directory")],
                    examples: ["elevenlabs cache", "elevenlabs cache clear", "du -sh \"$(elevenlabs cache path)\""]),
        CommandSpec(name: "version", summary: "show the version and the libcurl, mpg123 and ALSA versions (as --version)",
                    usage: ["version"], verbs: [], examples: ["elevenlabs version"]),
        CommandSpec(name: "completion", summary: "print the bash, zsh or fish completion script (to install it without the repository)",
                    usage: ["completion bash|zsh|fish"], verbs: [],
                    examples: ["elevenlabs completion bash > ~/.local/share/bash-completion/completions/elevenlabs",
                               "elevenlabs completion fish > ~/.config/fish/completions/elevenlabs.fish"]),
    ]

    public static let options: [OptionSpec] = [
        // Global
        OptionSpec(name: .help, short: "h", kind: .flag, commands: [], choices: [], repeatable: false,
                   help: "show help (for a command: elevenlabs COMMAND --help)"),
        OptionSpec(name: .version, short: "V", kind: .flag, commands: [], choices: [], repeatable: false,
                   help: "show the version and the libcurl, mpg123 and ALSA versions"),
        OptionSpec(name: .apiKeyFile, short: nil, kind: .value("FILE"), commands: [], choices: [], repeatable: false,
                   help: "read the API key from FILE (safer than the environment on shared machines)"),
        OptionSpec(name: .baseURL, short: nil, kind: .value("URL"), commands: [], choices: [], repeatable: false,
                   help: "API address (default https://api.elevenlabs.io; also ELEVENLABS_BASE_URL)"),
        OptionSpec(name: .json, short: nil, kind: .flag, commands: [], choices: [], repeatable: false,
                   help: "print machine-readable JSON instead of tables; --json FIELD,... prints only those fields of a listing ('--json ?' lists them)"),
        OptionSpec(name: .verbose, short: nil, kind: .flag, commands: [], choices: [], repeatable: false,
                   help: "trace requests and responses on stderr (the key is masked)"),
        OptionSpec(name: .quiet, short: "q", kind: .flag, commands: [], choices: [], repeatable: false,
                   help: "print nothing on stderr but errors and warnings (no notes, retries or progress)"),
        OptionSpec(name: .connectTimeout, short: nil, kind: .value("SECONDS"), commands: [], choices: [], repeatable: false,
                   help: "give up connecting after SECONDS (default 10)"),
        OptionSpec(name: .firstByteTimeout, short: nil, kind: .value("SECONDS"), commands: [], choices: [], repeatable: false,
                   help: "give up when the server has not begun to answer after SECONDS (default 120)"),
        OptionSpec(name: .stallTimeout, short: nil, kind: .value("SECONDS"), commands: [], choices: [], repeatable: false,
                   help: "give up when an answer stops for SECONDS (default 30; no limit on total time)"),
        OptionSpec(name: .retries, short: nil, kind: .value("N"), commands: [], choices: [], repeatable: false,
                   help: "retry busy (429), failing (5xx) and unreachable servers N times with backoff (default 3; 0 = never)"),
        OptionSpec(name: .cacert, short: nil, kind: .value("FILE"), commands: [], choices: [], repeatable: false,
                   help: "trust the CA certificates in FILE as well (TLS is always verified)"),

        // speak
        OptionSpec(name: .voice, short: "v", kind: .value("NAME|ID"), commands: ["speak", "history"], choices: [], repeatable: false,
                   help: "voice by name or id ('?' lists them; default: ELEVENLABS_VOICE, then voice in the config file, else George)",
                   helpFor: ["history": "only generations with this voice (name or id)"]),
        OptionSpec(name: .model, short: "m", kind: .value("MODEL"), commands: ["speak", "history"], choices: [], repeatable: false,
                   help: "model: id, display name or alias (flash, turbo, v3, multilingual); '?' lists them (default: ELEVENLABS_MODEL, then model in the config file, else eleven_multilingual_v2)",
                   helpFor: ["history": "only generations made with this model (id)"]),
        OptionSpec(name: .file, short: "f", kind: .value("FILE"), commands: ["speak"], choices: [], repeatable: true,
                   help: "read the text from FILE ('-' for standard input); several -f with --out-dir convert each"),
        OptionSpec(name: .output, short: "o", kind: .value("PATH"), commands: ["speak", "history", "voices"], choices: [], repeatable: false,
                   help: "write the audio to PATH instead of playing it ('-' for standard output); the extension picks the format",
                   helpFor: ["history": "history save: where to write the generation ('-' for standard output)",
                             "voices": "voices preview: write the preview to PATH (MP3) instead of playing it"]),
        OptionSpec(name: .format, short: nil, kind: .value("FORMAT"), commands: ["speak"], choices: AudioFormats.names, repeatable: false,
                   help: "the API's output format, e.g. mp3_44100_128 or pcm_24000 (must agree with the extension); '?' lists them"),
        OptionSpec(name: .play, short: nil, kind: .flag, commands: ["speak"], choices: [], repeatable: false,
                   help: "with -o, play the audio as well"),
        OptionSpec(name: .device, short: "a", kind: .value("NAME"), commands: ["speak", "history", "voices"], choices: [], repeatable: false,
                   help: "ALSA playback device (default: ELEVENLABS_DEVICE, then device in the config file, else 'default'; '?' lists them)",
                   helpFor: ["history": "history play: the ALSA device to play on (default as for speak)",
                             "voices": "voices preview: the ALSA device to play on (default as for speak)"]),
        OptionSpec(name: .stability, short: nil, kind: .value("0..1"), commands: ["speak", "voices"], choices: [], repeatable: false,
                   help: "voice stability for this request",
                   helpFor: ["voices": "voices settings: set the voice's stored stability (0 to 1)"]),
        OptionSpec(name: .similarityBoost, short: nil, kind: .value("0..1"), commands: ["speak", "voices"], choices: [], repeatable: false,
                   help: "how closely to keep to the original voice",
                   helpFor: ["voices": "voices settings: set the voice's stored similarity boost (0 to 1)"]),
        OptionSpec(name: .style, short: nil, kind: .value("0..1"), commands: ["speak", "voices"], choices: [], repeatable: false,
                   help: "style exaggeration",
                   helpFor: ["voices": "voices settings: set the voice's stored style exaggeration (0 to 1)"]),
        OptionSpec(name: .speakerBoost, short: nil, kind: .flag, commands: ["speak", "voices"], choices: [], repeatable: false,
                   help: "turn speaker boost on",
                   helpFor: ["voices": "voices settings: turn the voice's stored speaker boost on"]),
        OptionSpec(name: .noSpeakerBoost, short: nil, kind: .flag, commands: ["speak", "voices"], choices: [], repeatable: false,
                   help: "turn speaker boost off",
                   helpFor: ["voices": "voices settings: turn the voice's stored speaker boost off"]),
        OptionSpec(name: .speed, short: nil, kind: .value("0.7..1.2"), commands: ["speak", "voices"], choices: [], repeatable: false,
                   help: "speaking speed (1 is normal)",
                   helpFor: ["voices": "voices settings: set the voice's stored speaking speed (0.7 to 1.2)"]),
        OptionSpec(name: .rate, short: "r", kind: .value("WPM"), commands: ["speak"], choices: [], repeatable: false,
                   help: "speaking rate in words per minute, as say(1) takes it (175 is normal; outside 123 to 210 the nearest is used)"),
        OptionSpec(name: .language, short: nil, kind: .value("CODE"), commands: ["speak", "voices"], choices: [], repeatable: false,
                   help: "ISO 639-1 code: the language to speak (models that take it; others warn and leave it out)",
                   helpFor: ["voices": "only voices for this language (ISO 639-1 code)"]),
        OptionSpec(name: .dict, short: nil, kind: .value("ID[:VERSION]"), commands: ["speak"], choices: [], repeatable: true,
                   help: "apply a pronunciation dictionary (up to 3, in order; the latest version unless VERSION; config: dictionary = ID[:VERSION], ...)"),
        OptionSpec(name: .seed, short: nil, kind: .value("N"), commands: ["speak"], choices: [], repeatable: false,
                   help: "0 to 4294967295, for repeatable results (best effort)"),
        OptionSpec(name: .textNormalization, short: nil, kind: .value("MODE"), commands: ["speak"], choices: ["auto", "on", "off"],
                   repeatable: false, help: "spell out numbers and abbreviations"),
        OptionSpec(name: .outDir, short: nil, kind: .value("DIR"), commands: ["speak", "history"], choices: [], repeatable: false,
                   help: "batch: one audio file per input (-f FILE..., or files as arguments) written into DIR (created when missing)",
                   helpFor: ["history": "history download: the directory to write the files into (created when missing)"]),
        OptionSpec(name: .createDirs, short: nil, kind: .flag, commands: ["speak", "history", "voices"], choices: [], repeatable: false,
                   help: "make every missing directory of -o, --captions or --out-dir (without it only the last may be missing, and is made)",
                   helpFor: ["history": "history save and download: make every missing directory of -o or --out-dir (without it only the last may be missing)",
                             "voices": "voices preview: make every missing directory of -o (without it only the last may be missing)"]),
        OptionSpec(name: .eachLine, short: nil, kind: .flag, commands: ["speak"], choices: [], repeatable: false,
                   help: "batch: every non-empty line of the input becomes its own numbered file; paths are printed as written"),
        OptionSpec(name: .jobs, short: "j", kind: .value("N"), commands: ["speak"], choices: [], repeatable: false,
                   help: "batch: requests in flight at once (default: your plan's limit, never more)"),
        OptionSpec(name: .force, short: nil, kind: .flag, commands: ["speak"], choices: [], repeatable: false,
                   help: "batch: convert again even when the output exists"),
        OptionSpec(name: .dryRun, short: nil, kind: .flag, commands: ["speak"], choices: [], repeatable: false,
                   help: "print what would be bought (requests, characters, estimated credits; a batch its items, a dialogue its cast) and spend nothing"),
        OptionSpec(name: .dialogue, short: nil, kind: .flag, commands: ["speak"], choices: [], repeatable: false,
                   help: "the input is a script of several voices: 'NAME: text' turns, blank lines between them (eleven_v3 unless -m says otherwise)"),
        OptionSpec(name: .cast, short: nil, kind: .value("NAME=VOICE"), commands: ["speak"], choices: [], repeatable: true,
                   help: "--dialogue: the voice that speaks NAME's turns (else the script's '# cast:' line says, else the voice named NAME)"),
        OptionSpec(name: .yes, short: "y", kind: .flag, commands: ["speak", "voices", "history"], choices: [], repeatable: false,
                   help: "do not ask before spending over 10,000 credits",
                   helpFor: ["voices": "do not ask before deleting (scripts need it to delete)", "history": "do not ask before deleting (scripts need it to delete)"]),
        OptionSpec(name: .progress, short: nil, kind: .flag, commands: ["speak"], choices: [], repeatable: false,
                   help: "show progress on stderr even when it is not a terminal (batches and texts of several requests)"),
        OptionSpec(name: .captions, short: nil, kind: .value("FILE"), commands: ["speak"], choices: [], repeatable: false,
                   help: "also write captions timed to the audio: FILE.srt, FILE.vtt or FILE.json (with --out-dir: srt, vtt or json, one beside each output)"),
        OptionSpec(name: .highlight, short: "i", kind: .flag, commands: ["speak"], choices: [], repeatable: false,
                   help: "on a terminal, show the text and mark each word as it is heard (like say -i)"),
        OptionSpec(name: .noCache, short: nil, kind: .flag, commands: ["speak"], choices: [], repeatable: false,
                   help: "neither use nor fill the audio cache (audio already bought is otherwise reused, free)"),
        OptionSpec(name: .cacheInfo, short: nil, kind: .flag, commands: ["speak"], choices: [], repeatable: false,
                   help: "show the audio cache's size and place, and exit (as 'elevenlabs cache')"),
        OptionSpec(name: .clearCache, short: nil, kind: .flag, commands: ["speak"], choices: [], repeatable: false,
                   help: "empty the audio cache, and exit (as 'elevenlabs cache clear')"),
        OptionSpec(name: .live, short: nil, kind: .flag, commands: ["speak"], choices: [], repeatable: false,
                   help: "speak standard input as it arrives, over the WebSocket (the default for a pipe or terminal)"),
        OptionSpec(name: .noLive, short: nil, kind: .flag, commands: ["speak"], choices: [], repeatable: false,
                   help: "read standard input to its end first, then speak it (long texts are split into requests)"),
        OptionSpec(name: .metrics, short: nil, kind: .flag, commands: ["speak"], choices: [], repeatable: false,
                   help: "report time to first byte and sound, audio length, credits, request id and a timeline of the steps before the first sound on stderr (--json for JSON)"),

        // documents
        OptionSpec(name: .inputFormat, short: nil, kind: .value("FORMAT"), commands: ["speak"], choices: ["md", "html", "epub", "text"], repeatable: false,
                   help: "read the input as this kind of document (default: from the file's extension; .md, .html, .xhtml and .epub are documents)"),
        OptionSpec(name: .chapterLevel, short: nil, kind: .value("N"), commands: ["speak"], choices: [], repeatable: false,
                   help: "documents: headings of level N start chapters (default: the top level that occurs more than once)"),
        OptionSpec(name: .readCode, short: nil, kind: .flag, commands: ["speak"], choices: [], repeatable: false,
                   help: "documents: read code blocks and tables aloud (default: a short note says each was skipped)"),
        OptionSpec(name: .splitChapters, short: nil, kind: .flag, commands: ["speak"], choices: [], repeatable: false,
                   help: "documents: one file per chapter ('NN - Title.mp3' in a folder named after -o's file) and an .m3u playlist"),
        OptionSpec(name: .author, short: nil, kind: .value("NAME"), commands: ["speak"], choices: [], repeatable: false,
                   help: "documents: the artist tag of the MP3 (default: the book's author, else the voice)"),
        OptionSpec(name: .cover, short: nil, kind: .value("IMAGE"), commands: ["speak"], choices: [], repeatable: false,
                   help: "documents: a JPEG or PNG cover picture for the MP3's tags"),

        // voices
        OptionSpec(name: .search, short: nil, kind: .value("TEXT"), commands: ["voices", "history"], choices: [], repeatable: false,
                   help: "only voices whose name, description or labels contain TEXT",
                   helpFor: ["history": "only generations whose text contains TEXT"]),
        OptionSpec(name: .gender, short: nil, kind: .value("GENDER"), commands: ["voices"], choices: [], repeatable: false,
                   help: "only voices with this gender label (male, female, neutral)"),
        OptionSpec(name: .accent, short: nil, kind: .value("ACCENT"), commands: ["voices"], choices: [], repeatable: false,
                   help: "only voices with this accent label (american, british, ...)"),
        OptionSpec(name: .age, short: nil, kind: .value("AGE"), commands: ["voices"], choices: [], repeatable: false,
                   help: "only voices with this age label (young, middle_aged, old)"),

        // clone
        OptionSpec(name: .label, short: nil, kind: .value("KEY=VALUE"), commands: ["clone"], choices: [], repeatable: true,
                   help: "a label for the voice, e.g. accent=irish (repeatable)"),
        OptionSpec(name: .description, short: nil, kind: .value("TEXT"), commands: ["clone", "dictionaries"], choices: [], repeatable: false,
                   help: "a description of the voice",
                   helpFor: ["dictionaries": "dictionaries add: a description of the dictionary"]),
        OptionSpec(name: .allowDuplicate, short: nil, kind: .flag, commands: ["clone"], choices: [], repeatable: false,
                   help: "make the voice even when one of yours already has that name (names then need the id to tell them apart)"),
        OptionSpec(name: .removeBackgroundNoise, short: nil, kind: .flag, commands: ["clone"], choices: [], repeatable: false,
                   help: "have the service clean the samples first"),
        OptionSpec(name: .name, short: nil, kind: .value("NAME"), commands: ["clone", "dictionaries"], choices: [], repeatable: false,
                   help: "clone edit: the voice's new name",
                   helpFor: ["dictionaries": "dictionaries add: the dictionary's name (required)"]),

        // history
        OptionSpec(name: .clobber, short: nil, kind: .flag, commands: ["history"], choices: [], repeatable: false,
                   help: "history download: replace files already there (by default they are kept and skipped)"),
        OptionSpec(name: .limit, short: nil, kind: .value("N"), commands: ["history"], choices: [], repeatable: false,
                   help: "list at most N generations (default 20; pages are followed)"),
        OptionSpec(name: .after, short: nil, kind: .value("DATE"), commands: ["history"], choices: [], repeatable: false,
                   help: "only generations on or after DATE (YYYY-MM-DD, UTC, or a unix time)"),
        OptionSpec(name: .before, short: nil, kind: .value("DATE"), commands: ["history"], choices: [], repeatable: false,
                   help: "only generations before DATE (YYYY-MM-DD, UTC, or a unix time)"),

        OptionSpec(name: .category, short: nil, kind: .value("CATEGORY"), commands: ["voices"],
                   choices: ["premade", "cloned", "generated", "professional"], repeatable: false,
                   help: "only voices of this category"),
    ]

    public static func command(named name: String) -> CommandSpec? { commands.first { $0.name == name } }

    /// The row of an option (every OptionName has one: a test checks it).
    public static func spec(_ name: OptionName) -> OptionSpec { options.first { $0.name == name }! }

    /// Options valid for a command: the global ones and its own.
    public static func options(for command: String?) -> [OptionSpec] {
        options.filter { o in o.isGlobal || (command.map { o.commands.contains($0) } ?? false) }
    }
}
