// The set-up and the ends that every way of speaking shares, written once: speak, dialogue and live
// input run through it, and a batch's workers use its request set-up. Each command only turns its
// input into requests (one text, the parts of a long one, dialogue turns, live units, batch items);
// the account, the voice and the model, the dictionaries, the spend check, the player, where the
// audio goes, the highlighter, the progress line and the end (keep, discard or report) are here.
import ElevenLabsAPI
import AudioPlayback
import ThreadSupport

struct SpeechPipeline {
    let inv: Invocation
    let context: Context
    let options: SpeakOptions
    let session: Session

    init(_ inv: Invocation, _ context: Context, options: SpeakOptions) throws {
        self.inv = inv
        self.context = context
        self.options = options
        session = try Session(inv, context, config: options.config)
    }

    // MARK: The request

    /// Dictionaries given without a version, named by their latest (one request each). The audio
    /// cache keys audio by the version that made it, and the WebSocket needs versions (`always`).
    func dictionaries(_ locators: [DictionaryLocator], always: Bool = false) throws -> [DictionaryLocator] {
        guard (always || options.useCache) && locators.contains(where: { $0.version_id == nil }) else { return locators }
        return try Resolve.dictionaryVersions(locators, session: session)
    }

    /// The voice's id; a name through the account's voice list, an error naming where it was set.
    func voiceID() throws -> String {
        defer { Timeline.mark("voice resolved") }
        return try Resolve.naming(options.voiceSource) { try Resolve.voiceID(options.voice, session: session) }
    }

    /// The model (nil when the default is certain to take `characters` and nothing needs its details).
    func model(characters: Int, explicit: Bool? = nil) throws -> CachedModel? {
        defer { Timeline.mark("model resolved") }
        return try Resolve.naming(options.modelSource) {
            try Resolve.model(options.modelID, explicit: explicit ?? options.modelExplicit, characters: characters,
                              language: options.language, session: session)
        }
    }

    /// The spend check: refused over what is left, asked about over the confirmation threshold.
    /// `question` gets the estimate and what is left.
    /// `remaining`, when the credits left were asked for already (see `creditsRemaining(while:)`).
    func checkSpend(characters: Int, model: CachedModel?, what: String, remaining known: Int? = nil,
                    question: (_ estimate: Int, _ remaining: Int) -> String) throws {
        let estimate = try Spend.estimate(characters: characters, perCharacter: model?.credits_per_character)
        let remaining = try known ?? session.client.subscription().creditsRemaining
        try Spend.check(estimate: estimate, remaining: remaining, what: what, question: question(estimate, remaining), inv, context)
    }

    /// Runs `meanwhile` (planning a long text) while the credits left are asked for on a thread of
    /// its own: on the service that question is a round trip, which then costs the first sound
    /// nothing. Nothing else uses the client until the answer is in; a failed question is thrown
    /// after `meanwhile`, as it would have been before it.
    func creditsRemaining<T>(while meanwhile: () throws -> T) throws -> (T, remaining: Int) {
        let answer = Monitor<Result<Int, Error>?>(nil)
        // The client is not Sendable; the monitor hands it to the thread (the caller does not touch
        // it until the join below), and the join orders the answer before it is read.
        let client = Monitor(session.client)
        let asking = DetachedThread.start {
            let result = Result { try client.read { $0 }.subscription().creditsRemaining }
            answer.note { $0 = result }
        }
        defer { asking.join() } // never left running past an error: the process may be about to exit
        let value = try meanwhile()
        asking.join()
        return (value, try answer.read { $0! }.get())
    }

    // MARK: Where the audio goes

    /// The player when the audio is played (not for a dry run), unless a file is written as well and
    /// the device cannot play: then a warning, and the file is written without playing (a device
    /// must not cost the file). Made before the session, so the device opens while the request
    /// connects.
    static func player(_ options: SpeakOptions, _ inv: Invocation, _ context: Context) throws -> Player? {
        guard options.play && !inv.flag(.dryRun) else { return nil }
        let player = makePlayer(options, context)
        guard let output = options.output else { return player }
        do { try player.waitUntilReady() } catch let e as AudioError {
            context.err("elevenlabs: warning: \(e.message); writing \(output) without playing it\n")
            player.abort()
            return nil
        }
        return player
    }

