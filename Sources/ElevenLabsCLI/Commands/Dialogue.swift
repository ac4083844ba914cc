// `speak --dialogue`: a script of several voices into one continuous sound or file, through the
// speech pipeline; the cost of what is not cached is checked first.
import ElevenLabsAPI
import AudioPlayback
import ThreadSupport
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
                              cache: options.useCache ? try AudioCache(context: context, config: options.config) : nil,
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
        defer { pipeline.recordDevice(player) }
        job.engine.openDeviceInFlight = pipeline.opensDeviceInFlight(player)
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
