// `speak`'s command line, environment and config file, checked and resolved into one value before
// anything is read or sent: so bad input never costs a request, and tests can check every rule
// in-process. No network and no audio device here.
#if canImport(Glibc)
import Glibc
#endif
import ElevenLabsAPI
import AudioPlayback
import Documents

struct SpeakOptions {
    enum Mode: Equatable {
        /// Text from the arguments, a file or all of standard input, in as many requests as it needs.
        case text
        /// Standard input as it arrives, over the stream-input WebSocket.
        case live
        /// Many inputs into --out-dir.
        case batch
    }

    var mode: Mode = .text
    var config: ConfigFile?
    /// The voice as given (`-v`, `ELEVENLABS_VOICE`, the config file), nil for the default.
    var voice: String?
    /// Where the voice and the model came from when not from their options (for messages).
    var voiceSource: String?
    var modelSource: String?
    var modelID: String
    var modelExplicit: Bool
    var settings: VoiceSettings
    var language: String?
    var seed: Int?
    var textNormalization: String?
    /// Pronunciation dictionaries (`--dict`, else the config's `dictionary`), in order.
    var dictionaries: [DictionaryLocator] = []
    /// The API's output_format.
    var format: OutputFormat
    /// `-o` (nil: play only; "-": standard output).
    var output: String?
    /// Raw PCM from the API wrapped here in a RIFF header (`-o x.wav` without --format).
    var wrapWAV = false
    var play: Bool
    var device: String
    var captionsPath: String?
    var highlight: Bool
    var useCache: Bool
    var metrics: Bool
    var json: Bool
    var quiet: Bool
    /// `--dialogue`: the input is a script of several voices (DialogueScript).
    var dialogue = false
    /// Standard input read ahead from a pipe when the audio goes to a file (see TextInput.readAhead):
    /// all of it when `mode` became `.text`, else the start of a slow pipe, priced before going live.
    var readAhead: [UInt8]? = nil
    /// `--input-format` (nil: each file's extension decides).
    var inputFormat: DocumentFormat? = nil
    /// The input is a document (Markdown, HTML, EPUB), prepared and spoken in chapters (DocumentCommand).
    var document: DocumentFormat? = nil
    var preparation = Preparation()
    var splitChapters = false
    var author: String? = nil
    /// `--cover`: the picture's bytes and MIME type, read (and checked) before anything is bought.
    var cover: (bytes: [UInt8], mime: String)? = nil

    /// The request that every part of the text shares (the text and stitching are filled in per part).
    func request(voiceID: String) -> SpeechRequest {
        var r = SpeechRequest(voiceID: voiceID, text: "", modelID: modelID, outputFormat: format,
                              settings: settings.isEmpty ? nil : settings, languageCode: language, seed: seed,
                              textNormalization: textNormalization)
        r.withTimestamps = captionsPath != nil || highlight
        r.dictionaries = dictionaries
        return r
    }

    static let sayDefaultWPM = 175.0
    static let speedRange = 0.7...1.2

    static func parse(_ inv: Invocation, _ context: Context) throws -> SpeakOptions {
        try refuseFileNamesAsText(inv)
        let config = try Resolve.config(inv, context)
        var model = Resolve.modelSpec(inv, context, config: config)
        if inv.flag(.dialogue) && inv.value(.model) == nil && context.environment["ELEVENLABS_MODEL"] == nil && config?["model"] == nil {
            // Several voices in one piece is what text to dialogue is for, and it speaks with eleven_v3.
            model = ("eleven_v3", true)
        }
        // Every option given must be honoured by a path this run takes (SpeechPaths), before anything else.
        let paths = SpeechPaths.paths(of: inv)
        try SpeechPaths.check(inv, paths: paths, dialogueEndpoint: inv.flag(.dialogue) && ModelRules.supportsDialogue(model.id))
        var o = try common(inv, context, config: config, model: model)
        let explicitFormat = try configuredFormat(inv, config: config)
        try documentOptions(&o, inv)
        if inv.value(.outDir) != nil { return try forBatch(o, format: explicitFormat) }
        if inv.all(.file).count > 1 {
            throw UsageError("several inputs (or --each-line) need --out-dir DIR", hint: "elevenlabs speak --out-dir audio/ a.txt b.txt", command: "speak")
        }
        try chooseMode(&o, paths: paths, inv, context)
        try documentInput(&o, inv)
        if let output = o.output, output != "-" {
            try forFile(&o, output: output, format: explicitFormat, inv, context)
        } else {
            if o.output == "-" && context.stdoutIsTerminal {
                throw UsageError("refusing to write audio to a terminal", hint: "redirect it (-o - > file.mp3) or pipe it to a player", command: "speak")
            }
            o.format = explicitFormat ?? OutputFormat.safeDefault
        }
        return try finish(o, inv, context)
    }