    /// Whether the first request's body may go before the device is open (see DeviceProof): only
    /// playing, with the audio cache on, to a device that has played here as things are set up now.
    func opensDeviceInFlight(_ player: Player?) -> Bool {
        player != nil && options.output == nil && options.useCache && DeviceProof.proven(device: options.device, context)
    }

    /// Once a run has ended, either way: whether its device played, or could not be opened.
    func recordDevice(_ player: Player?) {
        guard let player else { return }
        let failure = player.failure
        DeviceProof.record(device: options.device, played: player.firstWrite != nil && failure == nil,
                           failedToOpen: failure.map { $0.kind == .deviceUnavailable || $0.kind == .formatRejected } ?? false, context)
    }

    /// A player for the options' device and format (MP3 is decoded on the player's thread; PCM and
    /// G.711 are played as they are).
    static func makePlayer(_ options: SpeakOptions, _ context: Context) -> Player {
        let input: Player.Input
        if case .direct(let pcm) = AudioFormats.playback(options.format) { input = .pcm(pcm) } else { input = .mp3 }
        let (device, makeSink) = (options.device, context.makeSink)
        return Player(input: input, expected: AudioFormats.decodedFormat(options.format), isInterrupted: context.isInterrupted,
                      deferStart: true, makeSink: { try makeSink(device) })
    }

    /// A player on `device` through the context's sink (history play and voice preview use it too).
    static func player(device: String, input: Player.Input, _ context: Context) -> Player {
        let makeSink = context.makeSink
        return Player(input: input, isInterrupted: context.isInterrupted, makeSink: { try makeSink(device) })
    }

    /// Where the audio goes: the file or standard output of -o, and the player.
    func output(format: OutputFormat, player: Player?) throws -> AudioOutput {
        try AudioOutput(format: format, path: options.output, wrapWAV: options.wrapWAV, player: player, context: context)
    }

    /// `--highlight`'s marked text, when playing.
    func highlighter(_ player: Player?) -> Highlighter? {
        options.highlight ? player.map { Highlighter(context: context, player: $0) } : nil
    }

    /// A progress line for work of several steps; never over the highlighted text (one or the other).
    func progress(several: Bool, highlighter: Highlighter?) -> ProgressLine? {
        several && highlighter == nil ? ProgressLine(inv, context) : nil
    }

    // MARK: The end

    /// Runs a transfer into `out`. On any failure nothing half-done remains: the partial file is
    /// removed, the sound stops, the highlighted line ends and the progress line is cleared.
    static func transfer(into out: AudioOutput, highlighter: Highlighter?, progress: ProgressLine? = nil, _ body: () throws -> Void) throws {
        do { try body() } catch {
            out.discard()
            highlighter?.finish()
            progress?.clear()
            if let e = error as? AudioError, out.boughtIntoCache {
                throw AudioError(e.kind, e.message + "; the audio bought is kept in the audio cache, so the same command plays it at no cost once the device works",
                                 device: e.device)
            }
            throw error
        }
    }

    /// `--metrics` (on stderr), and `--json` alone: the result as JSON, on standard output unless
    /// the audio goes there.
    static func report(_ m: SpeakCommand.Metrics, _ options: SpeakOptions, _ context: Context) throws {
        if options.metrics {
            var m = m
            m.main_started = context.startTime
            m.steps = Timeline.marks.sorted { $0.at < $1.at }.map {
                SpeakCommand.Metrics.Step(step: $0.step, thread: $0.thread, ms: (($0.at - context.startTime) * 1e5).rounded() / 100)
            }
            try SpeakCommand.report(m, json: options.json, context: context)
        }
        else if options.json {
            if options.output == "-" { context.err(try Output.json(m)) } else { try context.out(Output.json(m)) }
        }
    }
}
