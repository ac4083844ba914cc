// `elevenlabs speak`: text to sound or to a file. Everything local is checked before the first
// request (text, options, output path, audio device), the voice name costs no round trip once
// cached, and audio is played or written as it arrives. Files appear only when complete.
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ElevenLabsAPI
import AudioPlayback
import ThreadSupport

enum SpeakCommand {
    /// The request body of the text-to-speech endpoints; unset fields are omitted.
    struct Body: Encodable {
        var text: String
        let model_id: String
        let voice_settings: VoiceSettings?
        let language_code: String?
        let seed: Int?
        let apply_text_normalization: String?
        var previous_request_ids: [String]? = nil
        var next_text: String? = nil

        func encoded(text: String, previous: [String] = [], next: String? = nil) throws -> HTTPRequest.Body {
            var b = self
            b.text = text
            b.previous_request_ids = previous.isEmpty ? nil : previous
            b.next_text = next
            return try ElevenLabsClient.jsonBody(b)
        }
    }

    /// say's default speaking rate; `-r WPM` scales the API's speed from it.
    static let sayDefaultWPM = 175.0
    static let speedRange = 0.7...1.2
    static let defaultModel = "eleven_multilingual_v2"
    /// The smallest per-request limit of any current model: shorter texts need no model lookup.
    static let smallestModelLimit = 3_000

    struct Metrics: Encodable {
        var voice_id = ""
        var model_id = ""
        var output_format = ""
        var first_byte_ms: Int?
        var first_sound_ms: Int?
        var audio_seconds: Double?
        var real_time_factor: Double?
        var bytes = 0
        var credits: Int?
        var request_id: String?
        /// The plan's limit on concurrent requests, from the `maximum-concurrent-requests` header.
        var concurrency_limit: Int?
        /// Requests answered from the audio cache (no request made, no credits spent).
        var cached_requests: Int?
    }