    /// What every way of speaking takes: the request's settings, the voice, the device, the outputs.
    private static func common(_ inv: Invocation, _ context: Context, config: ConfigFile?, model: (id: String, explicit: Bool)) throws -> SpeakOptions {
        let settings = try voiceSettings(inv, warn: { context.err("elevenlabs: warning: \($0)\n") })
        var o = SpeakOptions(config: config, voice: Resolve.voiceSpec(inv, context, config: config),
                             modelID: model.id, modelExplicit: model.explicit, settings: settings, language: try languageCode(inv),
                             seed: try inv.integer(.seed, in: 0...4_294_967_295),
                             textNormalization: inv.value(.textNormalization), format: OutputFormat.safeDefault,
                             output: inv.value(.output), play: false, device: Resolve.device(inv, context, config: config),
                             captionsPath: inv.value(.captions), highlight: inv.flag(.highlight),
                             useCache: !inv.flag(.noCache), metrics: inv.flag(.metrics), json: inv.flag(.json), quiet: inv.flag(.quiet))
        if !inv.all(.dict).isEmpty {
            o.dictionaries = try inv.all(.dict).flatMap { try dictionaries($0, source: "--dict") }
        } else if let listed = config?["dictionary"] {
            o.dictionaries = try dictionaries(listed, source: "the config file's dictionary")
        }
        if o.dictionaries.count > DictionaryLocator.maxPerRequest {
            throw UsageError("at most \(DictionaryLocator.maxPerRequest) pronunciation dictionaries apply to a request, not \(o.dictionaries.count)",
                             hint: "keep the three that matter most (they apply in order)", command: "speak")
        }
        o.dialogue = inv.flag(.dialogue)
        if o.dialogue { _ = try DialoguePlan.castOptions(inv.all(.cast)) }
        return o
    }

    /// --format, else the config file's format; nil when neither names one.
    private static func configuredFormat(_ inv: Invocation, config: ConfigFile?) throws -> OutputFormat? {
        guard let f = inv.value(.format) ?? config?["format"] else { return nil }
        guard let known = OutputFormat(f) else {
            let near = nearest(f, in: AudioFormats.names).map { "; did you mean '\($0)'?" } ?? ""
            throw UsageError("unknown format '\(f)'\(near)", hint: "'elevenlabs speak --help' lists the formats", command: "speak")
        }
        return known
    }

    /// A batch: the format given (or MP3), and --captions as a format for a file beside each output.
    private static func forBatch(_ options: SpeakOptions, format: OutputFormat?) throws -> SpeakOptions {
        var o = options
        o.mode = .batch
        o.format = format ?? OutputFormat.safeDefault
        try refuseDialogueWAV(o)
        if let given = o.captionsPath {
            // One captions file beside each output, so the option names a format, not a file.
            let kind = (given.hasPrefix(".") ? String(given.dropFirst()) : given).lowercased()
            guard Captions.Format(rawValue: kind) != nil else {
                throw UsageError("with --out-dir, --captions takes a format: srt, vtt or json, not '\(Output.clean(given))'",
                                 hint: "a captions file is written beside each output: --out-dir audio/ --captions srt", command: "speak")
            }
            try refuseCaptionsFormat(o.format)
            o.captionsPath = kind
        }
        return o
    }

    /// Live or read whole: standard input from a pipe or a terminal is spoken as it arrives, unless
    /// the model cannot, or the audio goes to a file and the pipe ends soon (read ahead, then priced).
    private static func chooseMode(_ o: inout SpeakOptions, paths: Set<SpeechPath>, _ inv: Invocation, _ context: Context) throws {
        // A document named by --input-format is read whole, from a file or standard input alike.
        if let f = o.inputFormat, f != .text, !o.dialogue { o.mode = .text; return }
        o.mode = try !o.dialogue && liveMode(inv, context) ? .live : .text
        if o.mode == .live && !inv.flag(.live) && !ModelRules.supportsStreamInput(o.modelID) {
            // A pipe would be spoken live by default, but the model is not served on that socket:
            // read the text whole rather than fail (an explicit --live still tries, and the server decides).
            if !o.quiet { context.err("elevenlabs: note: \(o.modelID) does not speak live input; reading standard input to its end first\n") }
            o.mode = .text
        }
        if o.mode == .live && !inv.flag(.live) && !context.stdinIsTerminal, let out = o.output, out != "-" {
            // Audio for a file, from a pipe: nobody is listening, so the text is read ahead and, when
            // the pipe ends soon (`cat long.txt |`), spoken as a file is: priced first, refused or
            // asked about. A slow pipe (a program still writing) stays live, its start priced.
            let ahead = try TextInput.readAhead(context.stdinFD)
            o.readAhead = ahead.bytes
            if ahead.ended { o.mode = .text }
        }
        if o.mode == .live && !inv.flag(.live) {
            // Standard input turned out to be a pipe or a terminal, spoken live: its options are
            // checked again for that path (live text, for one, cannot be priced by --dry-run).
            try SpeechPaths.check(inv, paths: paths.union([.live]), dialogueEndpoint: false)
        }
    }

