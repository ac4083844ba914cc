// `speak --dialogue`: a script of several voices into one continuous sound or file. The cast is
// resolved before anything is bought (an unknown speaker is an error listing them all); with a model
// that speaks dialogue (eleven_v3) the turns go to text-to-dialogue in requests planned within its
// limits, otherwise each turn is spoken in its own voice through text to speech. Either way every
// request is cached, the cost of what is not cached is checked first, and captions name the speakers.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ElevenLabsAPI
import AudioPlayback
import ThreadSupport

/// A script with its voices resolved and its turns cut to what one request may hold.
struct DialoguePlan {
    struct Line { var speaker: String; var voiceID: String; var text: String }
    var lines: [Line]
    /// Speaker, voice as given, voice id: in the order they first speak.
    var cast: [(speaker: String, voice: String, voiceID: String)]
    /// Through the text-to-dialogue endpoint (else each turn through text to speech).
    var viaDialogue: Bool
    /// Markup notes already given (so speaking the turns does not give them again).
    var notes: Set<MarkupNote> = []
    var characters: Int { lines.reduce(0) { $0 + $1.text.unicodeScalars.count } }

    /// `--cast NAME=VOICE` values (several may be given in one, separated by commas).
    static func castOptions(_ values: [String]) throws -> [(speaker: String, voice: String)] {
        try values.flatMap { value in
            try value.split(separator: ",").map { entry in
                let pair = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: " \t") }
                guard pair.count == 2, DialogueScript.isName(Substring(pair[0])), !pair[1].isEmpty else {
                    throw UsageError("--cast needs NAME=VOICE, not '\(Output.clean(String(entry)))'",
                                     hint: "for example --cast ALICE=Sarah (a voice name or id)", command: "speak")
                }
                return (pair[0], pair[1])
            }
        }
    }

    /// Checks that need no request: every `--cast` names a speaker of the script.
    static func checkCast(_ script: DialogueScript, options: [(speaker: String, voice: String)], origin: String) throws {
        let speakers = Set(script.speakers.map { $0.lowercased() })
        for c in options where !speakers.contains(c.speaker.lowercased()) {
            throw UsageError("--cast \(Output.clean(c.speaker))=...: \(Output.clean(origin)) has no speaker '\(Output.clean(c.speaker))'",
                             hint: "its speakers are " + script.speakers.map(Output.clean).joined(separator: ", "), command: "speak")
        }
    }

    /// Resolves every speaker's voice (`--cast`, else the script's `# cast:`, else the speaker's own
    /// name, as `-v` takes it) and cuts turns longer than a request may hold. All failures are
    /// reported together, before anything is bought.
    static func make(_ script: DialogueScript, origin: String, castOptions: [(speaker: String, voice: String)],
                     model: String, session: Session, notes: (String) -> Void) throws -> DialoguePlan {
        var voiceOf: [String: String] = [:]
        for c in script.cast { voiceOf[c.speaker.lowercased()] = c.voice }
        for c in castOptions { voiceOf[c.speaker.lowercased()] = c.voice }
        var cast: [(speaker: String, voice: String, voiceID: String)] = []
        var problems: [String] = []
        for speaker in script.speakers {
            let spec = voiceOf[speaker.lowercased()] ?? speaker
            do {
                cast.append((speaker, spec, try Resolve.voiceID(spec, session: session)))
            } catch let e as CLIError {
                problems.append("\(speaker) (\(spec == speaker ? "" : "as '\(spec)': ")\(e.message))")
            }
        }
        if !problems.isEmpty {
            throw CLIError("no voice for \(problems.count == 1 ? "a speaker" : "\(problems.count) speakers") of \(Output.clean(origin)): "
                           + Output.clean(problems.joined(separator: "; ")) + "; its speakers are " + script.speakers.map(Output.clean).joined(separator: ", "),
                           hint: "cast them: --cast NAME=VOICE (a voice name or id), or a line '# cast: NAME=VOICE, ...' in the script",
                           exit: .usage)
        }
        let viaDialogue = ModelRules.supportsDialogue(model)
        var given: Set<MarkupNote> = []
        var lines: [Line] = []
        for turn in script.turns {
            let voice = cast.first { $0.speaker.lowercased() == turn.speaker.lowercased() }!
            // Markup the model cannot take is converted where a faithful form exists, else noted once.
            let adapted = Markup.adapt(turn.text, model: model)
            for note in adapted.notes where given.insert(note).inserted { notes(note.text) }
            let pieces = viaDialogue ? DialogueRequest.pieces(adapted.text) : [adapted.text]
            lines += pieces.map { Line(speaker: voice.speaker, voiceID: voice.voiceID, text: $0) }
        }
        return DialoguePlan(lines: lines, cast: cast, viaDialogue: viaDialogue, notes: given)
    }
}

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