    static func run(_ inv: Invocation, _ context: Context) throws {
        if inv.value("voice") == "?" { try VoicesCommand.list(inv, context); return }
        if inv.value("device") == "?" { try listDevices(context); return }
        if inv.flag("cache-info") || inv.flag("clear-cache") {
            let cache = try AudioCache(context: context)
            if inv.flag("clear-cache") {
                let gone = cache.clear()
                try context.out("removed \(gone.entries) cached audio entr\(gone.entries == 1 ? "y" : "ies") (\(Output.grouped(gone.bytes)) bytes)\n")
            } else {
                let all = cache.entries()
                try context.out("\(all.count) cached audio entr\(all.count == 1 ? "y" : "ies"), \(Output.grouped(all.reduce(0) { $0 + $1.bytes })) of \(Output.grouped(cache.maxBytes)) bytes in \(cache.directory ?? "(no cache directory)")\n")
            }
            return
        }

        // 1. Everything that can be checked locally, so bad input never costs a request.
        try refuseFileNamesAsText(inv)
        let config = try Session.loadConfig(inv, context)
        let settings = try voiceSettings(inv)
        let language = try languageCode(inv)
        let seed = try inv.integer("seed", in: 0...4_294_967_295)
        if inv.value("out-dir") != nil {
            let format = inv.value("format") ?? config?["format"] ?? AudioFormats.safeDefault
            let modelID = inv.value("model") ?? context.environment["ELEVENLABS_MODEL"] ?? config?["model"] ?? defaultModel
            let template = Body(text: "", model_id: modelID, voice_settings: settings.isEmpty ? nil : settings,
                                language_code: language, seed: seed, apply_text_normalization: inv.value("text-normalization"))
            try BatchCommand.run(inv, context, config: config, template: template, format: format)
            return
        }
        if inv.all("file").count > 1 || inv.flag("each-line") {
            throw UsageError("several inputs (or --each-line) need --out-dir DIR", hint: "elevenlabs speak --out-dir audio/ a.txt b.txt", command: "speak")
        }
        let live = try liveMode(inv, context)
        let input = live ? nil : try TextInput.source(inv, context)
        let output = inv.value("output")
        let explicitFormat = inv.value("format") ?? config?["format"]
        if let f = explicitFormat, !AudioFormats.all.contains(f) {
            let near = nearest(f, in: AudioFormats.all).map { "; did you mean '\($0)'?" } ?? ""
            throw UsageError("unknown format '\(f)'\(near)", hint: "'elevenlabs speak --help' lists the formats", command: "speak")
        }
        var format: String
        var wrapWAV = false
        if let output, output != "-" {
            let byExtension = AudioFormats.forExtension(output)
            guard explicitFormat != nil || byExtension != nil else {
                throw UsageError("cannot tell the audio format from the name '\(output)'",
                                 hint: "use .mp3, .wav, .pcm, .ulaw, .alaw or .opus, or name the format with --format", command: "speak")
            }
            format = explicitFormat ?? byExtension!
            wrapWAV = explicitFormat == nil && output.lowercased().hasSuffix(".wav")
            // A directory that cannot take the file fails now, not after the audio was paid for.
            try AtomicFile.check(output)
        } else {
            if output == "-" && context.stdoutIsTerminal {
                throw UsageError("refusing to write audio to a terminal", hint: "redirect it (-o - > file.mp3) or pipe it to a player", command: "speak")
            }
            format = explicitFormat ?? AudioFormats.safeDefault
        }
        let play = output == nil || inv.flag("play")
        if play && AudioFormats.playback(format) == nil {
            throw UsageError("\(format) cannot be played directly", hint: "play mp3_*, pcm_*, ulaw_8000 or alaw_8000, or write it to a file with -o", command: "speak")
        }
        if format.hasPrefix("wav_") && inv.flag("play") {
            throw UsageError("--play cannot be used with a wav_* format", hint: "write .wav to play it as it arrives", command: "speak")
        }

        if let path = inv.value("captions") {
            guard Captions.format(for: path) != nil else {
                throw UsageError("cannot tell the captions format from '\(path)'", hint: "name it .srt, .vtt or .json", command: "speak")
            }
            if live { throw UsageError("--captions needs the whole text first", hint: "add --no-live", command: "speak") }
            if format.hasPrefix("wav_") || format.hasPrefix("opus") {
                throw UsageError("--captions cannot be used with \(format)", hint: "use an mp3_*, pcm_*, ulaw_8000 or alaw_8000 format", command: "speak")
            }
            try AtomicFile.check(path)
        }

        if inv.flag("highlight") {
            guard context.stderrIsTerminal else {
                throw UsageError("--highlight needs a terminal to show the text on", command: "speak")
            }
            guard play, !live else {
                throw UsageError("--highlight marks words as they are played", hint: "use it when playing, without -o and with --no-live for piped text", command: "speak")
            }
        }

        // 2. The device opens on the player's thread while the request connects; the request body is
        // held back until it is open, so a bad device still costs nothing (see HTTPRequest.beforeBody).
        let device = inv.value("device") ?? context.environment["ELEVENLABS_DEVICE"] ?? config?["device"] ?? "default"
        var player = play ? Player(device: device, expected: AudioFormats.decodedFormat(format), isInterrupted: Signals.isPending) : nil
        defer { player?.abort() }
        if let p = player, output != nil {
            // Writing a file as well: a device that cannot play must not cost the file.
            do { try p.waitUntilReady() } catch let e as AudioError {
                context.err("elevenlabs: warning: \(e.message); writing \(output!) without playing it\n")
                p.abort()
                player = nil
            }
        }
        guard let input else {
            try runLive(inv, context, config: config, settings: settings, language: language, seed: seed, format: format,
                        output: output, wrapWAV: wrapWAV, player: player, lineByLine: context.stdinIsTerminal)
            return
        }

        // 3. The account: key, voice and model. The first request body is encoded while libcurl
        // initialises (CurlRuntime.warmUp); long texts are split by the model's per-request limit.
        let modelID = inv.value("model") ?? context.environment["ELEVENLABS_MODEL"] ?? config?["model"] ?? defaultModel
        let template = Body(text: "", model_id: modelID, voice_settings: settings.isEmpty ? nil : settings,
                            language_code: language, seed: seed, apply_text_normalization: inv.value("text-normalization"),
                            previous_request_ids: nil, next_text: nil)
        let characters = input.characters
        let quickBody = characters <= smallestModelLimit ? try template.encoded(text: input.wholeText()) : nil
        let session = try Session(inv, context, config: config)
        let voiceID = try resolveVoiceID(inv, context, config: config, session: session)
        let model = try checkModel(modelID, explicit: inv.value("model") != nil, characters: characters, session: session)
        let chunks: ChunkPlan
        if let limit = model?.max_characters, characters > limit {
            // Several requests: a failure halfway would waste what was bought, so the cost is checked
            // first (one request for the plan; a text that fits one request pays no such round trip).
            let estimate = try Spend.estimate(characters: characters, perCharacter: model?.credits_per_character)
            let remaining = try session.client.subscription().creditsRemaining
            try Spend.check(estimate: estimate, remaining: remaining, what: "this text (\(Output.grouped(characters)) characters)",
                            question: "speak \(Output.grouped(characters)) characters for about \(Output.grouped(estimate)) credits of \(Output.grouped(remaining)) left?",
                            inv, context)
            chunks = ChunkPlan { let chunker = input.chunker(limit: limit); return chunker.next }
        } else {
            let text = try input.wholeText()
            chunks = .fixed([text])
        }

        // 4. The requests, played and/or written as they arrive.
        var job = Job(chunks: chunks, template: template, quickBody: quickBody, voiceID: voiceID, format: format,
                      output: output, wrapWAV: wrapWAV, player: player, session: session, context: context,
                      quiet: inv.flag("quiet"),
                      cache: inv.flag("no-cache") || inv.value("captions") != nil || inv.flag("highlight") ? nil : try AudioCache(context: context),
                      captionsPath: inv.value("captions"),
                      highlighter: inv.flag("highlight") ? player.map { Highlighter(context: context, player: $0) } : nil)
        while true {
            do {
                try job.run()
                break
            } catch let e as APIError where e.code == "output_format_not_allowed" && output == nil && job.format != AudioFormats.safeDefault {
                // Only playing: any format sounds the same to the listener, so fall back to one every plan has.
                if !inv.flag("quiet") {
                    context.err("elevenlabs: \(job.format) is not included in your plan; playing \(AudioFormats.safeDefault) instead\n")
                }
                job.format = AudioFormats.safeDefault
            }
        }
        if inv.flag("metrics") { try report(job.metrics, json: inv.flag("json"), context: context) }
    }