    /// `-o FILE`: the format from the name (a configured one never beats it; a --format that
    /// contradicts it is refused), and the file's directory checked before anything is bought.
    private static func forFile(_ o: inout SpeakOptions, output: String, format explicitFormat: OutputFormat?, _ inv: Invocation, _ context: Context) throws {
        if output.hasSuffix("/") {
            throw UsageError("'\(output)' names a directory", hint: "to write one file per input there: --out-dir \(output)", command: "speak")
        }
        let byExtension = OutputFormat.forFile(output)
        let name = output.split(separator: "/").last.map(String.init) ?? output
        if explicitFormat == nil && byExtension == nil {
            guard let dot = name.lastIndex(of: "."), dot != name.startIndex else {
                // No extension: MP3, as the safest default, said once (after the path is known to
                // take a file: a directory is an error, not a note and then an error).
                try AtomicFile.check(output, createDirs: inv.flag(.createDirs))
                if !o.quiet { context.err("elevenlabs: note: '\(output)' has no extension; writing MP3 (\(OutputFormat.safeDefault))\n") }
                o.format = OutputFormat.safeDefault
                return
            }
            throw UsageError("'\(name[dot...])' is not an audio format this tool writes",
                             hint: "use .mp3, .wav, .pcm (or .raw), .ulaw, .alaw or .opus (or .ogg), or name the format with --format", command: "speak")
        }
        if let configured = explicitFormat, inv.value(.format) == nil, let implied = byExtension, !configured.fits(fileOf: implied) {
            // A configured default never beats the name the user just typed: `format = mp3_22050_32`
            // with -o x.wav would write an MP3 named .wav. The extension decides, and says so.
            if !o.quiet {
                context.err("elevenlabs: note: '\(name)' asks for \(implied), not the config's \(configured) (\(o.config!.source(of: "format"))); writing \(implied)\n")
            }
            o.format = implied
        } else if let explicit = explicitFormat, inv.value(.format) != nil, let implied = byExtension, !explicit.fits(fileOf: implied) {
            // --format wav_16000 -o x.mp3 would write a WAV named .mp3.
            throw UsageError("--format \(explicit) does not match the name '\(name)'",
                             hint: "name the file .\(explicit.fileExtension), or leave --format out", command: "speak")
        } else {
            o.format = explicitFormat ?? byExtension!
        }
        // A .wav of PCM gets its RIFF header here (the API's wav_* come with their own).
        o.wrapWAV = output.lowercased().hasSuffix(".wav") && o.format.isRawPCM
        // A directory that cannot take the file fails now, not after the audio was paid for.
        try AtomicFile.check(output, createDirs: inv.flag(.createDirs))
    }

    /// The checks that depend on the format being known.
    private static func finish(_ options: SpeakOptions, _ inv: Invocation, _ context: Context) throws -> SpeakOptions {
        var o = options
        o.play = o.output == nil || inv.flag(.play)
        if o.play && AudioFormats.playback(o.format) == nil {
            let from = inv.value(.format) == nil ? o.config.flatMap { c in c["format"] == o.format.name ? " (the config's \(c.source(of: "format")))" : nil } ?? "" : ""
            throw UsageError("\(o.format)\(from) cannot be played directly", hint: "play mp3_*, pcm_*, ulaw_8000 or alaw_8000, or write it to a file with -o", command: "speak")
        }
        if o.format.isWholeFile && inv.flag(.play) {
            throw UsageError("--play cannot be used with a wav_* format", hint: "write .wav to play it as it arrives", command: "speak")
        }
        try refuseDialogueWAV(o)
        if o.mode == .live && o.format.isWholeFile {
            throw UsageError("live input cannot produce \(o.format)", hint: "write .wav (PCM in a WAV header) or use --no-live", command: "speak")
        }
        if let path = o.captionsPath {
            guard Captions.format(for: path) != nil else {
                throw UsageError("cannot tell the captions format from '\(path)'", hint: "name it .srt, .vtt or .json", command: "speak")
            }
            try refuseCaptionsFormat(o.format)
            try AtomicFile.check(path, createDirs: inv.flag(.createDirs))
        }
        if o.highlight && !context.stderrIsTerminal {
            // As say -i: with no terminal to show the text on, it just speaks.
            context.err("elevenlabs: warning: --highlight needs a terminal to show the text on; speaking without it\n")
            o.highlight = false
        }
        if o.language != nil && !ModelRules.supportsLanguageCode(o.modelID) {
            context.err("elevenlabs: warning: \(o.modelID) does not take --language (it detects the language itself); leaving it out\n")
        }
        o.voiceSource = Resolve.source(.voice, env: "ELEVENLABS_VOICE", configKey: "voice", inv, context, config: o.config)
        o.modelSource = Resolve.source(.model, env: "ELEVENLABS_MODEL", configKey: "model", inv, context, config: o.config)
        return o
    }

