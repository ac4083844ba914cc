// One text spoken through the API: its parts requested in order, each stitched to the ones before
// it, each answered from the audio cache when it was bought before, all into one AudioOutput (one
// continuous sound, one file). With captions or highlighting, the timings that come with the audio
// are gathered and shifted by the exact length of the audio before them.
import ElevenLabsAPI
import AudioPlayback
import ThreadSupport

struct SpeechJob {
    /// The texts of the requests, made one at a time when the job runs (a long text is never split,
    /// or held, all at once); `make` starts from the beginning each time.
    struct ChunkPlan {
        let make: () -> () throws -> String?
        static func fixed(_ chunks: [String]) -> ChunkPlan {
            ChunkPlan { var i = 0; return { defer { i += 1 }; return i < chunks.count ? chunks[i] : nil } }
        }
    }

    let chunks: ChunkPlan
    /// Everything but the text and the stitching, which each part sets.
    var request: SpeechRequest
    /// The first part's body, encoded ahead (while libcurl initialised), when the text is one part.
    let quickBody: HTTPRequest.Body?
    let session: Session
    let context: Context
    /// nil with --no-cache (and with captions: the cache keeps no timings).
    var cache: AudioCache?
    var captionsPath: String?
    /// Told after each part: characters done so far.
    var onPart: ((Int) -> Void)? = nil
    /// No notes on stderr (--quiet).
    var quiet = false
    private(set) var metrics = SpeakCommand.Metrics()

    init(chunks: ChunkPlan, request: SpeechRequest, quickBody: HTTPRequest.Body?, session: Session, context: Context,
         cache: AudioCache?, captionsPath: String? = nil) {
        self.chunks = chunks; self.request = request; self.quickBody = quickBody; self.session = session
        self.context = context; self.cache = cache; self.captionsPath = captionsPath
    }

    /// Stitching (contract §1): the start of the next part goes with each request.
    static let nextTextLength = 300

    mutating func run(into out: AudioOutput, highlighter: Highlighter? = nil) throws {
        metrics = SpeakCommand.Metrics(voice_id: request.voiceID, model_id: request.modelID, output_format: request.outputFormat)
        var captions = Captions()
        var captionsOffset = 0.0
        var requestIDs: [String] = []
        let started = monotonicSeconds()
        let nextChunk = chunks.make()
        var current = try nextChunk()
        var previous: String? = nil
        var index = 0
        var charactersDone = 0
        var markupNotes: Set<String> = []
        while let text = current {
            try Signals.check()
            // One part of look-ahead: its start is this request's next_text.
            let upcoming = try nextChunk()
            var part = request
            // Markup the model cannot take is converted where a faithful form exists, else reported once.
            let adapted = Markup.adapt(text, model: part.modelID)
            part.text = adapted.text
            for note in adapted.notes where markupNotes.insert(note).inserted && !quiet {
                context.err("elevenlabs: note: \(note)\n")
            }
            part.nextText = upcoming.map { String(Markup.adapt($0, model: part.modelID).text.prefix(Self.nextTextLength)) }
            part.previousRequestIDs = requestIDs
            let encoded = index == 0 && upcoming == nil && adapted.text == text ? quickBody : nil
            // A part whose stream breaks is never requested again: it reached the server and may have
            // been charged. Parts already complete are in the audio cache, so running the command
            // again buys only what is missing.
            let key = cache.map { _ in AudioCache.key(.init(
                server: session.client.configuration.baseURL, voice_id: part.voiceID, output_format: part.outputFormat,
                model_id: part.modelID, voice_settings: part.settings, language_code: part.languageCode, seed: part.seed,
                apply_text_normalization: part.textNormalization, previous_text: previous, next_text: part.nextText,
                pronunciation_dictionary_locators: part.dictionaries.isEmpty ? nil : part.dictionaries, text: part.text)) }
            var timings = Captions()
            let result = try fetch(part, encoded: encoded, first: index == 0, cacheKey: key, out: out, timings: &timings,
                                   offset: captionsOffset, highlighter: highlighter)
            if let id = result.requestID { requestIDs.append(id); metrics.request_id = id }
            if let c = result.concurrencyLimit { metrics.concurrency_limit = c }
            metrics.credits = (metrics.credits ?? 0) + result.credits
            if part.withTimestamps {
                captions.append(timings)
                captionsOffset += result.seconds
            }
            previous = part.text
            current = upcoming
            index += 1
            charactersDone += text.unicodeScalars.count
            onPart?(charactersDone)
        }
        let transferSeconds = monotonicSeconds() - started
        metrics.bytes = out.bytes
        guard out.bytes > 0 else {
            throw CLIError("the server sent no audio", hint: "try again; if it persists, try another --format", exit: .failure)
        }
        try out.finish()
        highlighter?.finish()
        if let path = captionsPath, let kind = Captions.format(for: path) {
            try AtomicFile.write(Array(try captions.render(kind).utf8), to: path)
        }
        if let first = out.player?.firstWrite { metrics.first_sound_ms = Int((first - context.startTime) * 1000) }
        if let seconds = out.seconds(), seconds > 0 {
            metrics.audio_seconds = (seconds * 1000).rounded() / 1000
            metrics.real_time_factor = (transferSeconds / seconds * 1000).rounded() / 1000
        }
    }