    final class Tally { var bytes = 0; var firstByte: Int?; var skipHeader = 0 }

    /// The texts of a job's requests, made one at a time when the job runs (a long text is never
    /// split, or held, all at once); `make` starts from the beginning each time.
    struct ChunkPlan {
        let make: () -> () throws -> String?
        static func fixed(_ chunks: [String]) -> ChunkPlan {
            ChunkPlan { var i = 0; return { defer { i += 1 }; return i < chunks.count ? chunks[i] : nil } }
        }
    }

    /// One `speak`: the chunks of the text, requested in order with stitching, into the player
    /// and/or one output file or stdout.
    struct Job {
        let chunks: ChunkPlan
        let template: Body
        let quickBody: HTTPRequest.Body?
        let voiceID: String
        var format: String
        let output: String?
        let wrapWAV: Bool
        let player: Player?
        let session: Session
        let context: Context
        let quiet: Bool
        /// nil with --no-cache (and with --captions: the cache keeps no timings).
        var cache: AudioCache? = nil
        /// Where to write captions; the audio then comes from the with-timestamps endpoint.
        var captionsPath: String? = nil
        var captions = Captions()
        var captionsOffset = 0.0
        var highlighter: Highlighter? = nil
        var metrics = Metrics()

        /// Stitching (CONTRACT.md §1): the request ids of up to three previous chunks, and the text
        /// that follows, so each chunk's prosody continues the last.
        static let stitchedIDs = 3
        static let nextTextLength = 300

