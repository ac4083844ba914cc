// `speak` for text that is still arriving (`llm ... | elevenlabs`, `tail -f log | elevenlabs`, or a
// terminal, line by line): text goes over the stream-input session as it comes, a sentence at a time,
// and the audio that comes back is played or written as it arrives. The loop waits on the socket, and
// is woken by new input or a signal; it never polls. The set-up and the end are SpeechPipeline's;
// LiveStream is the loop.
#if canImport(Glibc)
import Glibc
#endif
import ElevenLabsAPI
import AudioPlayback
import ThreadSupport

enum LiveInput {
    /// Seconds without new input after which buffered text is spoken anyway.
    static let idleFlush = 0.8
    /// The inactivity timeout asked of the server; the service's default (20 s) is what a server
    /// that ignores the request keeps.
    static let inactivityTimeout = 60
    static let serviceDefaultInactivity = 20
    /// A keep-alive well inside whichever inactivity timeout is smaller.
    static var keepAliveEvery: Double { Double(min(inactivityTimeout, serviceDefaultInactivity)) / 3 }
    /// A unit longer than this without a sentence boundary is sent at its last clause, else word.
    static let longUnit = 200
    /// After the final message, how long the close may take before the stream is ended here.
    static let closeGrace = 2.0

    static func run(_ inv: Invocation, _ context: Context, options: SpeakOptions, player: Player?) throws {
        let pipeline = try SpeechPipeline(inv, context, options: options)
        let voiceID = try pipeline.voiceID()
        let model = try pipeline.model(characters: 0)
        var connection = StreamInputOptions(voiceID: voiceID, modelID: model?.model_id ?? options.modelID, outputFormat: options.format)
        connection.inactivityTimeout = inactivityTimeout
        connection.languageCode = options.language
        connection.seed = options.seed
        connection.textNormalization = options.textNormalization

        let out = try pipeline.output(format: options.format, player: player)
        var finished = false
        defer { if !finished { out.discard() } }
        // Typed text: the device is known to play before the prompt (a person is slower than any
        // device). Piped text: the connection opens while the device does, and the first text waits
        // for it (LiveStream.send), so a device that cannot play still buys nothing.
        if context.stdinIsTerminal { try player?.waitUntilReady() }
        try out.beginPart()
        let highlighter = pipeline.highlighter(player)
        defer { highlighter?.finish() }

        if context.stdinIsTerminal && context.stderrIsTerminal && !options.quiet {
            context.err("elevenlabs: type text and press Enter to hear it; Ctrl-D ends\n")
        }
        if let known = options.readAhead, !known.isEmpty {
            // A slow pipe into a file: what has arrived is priced before anything is sent (the rest
            // cannot be known; `--dry-run` is refused for live input for that reason).
            let characters = known.reduce(0) { $1 & 0xC0 != 0x80 ? $0 + 1 : $0 }
            try pipeline.checkSpend(characters: characters, model: model,
                                    what: "the text read so far (\(Output.grouped(characters)) characters, and more to come)") {
                "speak at least \(Output.grouped(characters)) characters for about \(Output.grouped($0)) credits of \(Output.grouped($1)) left?"
            }
        }
        let wake = try WakePipe()
        Signals.onSignal { wake.wake() }
        let reader = try StdinReader(fd: context.stdinFD, prefix: options.readAhead ?? [], wake: { wake.wake() })
        // The socket needs each dictionary's version: the latest is looked up for those given without.
        let dictionaries = try pipeline.dictionaries(options.dictionaries, always: true)
        let live = try LiveStream(pipeline: pipeline, connection: connection, dictionaries: dictionaries, out: out,
                                  player: player, highlighter: highlighter, reader: reader, wake: wake)
        defer { live.close() }
        try live.run()
        finished = true
    }
}

/// One live run's loop and its state: units in, audio out, and the deadlines that keep anything
/// from waiting for ever.
final class LiveStream {
    private let pipeline: SpeechPipeline
    private var connection: StreamInputOptions
    private let dictionaries: [DictionaryLocator]
    private let out: AudioOutput
    private let player: Player?
    private let highlighter: Highlighter?
    private let reader: StdinReader
    private let wake: WakePipe
    private let stallTimeout: Double
    private var options: SpeakOptions { pipeline.options }

    private var stream: StreamInputSession
    private var metrics: SpeakCommand.Metrics
    private let started = monotonicSeconds()
    private var units = LiveInput.Units()
    private var lastSent = monotonicSeconds()
    private var sentAnything = false
    /// The end of input was sent on the current stream.
    private var ended = false
    /// The server's last message after the end of input.
    private var lastHeard = monotonicSeconds()
    private var finalAt: Double? = nil
    // Captions and highlighting: the timings of each audio message start where the audio before it ends.
    private var captions = Captions()
    private var announced = 0
    private var length = MP3Length()
    private var pcmBytes = 0
    private var notes: Set<MarkupNote> = []
    /// SSML turned on mid-run: the current stream is ending, and units wait in `held`.
    private var switching = false
    private var held: [(String, Bool)] = []
    private var inputDone = false