    /// Timings come only with the streamed formats the tool can measure.
    static func refuseCaptionsFormat(_ format: OutputFormat) throws {
        if !format.carriesTimings {
            throw UsageError("--captions cannot be used with \(format)", hint: "use an mp3_*, pcm_*, ulaw_8000 or alaw_8000 format", command: "speak")
        }
    }

    /// The options every document takes (batches too): how it is prepared, and its kind when named.
    private static func documentOptions(_ o: inout SpeakOptions, _ inv: Invocation) throws {
        o.preparation = Preparation(readCode: inv.flag(.readCode), chapterLevel: try inv.integer(.chapterLevel, in: 1...6))
        o.inputFormat = inv.value(.inputFormat).flatMap(DocumentFormat.init(rawValue:))
    }

    /// Whether the one input is a document (`--input-format`, else the file's extension), and the
    /// options only a document takes: refused for plain text, where they would be dropped.
    private static func documentInput(_ o: inout SpeakOptions, _ inv: Invocation) throws {
        let named = inv.value(.file).flatMap { $0 == "-" ? nil : DocumentFormat.forPath($0) }
        let format = o.inputFormat ?? named
        o.document = o.dialogue || format == .text ? nil : format
        let documentOnly: [OptionName] = [.chapterLevel, .readCode, .splitChapters, .author, .cover]
        if o.document == nil, let given = documentOnly.first(where: { inv.values[$0] != nil }) {
            throw UsageError("\(SpeechPaths.spelled(given)) is for documents (.md, .html, .xhtml or .epub), and this input is plain text",
                             hint: "give a document with -f FILE, or name its kind with --input-format md|html|epub", command: "speak")
        }
        o.splitChapters = inv.flag(.splitChapters)
        if o.splitChapters && inv.flag(.play) {
            throw UsageError("--play cannot be used with --split-chapters: the chapters are written as files, one after another",
                             hint: "play the playlist afterwards, or drop --split-chapters to play while writing one file", command: "speak")
        }
        if o.splitChapters && o.captionsPath != nil {
            throw UsageError("--captions cannot be used with --split-chapters yet: captions follow one output file",
                             hint: "drop --split-chapters, or --captions", command: "speak")
        }
        o.author = inv.value(.author)
        if let path = inv.value(.cover) {
            let bytes: [UInt8]
            do { bytes = try FileIO.read(path, limit: 16 << 20) } catch let e as FileError {
                throw CLIError("cannot read the cover \(e)", hint: "a JPEG or PNG file, up to 16 MiB", exit: .input)
            }
            if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { o.cover = (bytes, "image/jpeg") }
            else if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { o.cover = (bytes, "image/png") }
            else { throw UsageError("the cover \(path) is neither a JPEG nor a PNG picture", command: "speak") }
        }
    }

    /// The dialogue endpoints' formats have no wav_* (official OpenAPI, AllowedOutputFormats).
    static func refuseDialogueWAV(_ o: SpeakOptions) throws {
        guard o.dialogue && ModelRules.supportsDialogue(o.modelID) && o.format.isWholeFile else { return }
        throw UsageError("text to dialogue cannot produce \(o.format)", hint: "use an mp3_*, pcm_*, ulaw_8000 or alaw_8000 format (-o NAME.wav without --format writes PCM in a WAV header)", command: "speak")
    }