        mutating func run() throws {
            defer { highlighter?.finish() }
            metrics = Metrics(voice_id: voiceID, model_id: template.model_id, output_format: format)
            var file: AtomicFile?
            defer { file?.discard() }
            if let output, output != "-" {
                file = try AtomicFile(path: output)
                if wrapWAV { try AudioFormats.wavHeader(sampleRate: AudioFormats.sampleRate(format), dataBytes: nil).withUnsafeBytes { try file!.write($0) } }
            }
            let serverWAV = format.hasPrefix("wav_")
            let pipeline = player.map { PlaybackPipeline(player: $0, direct: AudioFormats.playback(format) ?? nil) }
            defer { pipeline?.abort() }
            var requestIDs: [String] = []
            let started = monotonicSeconds()
            let nextChunk = chunks.make()
            var current = try nextChunk()
            var previous: String? = nil
            var index = 0
            while let text = current {
                try Signals.check()
                // One chunk of look-ahead: its start is this request's next_text.
                let upcoming = try nextChunk()
                let next = upcoming.map { String($0.prefix(Self.nextTextLength)) }
                let body = index == 0 && upcoming == nil && quickBody != nil ? quickBody!
                    : try template.encoded(text: text, previous: Array(requestIDs.suffix(Self.stitchedIDs)), next: next)
                // A part whose stream breaks is never requested again: it reached the server and may
                // have been charged. Parts already complete are in the audio cache, so running the
                // command again buys only what is missing.
                let key = cache.map { _ in AudioCache.key(.init(
                    server: session.client.configuration.baseURL, voice_id: voiceID, output_format: format, model_id: template.model_id, voice_settings: template.voice_settings,
                    language_code: template.language_code, seed: template.seed,
                    apply_text_normalization: template.apply_text_normalization,
                    previous_text: previous, next_text: next, text: text)) }
                let result = try fetch(index: index, body: body, file: file, serverWAV: serverWAV, pipeline: pipeline, cacheKey: key)
                if let id = result.requestID { requestIDs.append(id); metrics.request_id = id }
                if let c = result.concurrencyLimit { metrics.concurrency_limit = c }
                metrics.credits = (metrics.credits ?? 0) + result.credits
                previous = text
                current = upcoming
                index += 1
            }
            let transferSeconds = monotonicSeconds() - started
            guard metrics.bytes > 0 else {
                throw CLIError("the server sent no audio", hint: "try again; if it persists, try another --format", exit: .failure)
            }
            try pipeline?.finish()
            try player?.finish()
            highlighter?.finish()
            try Signals.check()
            if let file {
                if wrapWAV || (serverWAV && index > 1) {
                    try file.patch(AudioFormats.wavHeader(sampleRate: AudioFormats.sampleRate(format), dataBytes: file.bytesWritten - 44), at: 0)
                }
                try file.commit()
            }
            if let path = captionsPath, let kind = Captions.format(for: path) {
                try AtomicFile.write(Array(try captions.render(kind).utf8), to: path)
            }
            if let first = player?.firstWrite { metrics.first_sound_ms = Int((first - context.startTime) * 1000) }
            if let pipeline {
                metrics.audio_seconds = pipeline.decodedSeconds
            } else if let direct = AudioFormats.playback(format) ?? nil {
                metrics.audio_seconds = direct.seconds(ofBytes: metrics.bytes)
            } else if serverWAV || wrapWAV {
                metrics.audio_seconds = Double(max(0, (file?.bytesWritten ?? metrics.bytes) - 44)) / Double(2 * AudioFormats.sampleRate(format))
            } else if AudioFormats.codec(format) == "mp3" {
                metrics.audio_seconds = Self.mp3Seconds(metrics.bytes, format: format)
            }
            if let seconds = metrics.audio_seconds, seconds > 0 {
                metrics.audio_seconds = (seconds * 1000).rounded() / 1000
                metrics.real_time_factor = (transferSeconds / seconds * 1000).rounded() / 1000
            }
        }

        /// A count from a response header, or nil when it is missing or not a sane count (a server's
        /// number is summed and compared, so it must never be able to overflow).
        static func headerCount(_ head: ResponseHead, _ name: String) -> Int? {
            head.value(for: name).flatMap { Int($0) }.flatMap { (0...1_000_000_000).contains($0) ? $0 : nil }
        }

