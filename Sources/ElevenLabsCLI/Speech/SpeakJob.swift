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

        /// The same texts, each cut further where the markup the model needs would take it past
        /// `limit` (see `SpeechJob.fitted`); nil `limit`: as they are.
        func fitting(limit: Int?, model: String) -> ChunkPlan {
            guard let limit else { return self }
            return ChunkPlan {
                let next = self.make()
                var queue: [String] = []
                return {
                    if queue.isEmpty, let raw = try next() { queue = SpeechJob.fitted(raw, limit: limit, model: model) }
                    return queue.isEmpty ? nil : queue.removeFirst()
                }
            }
        }
    }

    /// A part's text, cut so each piece stays within `limit` code points once its markup is adapted
    /// to the model: on a model without v3 audio tags, `[pause]` (7) becomes `<break time="1s"/>`
    /// (18), so a part planned at the limit could grow past it and be refused after others were
    /// bought. Text without such growth comes back whole.
    static func fitted(_ raw: String, limit: Int, model: String) -> [String] {
        func fits(_ t: String) -> Bool { Markup.adapt(t, model: model).text.unicodeScalars.count <= limit }
        guard !fits(raw) else { return [raw] }
        var budget = limit
        while budget > 16 {
            budget = budget * 3 / 4
            let pieces = TextChunker.split(raw, limit: budget, firstTarget: budget)
            if pieces.allSatisfy(fits) { return pieces }
        }
        return TextChunker.split(raw, limit: 16, firstTarget: 16)
    }

    var chunks: ChunkPlan
    /// Everything but the text and the stitching, which each part sets.
    var request: SpeechRequest
    /// The first part's body, encoded ahead (while libcurl initialised), when the text is one part.
    let quickBody: HTTPRequest.Body?
    let session: Session
    let context: Context
    /// nil with --no-cache.
    var cache: AudioCache?
    var captionsPath: String?
    /// Told after each part: characters done so far.
    var onPart: ((Int) -> Void)? = nil
    /// No notes on stderr (--quiet).
    var quiet = false
    var metrics = SpeakCommand.Metrics()
    /// The first request's body goes at once rather than after the device opens: set only for a
    /// device that has played here before (DeviceProof), with the audio cache on and nothing but the
    /// player to feed. Should the device fail all the same, the audio goes on into the cache.
    var openDeviceInFlight = false

    init(chunks: ChunkPlan, request: SpeechRequest, quickBody: HTTPRequest.Body?, session: Session, context: Context,
         cache: AudioCache?, captionsPath: String? = nil) {
        self.chunks = chunks; self.request = request; self.quickBody = quickBody; self.session = session
        self.context = context; self.cache = cache; self.captionsPath = captionsPath
    }

    /// Stitching (contract §1): the start of the next part goes with each request.
    static let nextTextLength = 300

    /// Who speaks (a dialogue's turn spoken on its own): its words' captions carry the name.
    var speaker: String?

    /// The whole job: every part, then the sound played to its end, the file and the captions written.
    mutating func run(into out: AudioOutput, highlighter: Highlighter? = nil) throws {
        metrics = SpeakCommand.Metrics(voice_id: request.voiceID, model_id: request.modelID, output_format: request.outputFormat.name)
        let started = monotonicSeconds()
        var captions = Captions()
        var offset = 0.0
        var notes: Set<MarkupNote> = []
        try speak(into: out, captions: &captions, offset: &offset, notes: &notes, highlighter: highlighter)
        try complete(out, captions: captions, started: started, highlighter: highlighter)
    }

    /// Every part into `out`, which stays open (a dialogue adds more after it): their timings into
    /// `captions`, shifted by `offset`, which grows by the audio spoken. `notes` are markup notes
    /// already given.
    mutating func speak(into out: AudioOutput, captions: inout Captions, offset captionsOffset: inout Double,
                        notes markupNotes: inout Set<MarkupNote>, highlighter: Highlighter? = nil) throws {
        var requestIDs: [String] = []
        let nextChunk = chunks.make()
        var current = try nextChunk()
        var previous: String? = nil
        var index = 0
        var charactersDone = 0
        while let text = current {
            try Signals.check()
            // One part of look-ahead: its start is this request's next_text.
            let upcoming = try nextChunk()
            var part = request
            // Markup the model cannot take is converted where a faithful form exists, else reported once.
            let adapted = Markup.adapt(text, model: part.modelID)
            part.text = adapted.text
            for note in adapted.notes where markupNotes.insert(note).inserted && !quiet {
                context.err("elevenlabs: note: \(note.text)\n")
            }
            part.nextText = upcoming.map { String(Markup.adapt($0, model: part.modelID).text.prefix(Self.nextTextLength)) }
            part.previousRequestIDs = requestIDs
            let encoded = index == 0 && upcoming == nil && adapted.text == text ? quickBody : nil
            // A part whose stream breaks is never requested again: it reached the server and may have
            // been charged. Parts already complete are in the audio cache, so running the command
            // again buys only what is missing.
            let client = session.client
            let key = cache == nil ? nil : try Self.cacheKeys(part, previous: previous, server: client.configuration.baseURL)
            var timings = Captions()
            timings.speaker = speaker
            let first = out.bytes == 0 && index == 0
            let result = try fetch(cacheKeys: key, first: first, format: part.outputFormat, timed: part.withTimestamps, out: out,
                                   timings: &timings, offset: captionsOffset, highlighter: highlighter) { gate, onHead, onTimings, onAudio in
                try client.streamSpeech(part, encodedBody: encoded, beforeBody: gate, onHead: onHead, onTimings: onTimings, onAudio: onAudio)
            }
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
    }

    /// The audio cache's keys for a part: its identity, with the text spoken before it.
    static func cacheKeys(_ part: SpeechRequest, previous: String?, server: String) throws -> AudioCache.Keys {
        try AudioCache.keys(part.identity(previousText: previous), server: server)
    }

    /// The keys `speak` will use for these parts, and each part's characters, without sending anything
    /// (for estimating what is not in the cache yet).
    static func plannedKeys(_ texts: [String], template: SpeechRequest, server: String) throws -> [(keys: AudioCache.Keys, characters: Int)] {
        var previous: String? = nil
        return try texts.indices.map { i in
            var part = template
            part.text = Markup.adapt(texts[i], model: part.modelID).text
            part.nextText = i + 1 < texts.count ? String(Markup.adapt(texts[i + 1], model: part.modelID).text.prefix(nextTextLength)) : nil
            defer { previous = part.text }
            return (try cacheKeys(part, previous: previous, server: server), texts[i].unicodeScalars.count)
        }
    }

    /// After the last part: the sound played to its end, the file and the captions in place, the metrics.
    mutating func complete(_ out: AudioOutput, captions: Captions, started: Double, highlighter: Highlighter?) throws {
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
        if let player = out.player { metrics.underruns = player.underruns }
        if let seconds = out.seconds(), seconds > 0 {
            metrics.audio_seconds = (seconds * 1000).rounded() / 1000
            metrics.real_time_factor = (transferSeconds / seconds * 1000).rounded() / 1000
        }
    }

    struct FetchResult { var requestID: String?; var credits = 0; var concurrencyLimit: Int?; var seconds = 0.0 }

    /// Sends one request: given the gate to pass before the body goes, and where the head, the
    /// timings and the audio go. Text to speech and text to dialogue differ only here.
    typealias Send = (_ gate: (@Sendable () throws -> Void)?, _ onHead: (ResponseHead) throws -> Void,
                      _ onTimings: (CharacterTimings) throws -> Void, _ onAudio: (UnsafeRawBufferPointer) throws -> Void) throws -> SpeechReceipt

    /// One part: from the cache, or from the API as it arrives, into `out`; its timings into `timings`
    /// (shifted by `offset`) and on to the highlighter. `speakerOf` names the speaker of a dialogue
    /// request's input, for its voice segments. A request with timings is cached with them (the
    /// answer's lines as they came), and such an entry also answers the same request without.
    /// The cache's entry for a request, and whether it holds timings. Audio alone is looked up first
    /// when that is all that is wanted (the common case); an entry with timings answers either.
    func cached(_ keys: AudioCache.Keys?, timed: Bool) -> (AudioCache.Hit, withTimings: Bool)? {
        guard let keys, let cache else { return nil }
        if !timed, let hit = cache.lookup(keys.plain) { return (hit, false) }
        return cache.lookup(keys.timed).map { ($0, true) }
    }

    /// A cached answer, played back: one with timings through the same reader as the answer it was made from.
    static func replay(_ hit: AudioCache.Hit, withTimings: Bool, onTimings: (CharacterTimings) -> Void,
                       onAudio: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard withTimings else { try hit.stream(onAudio); return }
        var lines = TimedLines(endpoint: "the audio cache")
        try hit.stream { try lines.append($0, onTimings: onTimings, onAudio: onAudio) }
        try lines.finish(onTimings: onTimings, onAudio: onAudio)
    }

    mutating func fetch(cacheKeys: AudioCache.Keys?, first: Bool, format: OutputFormat, timed: Bool, out: AudioOutput, timings: inout Captions,
                        offset: Double, highlighter: Highlighter?, speakerOf: ((Int) -> String?)? = nil,
                        send: Send) throws -> FetchResult {
        let requestStart = monotonicSeconds()
        var firstByte = metrics.first_byte_ms
        defer { metrics.first_byte_ms = firstByte }
        try out.beginPart()
        // The exact length of this part's audio: the next part's timings start where it ends.
        var length = MP3Length()
        var pcmBytes = 0
        let mp3 = format.codec == .mp3
        var announced = 0 // words already handed to the highlighter
        let player = out.player
        func takeTimings(_ t: CharacterTimings) {
            if let speakerOf {
                for s in t.segments { if let name = speakerOf(s.inputIndex) { timings.label(name, from: s.start + offset, to: s.end + offset) } }
            }
            timings.add(characters: t.characters, starts: t.starts, ends: t.ends, offset: offset)
            if timings.words.count > announced {
                highlighter?.add(Array(timings.words[announced...]))
                announced = timings.words.count
            }
        }
        func takeAudio(_ chunk: UnsafeRawBufferPointer) throws {
            if timed { if mp3 { length.add(chunk) } else { pcmBytes += chunk.count } }
            try out.write(chunk)
        }
        func finished(_ receipt: (requestID: String?, credits: Int, concurrency: Int?)) -> FetchResult {
            timings.flushWord()
            if timings.words.count > announced { highlighter?.add(Array(timings.words[announced...])) }
            return FetchResult(requestID: receipt.requestID, credits: receipt.credits, concurrencyLimit: receipt.concurrency,
                               seconds: mp3 ? length.seconds : format.seconds(bytes: pcmBytes))
        }
        // Audio bought before: from disk, no request, no credits.
        if let (hit, withTimings) = cached(cacheKeys, timed: timed) {
            try out.player?.waitUntilReady()
            if firstByte == nil { firstByte = Int((monotonicSeconds() - requestStart) * 1000) }
            try Self.replay(hit, withTimings: withTimings, onTimings: { if timed { takeTimings($0) } }, onAudio: takeAudio)
            metrics.cached_requests = (metrics.cached_requests ?? 0) + 1
            return finished((hit.requestID, 0, nil))
        }
        // Written to the cache as it arrives; given up unless the whole answer arrives.
        let entry = cacheKeys.flatMap { cache?.writer(for: timed ? $0.timed : $0.plain) }
        defer { entry?.discard() }
        var pendingTimings: CharacterTimings? = nil
        var gate: (@Sendable () throws -> Void)? = nil
        // Once the body has gone, the audio is bought: should the device fail, the rest of the answer
        // still goes into the cache (the error then says so), not thrown away with the stream.
        let keepOnDeviceLoss = entry != nil
        let inFlight = first && openDeviceInFlight && keepOnDeviceLoss
        var deviceLost: AudioError? = nil
        if first, inFlight, let player {
            // A device that has played here opens once the request has left (libcurl asks for the
            // body after the connection, TLS and the headers): opening it is milliseconds of CPU
            // (libasound, a sound server's client), which on two cores slowed the TLS handshake,
            // while the answer takes far longer than the opening.
            gate = { player.start() }
        } else {
            if first, let player { gate = { try player.waitUntilReady() } }
            // The device opens while the request connects and waits (see Player's deferStart).
            player?.start()
        }
        if entry != nil, let opening = gate {
            // The entry's digest starts at the first audio; OpenSSL's set-up for it is done now,
            // while the answer is awaited, not between the first audio and the player.
            gate = { SHA256Stream.prepareInBackground(); try opening() }
        }
        let receipt = try send(gate,
            { _ in if firstByte == nil { firstByte = Int((monotonicSeconds() - requestStart) * 1000) } },
            { t in
                takeTimings(t)
                if entry != nil { pendingTimings = t }
            },
            { chunk in
                try Signals.check()
                if deviceLost == nil {
                    do { try player?.checkHealthy() } catch let e as AudioError where keepOnDeviceLoss { deviceLost = e }
                }
                // The player first, then the cache: the entry's first write starts its digest
                // (OpenSSL's set-up), which the first sound need not wait for.
                if deviceLost == nil {
                    do { try takeAudio(chunk) } catch let e as AudioError where keepOnDeviceLoss { deviceLost = e }
                }
                if let entry {
                    if timed {
                        entry.write(TimedLines.line(audio: chunk, timings: pendingTimings))
                        pendingTimings = nil
                    } else {
                        entry.write(chunk)
                    }
                }
            })
        if let entry, let last = pendingTimings { entry.write([UInt8]().withUnsafeBytes { TimedLines.line(audio: $0, timings: last) }) }
        if let entry, entry.commit(requestID: receipt.requestID) { out.boughtIntoCache = true }
        if let lost = deviceLost { throw lost }
        return finished((receipt.requestID, receipt.characterCost ?? 0, receipt.concurrencyLimit))
    }
}