    struct FetchResult { var requestID: String?; var credits = 0; var concurrencyLimit: Int?; var seconds = 0.0 }

    /// One part: from the cache, or from the API as it arrives, into `out`; its timings into `timings`
    /// (shifted by `offset`) and on to the highlighter.
    private mutating func fetch(_ part: SpeechRequest, encoded: HTTPRequest.Body?, first: Bool, cacheKey: String?,
                                out: AudioOutput, timings: inout Captions, offset: Double, highlighter: Highlighter?) throws -> FetchResult {
        let requestStart = monotonicSeconds()
        var firstByte = metrics.first_byte_ms
        defer { metrics.first_byte_ms = firstByte }
        try out.beginPart()
        // Audio bought before: from disk, no request, no credits.
        if let cacheKey, let hit = cache?.lookup(cacheKey) {
            try out.player?.waitUntilReady()
            if firstByte == nil { firstByte = Int((monotonicSeconds() - requestStart) * 1000) }
            try hit.stream { try out.write($0) }
            metrics.cached_requests = (metrics.cached_requests ?? 0) + 1
            return FetchResult(requestID: hit.requestID)
        }
        // Written to the cache as it arrives; given up unless the whole answer arrives.
        let entry = cacheKey.flatMap { cache?.writer(for: $0) }
        defer { entry?.discard() }
        // The exact length of this part's audio: the next part's timings start where it ends.
        var length = MP3Length()
        var pcmBytes = 0
        let mp3 = AudioFormats.codec(part.outputFormat) == "mp3"
        var announced = 0 // words already handed to the highlighter
        let player = out.player
        var gate: (@Sendable () throws -> Void)? = nil
        if first, let player { gate = { try player.waitUntilReady() } }
        // The device opens while the request connects and waits (see Player's deferStart).
        player?.start()
        let receipt = try session.client.streamSpeech(
            part, encodedBody: encoded, beforeBody: gate,
            onHead: { _ in if firstByte == nil { firstByte = Int((monotonicSeconds() - requestStart) * 1000) } },
            onTimings: { t in
                timings.add(characters: t.characters, starts: t.starts, ends: t.ends, offset: offset)
                if timings.words.count > announced {
                    highlighter?.add(Array(timings.words[announced...]))
                    announced = timings.words.count
                }
            },
            onAudio: { chunk in
                try Signals.check()
                try player?.checkHealthy()
                entry?.write(chunk)
                if part.withTimestamps { if mp3 { length.add(chunk) } else { pcmBytes += chunk.count } }
                try out.write(chunk)
            })
        timings.flushWord()
        if timings.words.count > announced { highlighter?.add(Array(timings.words[announced...])) }
        entry?.commit(requestID: receipt.requestID)
        return FetchResult(requestID: receipt.requestID, credits: receipt.characterCost ?? 0, concurrencyLimit: receipt.concurrencyLimit,
                           seconds: mp3 ? length.seconds : AudioFormats.seconds(bytes: pcmBytes, format: part.outputFormat))
    }
}