        /// Constant bit rate: the length follows from the size.
        static func mp3Seconds(_ bytes: Int, format: String) -> Double? {
            guard let kbps = Int(format.split(separator: "_").last ?? ""), kbps > 0 else { return nil }
            return Double(bytes * 8) / Double(kbps * 1000)
        }

        /// One chunk's request: bytes go to the playing thread and/or the file as they arrive. For
        /// whole WAV answers after the first chunk, the RIFF header is dropped so the file stays one WAV.
        struct FetchResult { let requestID: String?; let credits: Int; let concurrencyLimit: Int? }

        private mutating func fetch(index: Int, body: HTTPRequest.Body, file: AtomicFile?, serverWAV: Bool,
                                    pipeline: PlaybackPipeline?, cacheKey: String?) throws -> FetchResult {
            let feed = try pipeline?.nextFeed()
            defer { feed?.finish() }
            let timed = captionsPath != nil || highlighter != nil
            let path = "/v1/text-to-speech/\(try pathID(voiceID))" + (serverWAV ? "" : timed ? "/stream/with-timestamps" : "/stream")
            let player = self.player
            let context = self.context
            let output = self.output
            let tally = Tally()
            tally.bytes = metrics.bytes
            tally.firstByte = metrics.first_byte_ms
            // Whole-WAV answers: later chunks lose their header (the file keeps the first, patched at the
            // end); on stdout or a FIFO, where nothing can be patched, the first header is replaced by
            // one that says "until the end".
            let unpatchable = output == "-" || file?.isStream == true
            tally.skipHeader = serverWAV && (index > 0 || unpatchable) ? 44 : 0
            if serverWAV && index == 0 && unpatchable {
                try AudioFormats.wavHeader(sampleRate: AudioFormats.sampleRate(format), dataBytes: nil).withUnsafeBytes {
                    if let file { try file.write($0) } else { try context.stdout.write($0) }
                }
            }
            let requestStart = monotonicSeconds()
            let deliver: (UnsafeRawBufferPointer) throws -> Void = { chunk in
                var bytes = chunk
                if tally.skipHeader > 0 {
                    let n = min(tally.skipHeader, bytes.count)
                    tally.skipHeader -= n
                    bytes = UnsafeRawBufferPointer(rebasing: bytes[n...])
                    if bytes.isEmpty { return }
                }
                tally.bytes += bytes.count
                if let file { try file.write(bytes) }
                if output == "-" { try context.stdout.write(bytes) }
                feed?.append(bytes, stop: { pipeline?.isStopped ?? true })
            }
            // Audio bought before: from disk, no request, no credits.
            if let cacheKey, let hit = cache?.lookup(cacheKey) {
                try player?.waitUntilReady()
                if tally.firstByte == nil { tally.firstByte = Int((monotonicSeconds() - requestStart) * 1000) }
                try hit.audio.withUnsafeBytes { try deliver($0) }
                metrics.bytes = tally.bytes
                metrics.first_byte_ms = tally.firstByte
                metrics.cached_requests = (metrics.cached_requests ?? 0) + 1
                return FetchResult(requestID: hit.requestID, credits: 0, concurrencyLimit: nil)
            }
            var bought: [UInt8] = []
            var keep = true
            // With captions the answer is JSON lines, each with base64 audio and character timings.
            var pendingLine: [UInt8] = []
            var chunkAudioBytes = 0
            // The exact length of MP3 audio is its decoded length: the next part's captions start there.
            let meter = AudioFormats.codec(format) == "mp3" && timed ? try MP3Decoder() : nil
            var meteredSeconds = 0.0
            var timings = Captions()
            var announced = 0 // words already handed to the highlighter
            let highlighter = self.highlighter
            let offset = captionsOffset
            let handleLine: ([UInt8]) throws -> Void = { line in
                guard !line.allSatisfy({ $0 == 32 || $0 == 13 }) else { return }
                guard let item = try? JSONDecoder().decode(TimestampedChunk.self, from: Data(line)),
                      let audio = Data(base64Encoded: item.audio_base64) else {
                    throw ResponseFormatError(endpoint: "POST \(path)", detail: "a line of the timed answer is not the expected JSON")
                }
                if let a = item.alignment {
                    timings.add(characters: a.characters, starts: a.character_start_times_seconds, ends: a.character_end_times_seconds, offset: offset)
                    if timings.words.count > announced {
                        highlighter?.add(Array(timings.words[announced...]))
                        announced = timings.words.count
                    }
                }
                chunkAudioBytes += audio.count
                try audio.withUnsafeBytes { bytes in
                    try meter?.feed(bytes) { pcm, samples in meteredSeconds += pcm.seconds(ofBytes: samples.count) }
                    try deliver(bytes)
                }
            }
            var gate: (@Sendable () throws -> Void)? = nil
            if index == 0, let player { gate = { try player.waitUntilReady() } }
            let head = try session.client.streamAudio(
                path: path, query: [("output_format", format)], body: body, beforeBody: gate, timed: timed,
                onHead: { _ in if tally.firstByte == nil { tally.firstByte = Int((monotonicSeconds() - requestStart) * 1000) } },
                onAudio: { chunk in
                    try Signals.check()
                    try pipeline?.checkHealthy()
                    if cacheKey != nil && keep {
                        if bought.count + chunk.count <= AudioCache.maxEntryBytes { bought.append(contentsOf: chunk) }
                        else { bought = []; keep = false } // too big to cache: stop holding it
                    }
                    guard timed else { try deliver(chunk); return }
                    pendingLine.append(contentsOf: chunk)
                    while let nl = pendingLine.firstIndex(of: 10) {
                        let line = Array(pendingLine[..<nl])
                        pendingLine.removeFirst(nl + 1)
                        try handleLine(line)
                    }
                })
            if timed {
                if !pendingLine.isEmpty { try handleLine(pendingLine) }
                timings.flushWord()
                captions.append(timings)
                if timings.words.count > announced { highlighter?.add(Array(timings.words[announced...])) }
                captionsOffset += meter != nil ? meteredSeconds : AudioFormats.seconds(bytes: chunkAudioBytes, format: format)
            }
            metrics.bytes = tally.bytes
            metrics.first_byte_ms = tally.firstByte
            if let cacheKey, keep { cache?.store(cacheKey, audio: bought, requestID: head.value(for: "request-id")) }
            return FetchResult(requestID: head.value(for: "request-id"),
                               credits: Self.headerCount(head, "character-cost") ?? 0,
                               concurrencyLimit: Self.headerCount(head, "maximum-concurrent-requests"))
        }
    }