enum DialogueCommand {
    /// One script, from `speak --dialogue [FILE]` (or -f FILE, or standard input), played and/or written.
    static func run(_ inv: Invocation, _ context: Context, options: SpeakOptions) throws {
        let (script, origin) = try read(inv, context)
        let castOptions = try DialoguePlan.castOptions(inv.all(.cast))
        try DialoguePlan.checkCast(script, options: castOptions, origin: origin)
        let pipeline = try SpeechPipeline(inv, context, options: options)
        var request = options.request(voiceID: "")
        request.dictionaries = try pipeline.dictionaries(request.dictionaries)
        let model = try pipeline.model(characters: script.characters, explicit: true)
        if let id = model?.model_id { request.modelID = id }
        let plan = try DialoguePlan.make(script, origin: origin, castOptions: castOptions, model: request.modelID,
                                         session: pipeline.session,
                                         notes: { if !options.quiet { context.err("elevenlabs: note: \($0)\n") } })
        try refuseSettings(plan, inv)
        var job = DialogueJob(plan: plan, template: request, turnLimit: model?.max_characters, session: pipeline.session, context: context,
                              cache: options.useCache ? try AudioCache(context: context) : nil,
                              captionsPath: options.captionsPath, quiet: options.quiet)
        let buy = try job.toBuy()
        let estimate = try Spend.estimate(characters: buy.characters, perCharacter: model?.credits_per_character)
        let summary = "\(script.turns.count) turn\(script.turns.count == 1 ? "" : "s") by \(plan.cast.count) speaker\(plan.cast.count == 1 ? "" : "s"), "
            + "\(buy.total) request\(buy.total == 1 ? "" : "s") (\(buy.total - buy.requests) cached), \(Output.grouped(buy.characters)) characters to buy, about \(Output.grouped(estimate)) credits"
        if inv.flag(.dryRun) {
            try printPlan(plan, job: job, summary: summary, estimate: estimate, buy: buy, options: options, inv, context)
            return
        }
        if buy.requests > 0 {
            try pipeline.checkSpend(characters: buy.characters, model: model, what: "this script (\(Output.grouped(buy.characters)) characters)") {
                _, remaining in "speak \(summary) of \(Output.grouped(remaining)) left?"
            }
        }
        let player = try SpeechPipeline.player(options, inv, context)
        defer { player?.abort() }
        let out = try pipeline.output(format: request.outputFormat, player: player)
        let highlighter = pipeline.highlighter(player)
        let progress = pipeline.progress(several: buy.total > 1, highlighter: highlighter)
        let characters = plan.characters
        // Requests through text to dialogue; turns (each one or more requests) otherwise.
        let steps = plan.viaDialogue ? buy.total : plan.lines.count, unit = plan.viaDialogue ? "requests" : "turns"
        var stepsDone = 0
        try SpeechPipeline.transfer(into: out, highlighter: highlighter, progress: progress) {
            try job.run(into: out, highlighter: highlighter, onProgress: { done in
                stepsDone += 1
                progress?.draw("\(min(100, done * 100 / max(1, characters)))% of \(Output.grouped(characters)) chars, \(stepsDone) of \(steps) \(unit)")
            })
        }
        progress?.finish("elevenlabs: \(script.turns.count) turns in \(buy.total) requests (\(buy.total - buy.requests) cached), \(Output.grouped(job.metrics.credits ?? 0)) credits")
        try SpeechPipeline.report(job.metrics, options, context)
    }

    /// Settings the dialogue endpoint does not take are refused, not dropped. SpeakOptions refuses
    /// them already for a model known to speak dialogue; this catches one that only turned out to be
    /// such a model when its display name was resolved (before anything is bought).
    static func refuseSettings(_ plan: DialoguePlan, _ inv: Invocation) throws {
        guard plan.viaDialogue else { return }
        for option in SpeechPaths.dialogueEndpointRefuses where inv.flag(option) {
            if let e = SpeechPaths.refusal(option, on: [.dialogue], dialogueEndpoint: true) { throw e }
        }
    }

    /// The script: the one file named (as an argument or with -f), or standard input.
    static func read(_ inv: Invocation, _ context: Context) throws -> (DialogueScript, String) {
        let named = inv.all(.file) + inv.operands
        if named.count > 1 {
            throw UsageError("one script at a time; several need --out-dir DIR", hint: "elevenlabs speak --dialogue --out-dir episodes/ \(named.prefix(2).joined(separator: " "))", command: "speak")
        }
        let source = named.first ?? "-"
        let text: String
        if source == "-" {
            text = try TextInput.validate(try TextInput.readAll(fd: context.stdinFD), origin: "standard input")
        } else {
            do { text = try TextInput.validate(try FileIO.read(source, limit: TextInput.maxBytes), origin: source) } catch let e as FileError {
                throw CLIError("cannot read the script \(e)", hint: "--dialogue takes the script's file name (NAME: text on each turn)", exit: .input)
            }
        }
        let origin = source == "-" ? "standard input" : source
        return (try DialogueScript.parse(text, origin: origin), origin)
    }

    static func printPlan(_ plan: DialoguePlan, job: DialogueJob, summary: String, estimate: Int,
                          buy: (requests: Int, total: Int, characters: Int), options: SpeakOptions, _ inv: Invocation, _ context: Context) throws {
        if inv.flag(.json) {
            struct Voice: Encodable { let speaker: String; let voice: String; let voice_id: String }
            struct Doc: Encodable {
                let cast: [Voice]; let turns: Int; let endpoint: String; let requests: Int; let cached_requests: Int
                let characters: Int; let characters_to_buy: Int; let credits: Int; let audio: SpeakCommand.PlannedAudio
            }
            try context.out(Output.json(Doc(cast: plan.cast.map { Voice(speaker: $0.speaker, voice: $0.voice, voice_id: $0.voiceID) },
                                            turns: plan.lines.count, endpoint: plan.viaDialogue ? "text-to-dialogue" : "text-to-speech",
                                            requests: buy.total, cached_requests: buy.total - buy.requests, characters: plan.characters,
                                            characters_to_buy: buy.characters, credits: estimate, audio: .init(options))))
            return
        }
        var text = "elevenlabs: would speak \(summary)\n"
        text += plan.viaDialogue ? "  with \(job.engine.request.modelID) through text to dialogue\n"
            : "  with \(job.engine.request.modelID), each turn in its own voice through text to speech\n"
        for c in plan.cast {
            text += "  \(Output.clean(c.speaker)) = \(Output.clean(c.voice))\(c.voice == c.voiceID ? "" : " (\(c.voiceID))")\n"
        }
        try context.out(text + SpeakCommand.PlannedAudio(options).line)
    }
}