    init(pipeline: SpeechPipeline, connection: StreamInputOptions, dictionaries: [DictionaryLocator], out: AudioOutput,
         player: Player?, highlighter: Highlighter?, reader: StdinReader, wake: WakePipe) throws {
        self.pipeline = pipeline
        self.connection = connection
        self.dictionaries = dictionaries
        self.out = out
        self.player = player
        self.highlighter = highlighter
        self.reader = reader
        self.wake = wake
        stallTimeout = pipeline.session.client.configuration.transport.stallTimeout
        metrics = SpeakCommand.Metrics(voice_id: connection.voiceID, model_id: pipeline.options.modelID, output_format: pipeline.options.format.name)
        stream = try Self.open(pipeline, connection, dictionaries, wake)
    }

    private static func open(_ pipeline: SpeechPipeline, _ connection: StreamInputOptions, _ dictionaries: [DictionaryLocator],
                             _ wake: WakePipe) throws -> StreamInputSession {
        let s = try StreamInputSession(client: pipeline.session.client, options: connection, settings: pipeline.options.settings,
                                       dictionaries: dictionaries)
        s.wakeFD = wake.readFD
        return s
    }

    func close() { stream.close() }

    /// Until the audio of all the input has arrived (and played), or an error.
    func run() throws {
        while true {
            try Signals.check()
            try player?.checkHealthy()
            wake.drain()
            let idleDeadline = try takeInput()
            if try deadlinesPassed() { return }
            // Wait until something happens: audio, new input, a signal, or the next deadline.
            let deadline = ended || switching ? min(idleDeadline, finalAt.map { $0 + LiveInput.closeGrace } ?? lastHeard + stallTimeout)
                : min(idleDeadline, lastSent + LiveInput.keepAliveEvery)
            let received: StreamInputEvent?
            do {
                received = try stream.next(timeout: max(0.001, deadline - monotonicSeconds()))
            } catch let e where finalAt != nil && (e is WebSocketError || e is CurlError) {
                // The final message came, so every text sent was answered; only the close is missing.
                // The audio was paid for in full: keep it, and say what happened.
                pipeline.context.err("elevenlabs: warning: the connection dropped after the server's final message (\(Output.clean("\(e)"))); all the audio had arrived and is kept\n")
                captions.flushWord()
                if switching { try switchStreams(); continue }
                if captions.words.count > announced { highlighter?.add(Array(captions.words[announced...])) }
                try complete()
                return
            }
            guard let event = received else { continue }
            lastHeard = monotonicSeconds()
            if try handle(event) { return }
        }
    }

    /// Text in, cut into units as it arrives; the end of input ends the stream. Returns when buffered
    /// text must go even without a sentence end (an idle pause), or infinity.
    private func takeInput() throws -> Double {
        guard !ended && !inputDone else { return .infinity }
        var idleDeadline = Double.infinity
        let now = monotonicSeconds()
        let (text, done, lastInput) = try reader.take()
        if !text.isEmpty {
            for (unit, flush) in units.add(text, firstSent: sentAnything || !held.isEmpty) { try deliver(unit, flush: flush) }
        }
        if done {
            if let rest = units.rest() { try deliver(rest, flush: true) }
            if !sentAnything && held.isEmpty {
                throw CLIError("the text from standard input is empty", hint: "there is nothing to speak", exit: .input)
            }
            inputDone = true
            if !switching { try endStream() }
        } else if units.hasPendingText {
            if now - lastInput >= LiveInput.idleFlush, let rest = units.rest() { try deliver(rest, flush: true) }
            else { idleDeadline = lastInput + LiveInput.idleFlush }
        }
        if !ended && !switching && monotonicSeconds() - lastSent >= LiveInput.keepAliveEvery {
            try stream.keepAlive()
            lastSent = monotonicSeconds()
        }
        return idleDeadline
    }

    /// After the end of input nothing waits for ever: the close after the final message, or a server
    /// gone silent. True when the run is complete.
    private func deadlinesPassed() throws -> Bool {
        guard ended || switching else { return false }
        if let finalAt, monotonicSeconds() - finalAt >= LiveInput.closeGrace {
            // The final message came and the close did not: everything arrived; end here.
            if switching { try switchStreams(); return false }
            try complete()
            return true
        }
        if finalAt == nil && monotonicSeconds() - lastHeard >= stallTimeout {
            throw CurlError(code: 28, message: "the server sent nothing for \(Output.decimal(stallTimeout)) seconds after the end of the text",
                            timeout: .stall)
        }
        return false
    }