    // MARK: Checks

    /// `elevenlabs chapter1.txt` means the file, not its name: with no command named, arguments that
    /// all name existing files are refused (an explicit `speak`, or `--`, speaks them as words).
    static func refuseFileNamesAsText(_ inv: Invocation) throws {
        guard inv.implicitCommand, inv.operandsAfterDashes == 0, !inv.operands.isEmpty else { return }
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
        let fromStdin = inv.operands.isEmpty && (inv.value("file") == nil || inv.value("file") == "-")
        if inv.flag("live") && inv.flag("no-live") {
            throw UsageError("--live and --no-live contradict each other", command: "speak")
        }
        if inv.flag("live") {
            guard fromStdin else { throw UsageError("--live speaks standard input; give no text arguments and no file", command: "speak") }
            return true
        }
        if inv.flag("no-live") || !fromStdin { return false }
        if context.stdinIsTerminal { return true }
        var st = stat()
        guard fstat(context.stdinFD, &st) == 0 else { return false }
        let type = st.st_mode & S_IFMT
        return type == S_IFIFO || type == S_IFSOCK
    }

    /// `-v`, else ELEVENLABS_VOICE, else the config file, else the default; ids need no lookup.
    static func resolveVoiceID(_ inv: Invocation, _ context: Context, config: ConfigFile?, session: Session) throws -> String {
        guard let input = inv.value("voice") ?? context.environment["ELEVENLABS_VOICE"] ?? config?["voice"] else {
            return VoiceResolver.defaultVoiceID
        }
        return VoiceResolver.looksLikeID(input) ? input : try session.voiceResolver.resolve(input).voice_id
    }