    /// `elevenlabs chapter1.txt` means the file, not its name: with no command named, arguments that
    /// all name existing files are refused (an explicit `speak`, or `--`, speaks them as words).
    static func refuseFileNamesAsText(_ inv: Invocation) throws {
        // With --out-dir the files are what a batch converts, with or without the word `speak`.
        guard inv.implicitCommand, !inv.flag(.dialogue), inv.value(.outDir) == nil, inv.operandsAfterDashes == 0, !inv.operands.isEmpty else { return }
        let files = inv.operands.filter { name in
            var st = stat()
            return stat(name, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
        }
        guard files.count == inv.operands.count else { return }
        if files.count == 1 {
            throw UsageError("'\(files[0])' is a file; to speak what it holds: elevenlabs -f '\(files[0])'",
                             hint: "to speak the name itself: elevenlabs speak -- '\(files[0])'")
        }
        throw UsageError("these arguments are files; to convert each: elevenlabs speak --out-dir DIR \(files.prefix(3).joined(separator: " "))\(files.count > 3 ? " ..." : "")",
                         hint: "to speak the names themselves: elevenlabs speak -- NAME...")
    }

    /// Live mode speaks standard input as it arrives. It is the default when the text comes from
    /// standard input that is a pipe, a socket or a terminal (not a file, which is read whole), and
    /// `--live` / `--no-live` decide otherwise.
    static func liveMode(_ inv: Invocation, _ context: Context) throws -> Bool {
        let fromStdin = inv.operands.isEmpty && (inv.value(.file) == nil || inv.value(.file) == "-")
        if inv.flag(.live) && inv.flag(.noLive) {
            throw UsageError("--live and --no-live contradict each other", command: "speak")
        }
        if inv.flag(.live) {
            guard fromStdin else { throw UsageError("--live speaks standard input; give no text arguments and no file", command: "speak") }
            return true
        }
        if inv.flag(.noLive) || !fromStdin { return false }
        if context.stdinIsTerminal { return true }
        var st = stat()
        guard fstat(context.stdinFD, &st) == 0 else { return false }
        let type = st.st_mode & S_IFMT
        return type == S_IFIFO || type == S_IFSOCK
    }

    static func voiceSettings(_ inv: Invocation, warn: ((String) -> Void)? = nil) throws -> VoiceSettings {
        var s = VoiceSettings()
        s.stability = try inv.double(.stability, in: 0...1)
        s.similarityBoost = try inv.double(.similarityBoost, in: 0...1)
        s.style = try inv.double(.style, in: 0...1)
        if inv.flag(.speakerBoost) && inv.flag(.noSpeakerBoost) {
            throw UsageError("--speaker-boost and --no-speaker-boost contradict each other", command: inv.command)
        }
        if inv.flag(.speakerBoost) { s.useSpeakerBoost = true }
        if inv.flag(.noSpeakerBoost) { s.useSpeakerBoost = false }
        s.speed = try inv.double(.speed, in: speedRange)
        if let raw = inv.value(.rate) {
            guard s.speed == nil else { throw UsageError("give either --rate or --speed, not both", command: inv.command) }
            let lo = Int((speedRange.lowerBound * sayDefaultWPM).rounded(.up)), hi = Int((speedRange.upperBound * sayDefaultWPM).rounded(.down))
            guard let rate = Double(raw), rate.isFinite, rate > 0 else {
                throw UsageError("--rate needs words per minute as a number, not '\(raw)'",
                                 hint: "175 is normal; the voices go from \(lo) to \(hi)", command: inv.command)
            }
            // As say does with rates it cannot reach: the nearest one, and a word about it.
            let speed = min(max(rate / sayDefaultWPM, speedRange.lowerBound), speedRange.upperBound)
            if !speedRange.contains(rate / sayDefaultWPM) {
                warn?("--rate \(Output.decimal(rate)) is beyond what the voices do (\(lo) to \(hi) words per minute); using \(rate > Double(hi) ? hi : lo)")
            }
            s.speed = (speed * 100).rounded() / 100
        }
        return s
    }

    /// `ID[:VERSION]`, several separated by commas or spaces (the config file's form).
    static func dictionaries(_ text: String, source: String) throws -> [DictionaryLocator] {
        try text.split(whereSeparator: { $0 == "," || $0 == " " }).map { item in
            do { return try DictionaryLocator.parse(String(item)) } catch {
                throw UsageError("\(source): '\(Output.clean(String(item)))' is not a dictionary id (letters, digits, - and _, optionally :VERSION)",
                                 hint: "'elevenlabs dictionaries' lists your dictionaries and their ids", command: "speak")
            }
        }
    }

    static func languageCode(_ inv: Invocation) throws -> String? {
        guard let code = inv.value(.language) else { return nil }
        guard (2...3).contains(code.count), code.allSatisfy({ $0.isASCII && $0.isLowercase }) else {
            throw UsageError("--language needs an ISO 639-1 code such as en, de or ja, not '\(code)'", command: "speak")
        }
        return code
    }
}
