// `speak --dialogue`, its requests: through text-to-dialogue in requests planned within its limits,
// or each turn in its own voice through text to speech. Either way every request is cached and
// captions name the speakers.
import ElevenLabsAPI
import AudioPlayback
import ThreadSupport

/// Speaks a plan into one AudioOutput.
struct DialogueJob {
    let plan: DialoguePlan
    /// Everything but the voice and the text (model, format, settings, dictionaries, timings).
    var engine: SpeechJob
    /// The model's per-request limit, for turns spoken through text to speech.
    let turnLimit: Int?

    init(plan: DialoguePlan, template: SpeechRequest, turnLimit: Int?, session: Session, context: Context,
         cache: AudioCache?, captionsPath: String?, quiet: Bool) {
        self.plan = plan
        self.turnLimit = turnLimit
        inputs = plan.lines.map { DialogueInput(text: $0.text, voiceID: $0.voiceID) }
        groups = plan.viaDialogue ? DialogueRequest.plan(inputs) : []
        engine = SpeechJob(chunks: .fixed([]), request: template, quickBody: nil, session: session, context: context,
                           cache: cache, captionsPath: captionsPath)
        engine.quiet = quiet
    }

    var metrics: SpeakCommand.Metrics { engine.metrics }
    /// The plan's lines as the dialogue endpoint takes them, and its requests as ranges of them.
    let inputs: [DialogueInput]
    let groups: [Range<Int>]

    func dialogueRequest(_ group: Range<Int>) -> DialogueRequest {
        let t = engine.request
        var r = DialogueRequest(inputs: Array(inputs[group]), modelID: t.modelID, outputFormat: t.outputFormat)
        r.stability = t.settings?.stability
        r.languageCode = t.languageCode
        r.seed = t.seed
        r.textNormalization = t.textNormalization
        r.dictionaries = t.dictionaries
        r.withTimestamps = t.withTimestamps
        return r
    }

    /// The audio cache's keys for a dialogue request: its identity (the body exactly as sent).
    func cacheKeys(_ r: DialogueRequest) throws -> AudioCache.Keys {
        try AudioCache.keys(r.identity(), server: engine.session.client.configuration.baseURL)
    }

    /// Voice segments for timings that came without them (the schema requires them, but a server that
    /// leaves them out must not cost the captions their speakers): the alignment's characters are the
    /// inputs' texts one after another, so a character's place says whose line it is.
    static func segments(for t: CharacterTimings, from first: Int, inputLengths: [Int]) -> [VoiceSegment] {
        var out: [VoiceSegment] = []
        var input = 0, inputEnd = inputLengths.first ?? 0
        for i in t.characters.indices where i < t.starts.count && i < t.ends.count {
            let g = first + i
            while input < inputLengths.count - 1 && g >= inputEnd { input += 1; inputEnd += inputLengths[input] }
            if let last = out.last, last.inputIndex == input {
                out[out.count - 1].end = t.ends[i]
            } else {
                out.append(VoiceSegment(voiceID: "", start: t.starts[i], end: t.ends[i], inputIndex: input))
            }
        }
        return out
    }

    /// The turns' texts as text to speech splits them.
    private func parts(_ line: DialoguePlan.Line) -> [String] { TextChunker.requests(line.text, limit: turnLimit) }

    /// Requests and characters to buy: what the audio cache does not hold already.
    func toBuy() throws -> (requests: Int, total: Int, characters: Int) {
        let server = engine.session.client.configuration.baseURL
        var requests = 0, total = 0, characters = 0
        if plan.viaDialogue {
            for g in groups {
                total += 1
                let r = dialogueRequest(g)
                if let cache = engine.cache, cache.has(try cacheKeys(r), timed: r.withTimestamps) { continue }
                requests += 1
                characters += r.inputs.reduce(0) { $0 + DialogueRequest.length($1.text) }
            }
        } else {
            for line in plan.lines {
                var template = engine.request
                template.voiceID = line.voiceID
                for p in try SpeechJob.plannedKeys(parts(line), template: template, server: server) {
                    total += 1
                    if let cache = engine.cache, cache.has(p.keys, timed: template.withTimestamps) { continue }
                    requests += 1
                    characters += p.characters
                }
            }
        }
        return (requests, total, characters)
    }

    /// Every request, into `out`, then the sound to its end, the file and the captions.
    /// `onProgress` hears the characters done after each request.
    mutating func run(into out: AudioOutput, highlighter: Highlighter? = nil, onProgress: ((Int) -> Void)? = nil) throws {
        engine.metrics = SpeakCommand.Metrics(voice_id: plan.cast.map(\.voiceID).joined(separator: ","), model_id: engine.request.modelID,
                                              output_format: engine.request.outputFormat.name)
        let started = monotonicSeconds()
        var captions = Captions()
        var offset = 0.0
        var notes = plan.notes
        var done = 0
        if plan.viaDialogue {
            let client = engine.session.client
            for g in groups {
                try Signals.check()
                let request = dialogueRequest(g)
                var timings = Captions()
                let lines = plan.lines[g]
                let lengths = request.inputs.map { $0.text.count }
                let result = try engine.fetch(cacheKeys: engine.cache == nil ? nil : try cacheKeys(request), first: out.bytes == 0,
                                              format: request.outputFormat, timed: request.withTimestamps, out: out,
                                              timings: &timings, offset: offset, highlighter: highlighter,
                                              speakerOf: { i in i >= 0 && i < lines.count ? lines[lines.startIndex + i].speaker : nil }) { gate, onHead, onTimings, onAudio in
                    var seen = 0 // characters of this answer's alignment so far
                    return try client.streamDialogue(request, beforeBody: gate, onHead: onHead, onTimings: { t in
                        var t = t
                        if t.segments.isEmpty { t.segments = Self.segments(for: t, from: seen, inputLengths: lengths) }
                        seen += t.characters.count
                        try onTimings(t)
                    }, onAudio: onAudio)
                }
                if let id = result.requestID { engine.metrics.request_id = id }
                if let c = result.concurrencyLimit { engine.metrics.concurrency_limit = c }
                engine.metrics.credits = (engine.metrics.credits ?? 0) + result.credits
                if request.withTimestamps {
                    captions.append(timings)
                    offset += result.seconds
                }
                done += request.inputs.reduce(0) { $0 + DialogueRequest.length($1.text) }
                onProgress?(done)
            }
        } else {
            for line in plan.lines {
                var turn = engine
                turn.request.voiceID = line.voiceID
                turn.chunks = SpeechJob.ChunkPlan.fixed(parts(line)).fitting(limit: turnLimit, model: turn.request.modelID)
                turn.speaker = line.speaker
                turn.onPart = nil
                try turn.speak(into: out, captions: &captions, offset: &offset, notes: &notes, highlighter: highlighter)
                engine.metrics = turn.metrics
                done += line.text.unicodeScalars.count
                onProgress?(done)
            }
        }
        try engine.complete(out, captions: captions, started: started, highlighter: highlighter)
    }
}