    static func voiceSettings(_ inv: Invocation) throws -> VoiceSettings {
        var s = VoiceSettings()
        s.stability = try inv.double("stability", in: 0...1)
        s.similarityBoost = try inv.double("similarity-boost", in: 0...1)
        s.style = try inv.double("style", in: 0...1)
        if inv.flag("speaker-boost") && inv.flag("no-speaker-boost") {
            throw UsageError("--speaker-boost and --no-speaker-boost contradict each other", command: "speak")
        }
        if inv.flag("speaker-boost") { s.useSpeakerBoost = true }
        if inv.flag("no-speaker-boost") { s.useSpeakerBoost = false }
        s.speed = try inv.double("speed", in: speedRange)
        if let rate = try inv.double("rate", in: 1...10_000) {
            guard s.speed == nil else { throw UsageError("give either --rate or --speed, not both", command: "speak") }
            let speed = rate / sayDefaultWPM
            let lo = Int((speedRange.lowerBound * sayDefaultWPM).rounded(.up)), hi = Int((speedRange.upperBound * sayDefaultWPM).rounded(.down))
            guard speedRange.contains(speed) else {
                throw UsageError("--rate \(Output.decimal(rate)) is outside what the voices can do", hint: "use \(lo) to \(hi) words per minute (\(Int(sayDefaultWPM)) is normal)", command: "speak")
            }
            s.speed = (speed * 100).rounded() / 100
        }
        return s
    }

    static func languageCode(_ inv: Invocation) throws -> String? {
        guard let code = inv.value("language") else { return nil }
        guard (2...3).contains(code.count), code.allSatisfy({ $0.isASCII && $0.isLowercase }) else {
            throw UsageError("--language needs an ISO 639-1 code such as en, de or ja, not '\(code)'", command: "speak")
        }
        return code
    }

    /// An unknown model is refused before any text is sent. The default model with a short text needs
    /// no check at all, which keeps the common case free of extra round trips.
    /// Returns the model (nil when the check was skipped).
    static func checkModel(_ id: String, explicit: Bool, characters: Int, session: Session) throws -> CachedModel? {
        if !explicit && id == defaultModel && characters <= smallestModelLimit { return nil }
        var models = try session.models()
        if !models.contains(where: { $0.model_id == id }) { models = try session.models(refresh: true) }
        guard let model = models.first(where: { $0.model_id == id }) else {
            let near = nearest(id, in: models.map(\.model_id), maxDistance: 6).map { "; did you mean '\($0)'?" } ?? ""
            throw UsageError("unknown model '\(id)'\(near)", hint: "'elevenlabs models' lists them", command: "speak")
        }
        // A limit from the server is used to split the text: an absurd one must not make thousands of
        // requests (or none).
        if let limit = model.max_characters, limit < minimumModelLimit {
            throw CLIError("the server gave '\(id)' an impossible per-request limit (maximum_text_length_per_request \(limit))", exit: .failure)
        }
        return model
    }

    /// No real model takes fewer characters per request than this.
    static let minimumModelLimit = 100

    static func listDevices(_ context: Context) throws {
        let devices = ALSASink.devices()
        if devices.isEmpty { context.err("elevenlabs: ALSA lists no playback devices\n"); return }
        try context.out(Output.table(["DEVICE", "DESCRIPTION"], devices.map { [$0.name, $0.description] }, context: context))
    }

    static func report(_ m: Metrics, json: Bool, context: Context) throws {
        if json { context.err(try Output.json(m)); return }
        var parts: [String] = []
        if let v = m.first_byte_ms { parts.append("first byte \(v) ms") }
        if let v = m.first_sound_ms { parts.append("first sound \(v) ms") }
        if let v = m.audio_seconds { parts.append("\(Output.decimal(v)) s of audio") }
        if let v = m.real_time_factor { parts.append("real-time factor \(Output.decimal(v))") }
        parts.append("\(Output.grouped(m.bytes)) bytes")
        if let v = m.credits { parts.append("\(v) credits") }
        if let v = m.cached_requests { parts.append("\(v) from the cache") }
        if let v = m.request_id { parts.append("request \(v)") }
        context.err("elevenlabs: " + Output.clean(parts.joined(separator: ", ")) + "\n")
    }
}