    /// One message from the server. True when the run is complete.
    private func handle(_ event: StreamInputEvent) throws -> Bool {
        switch event {
        case .audio(let audio, let timings):
            if metrics.first_byte_ms == nil { metrics.first_byte_ms = Int((monotonicSeconds() - started) * 1000) }
            let mp3 = options.format.codec == .mp3
            let offset = mp3 ? length.seconds : options.format.seconds(bytes: pcmBytes)
            if let timings, options.captionsPath != nil || highlighter != nil {
                captions.add(characters: timings.characters, starts: timings.starts, ends: timings.ends, offset: offset)
                if captions.words.count > announced {
                    highlighter?.add(Array(captions.words[announced...]))
                    announced = captions.words.count
                }
            }
            try audio.withUnsafeBytes { bytes in
                if mp3 { length.add(bytes) } else { pcmBytes += bytes.count }
                try out.write(bytes)
            }
            return false
        case .final:
            finalAt = monotonicSeconds()
            return false
        case .closed(let code, let reason):
            if code == 1000 && switching {
                captions.flushWord()
                try switchStreams()
                return false
            }
            guard code == 1000 && ended else {
                throw CLIError("the server closed the stream (\(code))\(reason.isEmpty ? "" : ": \(reason)")",
                               hint: code == 1008 ? "the server refused the stream; see the reason above" : nil,
                               exit: .failure)
            }
            captions.flushWord()
            if captions.words.count > announced { highlighter?.add(Array(captions.words[announced...])) }
            try complete()
            return true
        }
    }

    private func send(_ text: String, flush: Bool) throws {
        if !sentAnything { try player?.waitUntilReady() }
        try stream.send(text: text.replacingNewlines(), flush: flush)
        lastSent = monotonicSeconds()
        sentAnything = true
    }

    private func endStream() throws {
        try stream.end()
        ended = true
        lastHeard = monotonicSeconds()
    }

    /// SSML (`<break/>`, `<phoneme>`) is parsed only when the connection asks for it, and the query
    /// is fixed when it opens, before any text is known. So the connection opens without it (no
    /// delay for plain text); the first unit holding SSML turns it on: before anything was sent
    /// the unused connection is replaced, after that the current stream is ended (its audio still
    /// plays) and the rest goes on a new one. Units arriving meanwhile are held, in order.
    private func deliver(_ unit: String, flush: Bool) throws {
        // Invisible characters alone would be billed as silence (see SpeakableText).
        guard SpeakableText.hasSpeech(unit) else { return }
        let adapted = Markup.adapt(unit, model: connection.modelID)
        for note in adapted.notes where notes.insert(note).inserted && !options.quiet { pipeline.context.err("elevenlabs: note: \(note.text)\n") }
        if switching { held.append((adapted.text, flush)); return }
        if !connection.ssmlParsing && Markup.takesBreakTags(connection.modelID) && Markup.hasSSML(adapted.text) {
            connection.ssmlParsing = true
            if sentAnything {
                held.append((adapted.text, flush))
                try stream.end()
                switching = true
                finalAt = nil
                lastHeard = monotonicSeconds()
                return
            }
            stream.close()
            stream = try Self.open(pipeline, connection, dictionaries, wake)
        }
        try send(adapted.text, flush: flush)
    }

    /// The stream ended for SSML is over: the held units go on a new one.
    private func switchStreams() throws {
        stream.close()
        stream = try Self.open(pipeline, connection, dictionaries, wake)
        try out.beginPart()
        switching = false
        finalAt = nil
        for (text, flush) in held { try send(text, flush: flush) }
        held = []
        if inputDone { try endStream() }
    }

    /// Everything arrived: the sound plays out, the file and the captions appear, the report.
    private func complete() throws {
        guard out.bytes > 0 else {
            throw CLIError("the server sent no audio", hint: "try again; if it persists, try another --format or --no-live", exit: .failure)
        }
        metrics.bytes = out.bytes
        try out.finish()
        highlighter?.finish()
        if let path = options.captionsPath, let kind = Captions.format(for: path) {
            captions.flushWord()
            try AtomicFile.write(Array(try captions.render(kind).utf8), to: path)
        }
        if let first = player?.firstWrite { metrics.first_sound_ms = Int((first - pipeline.context.startTime) * 1000) }
        metrics.audio_seconds = out.seconds().map { ($0 * 1000).rounded() / 1000 }
        try SpeechPipeline.report(metrics, options, pipeline.context)
    }
}
