// `elevenlabs speak`: text to sound or to a file. Everything local is checked first (SpeakOptions),
// so bad input never costs a request; the device opens while the request connects; the text goes
// to the job (SpeakJob), the live path (LiveInput) or a batch (Batch). Files appear only when complete.
#if canImport(Glibc)
import Glibc
#endif
import ElevenLabsAPI
import AudioPlayback
import ThreadSupport

enum SpeakCommand {
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
        /// The plan's limit on concurrent requests, from the service's headers.
        var concurrency_limit: Int?
        /// Requests answered from the audio cache (no request made, no credits spent).
        var cached_requests: Int?
        /// Times the audio device ran dry while playing (each a gap heard); nil when not playing.
        var underruns: Int?
        /// When the program's `main` began, in seconds on CLOCK_MONOTONIC (the same clock for every
        /// process), so a tool that notes when it started the program sees the time before `main`.
        var main_started: Double?
        /// What happened when, in milliseconds from `main`, on which thread (ThreadSupport's Timeline).
        var steps: [Step]?

        struct Step: Encodable { let step: String; let thread: String; let ms: Double }
    }

    static func run(_ inv: Invocation, _ context: Context) throws {
        if try answerQuestion(inv, context) { return }

        // 1. Everything that can be checked locally, so bad input never costs a request.
        let options = try SpeakOptions.parse(inv, context)
        Timeline.mark("options checked")
        if options.mode == .batch { try BatchCommand.run(inv, context, options: options); return }
        if options.dialogue { try DialogueCommand.run(inv, context, options: options); return }
        if options.document != nil {
            // A document is read and prepared whole, then spoken chapter by chapter.
            var player = inv.flag(.dryRun) ? nil : try SpeechPipeline.player(options, inv, context)
            defer { player?.abort() }
            try DocumentCommand.run(inv, context, options: options, player: &player)
            return
        }
        let input = options.mode == .text ? try TextInput.source(inv, context, readAhead: options.readAhead) : nil
        Timeline.mark("text read")

        // 2. The device opens on the player's thread while the request connects; the request body is
        // held back until it is open, so a bad device still costs nothing (see HTTPRequest.beforeBody).
        var player = try SpeechPipeline.player(options, inv, context)
        defer { player?.abort() }
        guard let input else {
            player?.start()
            try LiveInput.run(inv, context, options: options, player: player)
            return
        }
        try speak(input, options: options, player: &player, inv, context)
    }

    /// `-v ?`, `-a ?`, `-m ?`, `--format ?`, `--cache-info` and `--clear-cache`: answered, nothing spoken.
    static func answerQuestion(_ inv: Invocation, _ context: Context) throws -> Bool {
        if inv.value(.voice) == "?" { try VoicesCommand.list(inv, context); return true }
        if inv.value(.device) == "?" { try listDevices(context); return true }
        if inv.value(.model) == "?" { try ModelsCommand.run(Invocation(listing: inv, command: "models"), context); return true }
        if inv.value(.format) == "?" { try listFormats(inv, context); return true }
        guard inv.flag(.cacheInfo) || inv.flag(.clearCache) else { return false }
        // These look after the cache and speak nothing: text, or an option about speaking, with
        // them would be silently dropped.
        let speakingOption = OptionName.allCases.first { o in
            inv.values[o] != nil && !OptionTable.spec(o).isGlobal && o != .cacheInfo && o != .clearCache
        }
        guard inv.operands.isEmpty && speakingOption == nil else {
            let what = speakingOption.map { "no \(SpeechPaths.spelled($0))" } ?? "no text"
            throw UsageError("--\(inv.flag(.clearCache) ? "clear-cache" : "cache-info") speaks nothing; give it \(what)",
                             hint: "run it on its own: elevenlabs speak \(inv.flag(.clearCache) ? "--clear-cache" : "--cache-info")", command: "speak")
        }
        try CacheCommand.info(inv, context, clear: inv.flag(.clearCache))
        return true
    }

    /// The request every part of a text shares, made ready: voice, model and dictionaries resolved.
    /// The first body (which holds no voice: that is in the path) is encoded before the session is
    /// made, while libcurl initialises on its thread (CurlRuntime.warmUp), since making the client
    /// waits for that.
    struct Prepared {
        var request: SpeechRequest
        var quickBody: HTTPRequest.Body?
        let model: CachedModel?
        let pipeline: SpeechPipeline
    }

    static func prepare(_ input: TextSource, options: SpeakOptions, _ inv: Invocation, _ context: Context) throws -> Prepared {
        var request = options.request(voiceID: "")
        var quickBody: HTTPRequest.Body? = nil
        if input.characters <= Resolve.smallestModelLimit {
            request.text = try input.wholeText()
            quickBody = try request.body()
            Timeline.mark("request body encoded")
        }
        let pipeline = try SpeechPipeline(inv, context, options: options)
        let named = try pipeline.dictionaries(request.dictionaries)
        if named != request.dictionaries {
            request.dictionaries = named
            if quickBody != nil { quickBody = try request.body() }
        }
        request.voiceID = try pipeline.voiceID()
        let model = try pipeline.model(characters: input.characters)
        if let id = model?.model_id, id != request.modelID {
            request.modelID = id
            if quickBody != nil { quickBody = try request.body() }
        }
        return Prepared(request: request, quickBody: quickBody, model: model, pipeline: pipeline)
    }

    /// One text: priced when it needs several requests, then bought part by part, played and/or
    /// written as it arrives.
    static func speak(_ input: TextSource, options: SpeakOptions, player: inout Player?, _ inv: Invocation, _ context: Context) throws {
        let ready = try prepare(input, options: options, inv, context)
        let (pipeline, model, characters) = (ready.pipeline, ready.model, input.characters)
        if inv.flag(.dryRun) {
            try dryRun(input, request: ready.request, model: model, characters: characters, session: pipeline.session, options: options, inv, context)
            return
        }
        let several = characters > (model?.max_characters ?? Int.max)
        let chunks: SpeechJob.ChunkPlan
        if let limit = model?.max_characters, several {
            // Several requests: a failure halfway would waste what was bought, so the cost is checked
            // first (one request for the plan; a text that fits one request pays no such round trip).
            // Priced as --dry-run prices it: the parts to be sent, less what the cache holds.
            let (plan, remaining) = try pipeline.creditsRemaining {
                try purchase(input, request: ready.request, model: model, characters: characters, session: pipeline.session,
                             options: options, context: context)
            }
            let buying = plan.characters
            try pipeline.checkSpend(characters: buying, model: model, what: "this text (\(Output.grouped(characters)) characters)",
                                    remaining: remaining) {
                "speak \(Output.grouped(characters)) characters for about \(Output.grouped($0)) credits of \(Output.grouped($1)) left?"
            }
            chunks = SpeechJob.ChunkPlan { let chunker = input.chunker(limit: limit); return chunker.next }
                .fitting(limit: limit, model: ready.request.modelID)
            if !ModelRules.supportsStitching(options.modelID) && !options.quiet {
                context.err("elevenlabs: note: \(options.modelID) takes no request stitching; the text is split at sentences and each part spoken on its own\n")
            }
        } else {
            chunks = SpeechJob.ChunkPlan.fixed([ready.request.text.isEmpty ? try input.wholeText() : ready.request.text])
                .fitting(limit: model?.max_characters, model: ready.request.modelID)
        }
        var job = SpeechJob(chunks: chunks, request: ready.request, quickBody: ready.quickBody, session: pipeline.session, context: context,
                            cache: options.useCache ? try AudioCache(context: context, config: options.config) : nil,
                            captionsPath: options.captionsPath)
        if options.useCache { Timeline.mark("audio cache opened") }
        job.quiet = options.quiet
        job.openDeviceInFlight = pipeline.opensDeviceInFlight(player)
        let progress = pipeline.progress(several: several, highlighter: nil)
        if let progress { job.onPart = progressReporter(progress, characters: characters, cached: options.useCache) }
        try play(&job, pipeline: pipeline, player: &player)
        progress?.finish("elevenlabs: \(Output.grouped(characters)) characters in several requests, \(Output.grouped(job.metrics.credits ?? 0)) credits")
        try SpeechPipeline.report(job.metrics, options, context)
    }

    /// The progress line of a long text: share done, parts, and time left.
    static func progressReporter(_ progress: ProgressLine, characters: Int, cached: Bool) -> (Int) -> Void {
        var timeLeft = TimeLeft()
        var parts = 0
        return { done in
            parts += 1
            timeLeft.sample(done: done)
            let share = min(100, done * 100 / max(1, characters))
            progress.interruptedSummary("\(share)% of \(Output.grouped(characters)) characters done in \(parts) part\(parts == 1 ? "" : "s")"
                                        + (cached ? "; the parts bought are cached, so a rerun buys only the rest" : ""))
            // The most telling first: a narrow terminal cuts the end.
            progress.draw("\(share)% of \(Output.grouped(characters)) chars, \(parts) part\(parts == 1 ? "" : "s"), \(timeLeft.text(total: characters))")
        }
    }

    /// Runs the job into its outputs. Only playing, a format the plan lacks falls back to one every
    /// plan has: any format sounds the same to the listener.
    static func play(_ job: inout SpeechJob, pipeline: SpeechPipeline, player: inout Player?) throws {
        let options = pipeline.options
        defer { pipeline.recordDevice(player) }
        while true {
            let highlighter = pipeline.highlighter(player)
            let out = try pipeline.output(format: job.request.outputFormat, player: player)
            do {
                try SpeechPipeline.transfer(into: out, highlighter: highlighter) { try job.run(into: out, highlighter: highlighter) }
                return
            } catch let e as APIError where e.code == "output_format_not_allowed" && options.output == nil
                        && job.request.outputFormat != OutputFormat.safeDefault {
                if !options.quiet {
                    pipeline.context.err("elevenlabs: \(job.request.outputFormat) is not included in your plan; playing \(OutputFormat.safeDefault) instead\n")
                }
                job.request.outputFormat = OutputFormat.safeDefault
                var fallback = options
                fallback.format = OutputFormat.safeDefault
                player = SpeechPipeline.makePlayer(fallback, pipeline.context)
            }
        }
    }

    /// What a text would buy: its parts as they will be sent (cut and fitted to the model), less those
    /// the audio cache holds. The one count that both the spend check and `--dry-run` price, so the
    /// refusal and the plan can never name two figures for one text.
    static func purchase(_ input: TextSource, request: SpeechRequest, model: CachedModel?, characters: Int, session: Session,
                         options: SpeakOptions, context: Context) throws
        -> (planned: [(keys: AudioCache.Keys, characters: Int)], toBuy: [(keys: AudioCache.Keys, characters: Int)], characters: Int) {
        var texts: [String] = []
        if let limit = model?.max_characters, characters > limit {
            let chunker = input.chunker(limit: limit)
            while let text = try chunker.next() { texts += SpeechJob.fitted(text, limit: limit, model: request.modelID) }
        } else {
            texts = [request.text.isEmpty ? try input.wholeText() : request.text]
            if let limit = model?.max_characters { texts = SpeechJob.fitted(texts[0], limit: limit, model: request.modelID) }
        }
        let cache = options.useCache ? try AudioCache(context: context, config: options.config) : nil
        let planned = try SpeechJob.plannedKeys(texts, template: request, server: session.client.configuration.baseURL)
        let toBuy = planned.filter { !(cache?.has($0.keys, timed: request.withTimestamps) ?? false) }
        return (planned, toBuy, toBuy.reduce(0) { $0 + $1.characters })
    }

    /// `--dry-run`: what would be bought (the parts the audio cache does not hold), what it would cost
    /// and what is left; no audio is requested.
    static func dryRun(_ input: TextSource, request: SpeechRequest, model: CachedModel?, characters: Int, session: Session,
                       options: SpeakOptions, _ inv: Invocation, _ context: Context) throws {
        let (planned, toBuy, buying) = try purchase(input, request: request, model: model, characters: characters, session: session,
                                                    options: options, context: context)
        let estimate = try Spend.estimate(characters: buying, perCharacter: model?.credits_per_character)
        let remaining = try session.client.subscription().creditsRemaining
        let voice = voiceShown(options, id: request.voiceID)
        if options.json {
            struct Plan: Encodable {
                let voice_id: String; let model_id: String; let characters: Int; let requests: Int; let cached_requests: Int
                let characters_to_buy: Int; let credits: Int; let credits_remaining: Int; let audio: PlannedAudio
            }
            try context.out(Output.json(Plan(voice_id: request.voiceID, model_id: request.modelID, characters: characters, requests: planned.count,
                                             cached_requests: planned.count - toBuy.count, characters_to_buy: buying, credits: estimate,
                                             credits_remaining: remaining, audio: PlannedAudio(options))))
            return
        }
        try context.out("elevenlabs: would speak \(Output.grouped(characters)) characters in \(planned.count) request\(planned.count == 1 ? "" : "s") (\(planned.count - toBuy.count) cached) "
                        + "with \(Output.clean(voice)) and \(request.modelID): about \(Output.grouped(estimate)) credits of \(Output.grouped(remaining)) left\n"
                        + PlannedAudio(options).line)
    }

    /// The voice as a plan names it: as given, with its id when a name was resolved.
    static func voiceShown(_ options: SpeakOptions, id: String) -> String {
        let given = options.voice ?? VoiceResolver.defaultVoiceName
        return given == id ? given : "\(given) (\(id))"
    }

    /// Where a dry run's audio would go: so the options that shape it (-o, --format, --play,
    /// --device, --captions) are shown by the plan, not dropped by it.
    struct PlannedAudio: Encodable {
        let output: String?
        let output_format: OutputFormat
        let play_device: String?
        let captions: String?

        init(_ o: SpeakOptions) {
            output = o.output == "-" ? "standard output" : o.output
            output_format = o.format
            play_device = o.play ? o.device : nil
            captions = o.captionsPath
        }

        var line: String {
            var steps: [String] = []
            if let output { steps.append("write \(Output.clean(output)) (\(output_format))") } else { steps.append("as \(output_format)") }
            if let play_device { steps.append("play on '\(Output.clean(play_device))'") }
            if let captions { steps.append("captions in \(Output.clean(captions))") }
            return "  then: " + steps.joined(separator: ", ") + "\n"
        }
    }

    /// `--format '?'`: every output format, what it is, and the plan it needs (contract §8), marked
    /// for the account's plan when a key is at hand.
    static func listFormats(_ inv: Invocation, _ context: Context) throws {
        let tier = (try? Session(inv, context)).flatMap { try? $0.client.subscription().tier }
        let rows = OutputFormat.all.map { f -> [String] in
            var row = [f.name, AudioFormats.describe(f), f.planNeeded ?? "any"]
            if let tier { row.append(f.allowed(onTier: tier) ? "yes" : "no") }
            return row
        }
        if inv.flag(.json) {
            struct Row: Encodable { let format: String; let description: String; let plan: String; let allowed: Bool? }
            try context.out(Output.json(rows.map { Row(format: $0[0], description: $0[1], plan: $0[2], allowed: $0.count > 3 ? $0[3] == "yes" : nil) }))
            return
        }
        try context.out(Output.table(["FORMAT", "WHAT", "PLAN"] + (tier.map { ["ON \($0.uppercased())"] } ?? []), rows,
                                         kinds: [.fixed, .text, .name, .fixed], context: context))
    }

    static func listDevices(_ context: Context) throws {
        let devices = ALSASink.devices()
        if devices.isEmpty { context.err("elevenlabs: ALSA lists no playback devices\n"); return }
        try context.out(Output.table(["DEVICE", "DESCRIPTION"], devices.map { [$0.name, $0.description] }, kinds: [.fixed, .text], context: context))
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
        if let v = m.underruns { parts.append("\(v) underrun\(v == 1 ? "" : "s")") }
        if let v = m.request_id { parts.append("request \(v)") }
        context.err("elevenlabs: " + Output.clean(parts.joined(separator: ", ")) + "\n")
        if let steps = m.steps, !steps.isEmpty {
            let list = steps.map { "\(Output.decimal($0.ms)) \($0.step)\($0.thread == "main" ? "" : " (\($0.thread))")" }
            context.err("elevenlabs: timeline, ms from start: " + list.joined(separator: ", ") + "\n")
        }
    }
}
