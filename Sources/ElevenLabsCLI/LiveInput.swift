// `speak` for text that is still arriving (`llm ... | elevenlabs`, `tail -f log | elevenlabs`, or a
// terminal, line by line): text goes over the stream-input session as it comes, a sentence at a time,
// and the audio that comes back is played or written as it arrives. The loop waits on the socket, and
// is woken by new input or a signal; it never polls.
#if canImport(Glibc)
import Glibc
#endif
import ElevenLabsAPI
import AudioPlayback
import ThreadSupport

/// Reads standard input on a thread of its own (a read may block for as long as the writer waits),
/// decoding UTF-8 across read boundaries, and says so on `wake` each time something arrives.
final class StdinReader: Sendable {
    private struct State {
        var pending = ""
        var eof = false
        var failure: Error?
        var lastInput = monotonicSeconds()
    }
    private let shared = Monitor(State())

    /// `prefix`: what was read ahead of this reader (TextInput.readAhead), delivered first.
    init(fd: Int32, prefix: [UInt8] = [], wake: @escaping @Sendable () -> Void) throws {
        let shared = self.shared
        let keep = TextSource.incompleteTail(prefix)
        let carried = Array(prefix.suffix(keep))
        if !prefix.isEmpty {
            guard !prefix.contains(0) else {
                throw CLIError("standard input looks like binary data (it contains NUL bytes), not text", exit: .input)
            }
            guard let text = String(validating: prefix.dropLast(keep), as: UTF8.self) else {
                throw CLIError("standard input is not valid UTF-8 text", exit: .input)
            }
            shared.note { $0.pending = text }
        }
        DetachedThread.startDetached {
            func end(_ failure: Error?) {
                shared.update { $0.failure = $0.failure ?? failure; $0.eof = true }
                wake()
            }
            var carry = carried
            var buf = [UInt8](repeating: 0, count: 16384)
            while true {
                let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    end(carry.isEmpty ? nil : CLIError("standard input is not valid UTF-8 text", exit: .input))
                    return
                }
                var bytes = carry + buf[0..<n]
                if bytes.contains(0) {
                    end(CLIError("standard input looks like binary data (it contains NUL bytes), not text", exit: .input))
                    return
                }
                // Keep an incomplete UTF-8 sequence at the end for the next read.
                let keep = TextSource.incompleteTail(bytes)
                carry = Array(bytes.suffix(keep))
                bytes.removeLast(keep)
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    end(CLIError("standard input is not valid UTF-8 text", exit: .input))
                    return
                }
                shared.update { $0.pending += text; $0.lastInput = monotonicSeconds() }
                wake()
            }
        }
    }

    /// What has arrived since the last call, whether input has ended, and when text last came.
    func take() throws -> (text: String, ended: Bool, lastInput: Double) {
        try shared.note { s in
            if let failure = s.failure { throw failure }
            defer { s.pending = "" }
            return (s.pending, s.eof, s.lastInput)
        }
    }
}

/// A pipe whose only purpose is to wake a poll (written by other threads, drained by the waiter).
final class WakePipe: Sendable {
    let readFD: Int32
    let writeFD: Int32
    init() throws {
        guard let (r, w) = nonBlockingPipe() else { throw CLIError("cannot create a pipe: \(FileIO.errnoText())", exit: .failure) }
        readFD = r; writeFD = w
    }
    deinit { close(readFD); close(writeFD) }
    func wake() { var b: UInt8 = 1; _ = write(writeFD, &b, 1) }
    func drain() { var buf = [UInt8](repeating: 0, count: 64); while read(readFD, &buf, buf.count) > 0 {} }
}

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

    /// How text is cut into units: a newline ends one; within a line, complete sentences go as they
    /// form (the first flushed at once); a line running past `longUnit` characters goes at its last
    /// clause or word boundary; what is left goes after an idle pause or at the end.
    ///
    /// Linear in the input: each unit is found in a window of at most `window` characters from the
    /// front of what is pending, and what is taken is dropped by moving an index, so a 10 MB pipe
    /// costs the same per character as a sentence (rescanning the whole buffer per unit was quadratic).
    struct Units {
        static let window = 4 * LiveInput.longUnit
        private var chars: [Character] = []
        private var head = 0
        /// The last character read waits for the next read: a combining mark may still join it.
        private var held: Character? = nil

        /// Whether anything but white space is waiting.
        var hasPendingText: Bool {
            chars[head...].contains { !$0.isWhitespace } || (held.map { !$0.isWhitespace } ?? false)
        }

        /// The units `text` completes, each with whether to flush it.
        mutating func add(_ text: String, firstSent: Bool) -> [(String, Bool)] {
            guard !text.isEmpty else { return [] }
            var incoming = Array((held.map(String.init) ?? "") + text)
            // White space cannot usefully take a combining mark, and a newline must end its line now.
            held = incoming.last?.isWhitespace == false ? incoming.popLast() : nil
            chars += incoming
            var out: [(String, Bool)] = []
            var sent = firstSent
            while let (end, next) = nextUnit() {
                let piece = String(chars[head..<end]).trimmingCharacters(in: " \t\r\n")
                head = next
                // The first sentence is flushed at once: it is what the listener waits for.
                if !piece.isEmpty { out.append((piece, !sent || isLineEnd(next))); sent = true }
            }
            if head > 4096 && head * 2 > chars.count { chars.removeFirst(head); head = 0 }
            return out
        }

        private func isLineEnd(_ next: Int) -> Bool { next > 0 && next <= chars.count && chars[next - 1].isNewline }

        /// Where the next unit ends (exclusive) and where the one after starts, or nil when more
        /// text is needed.
        private func nextUnit() -> (Int, Int)? {
            guard head < chars.count else { return nil }
            let limit = min(chars.count, head + Self.window)
            if let nl = chars[head..<limit].firstIndex(where: \.isNewline) { return (nl, nl + 1) }
            let slice = Array(chars[head..<limit])
            var complete = TextChunker.completePrefixLength(slice)
            if complete == 0 && slice.count > LiveInput.longUnit {
                let first = Array(slice.prefix(LiveInput.longUnit + 1))
                complete = TextChunker.completePrefixLength(first, clauses: true)
                if complete == 0, let space = first.dropLast().lastIndex(where: \.isWhitespace) { complete = space + 1 }
                if complete == 0 { complete = LiveInput.longUnit } // one unbroken word
            }
            guard complete > 0 else { return nil }
            return (head + complete, head + complete)
        }

        /// Whatever is left (an idle pause, or the end of input).
        mutating func rest() -> String? {
            var all = String(chars[head...])
            if let held { all.append(held) }
            chars = []; head = 0; held = nil
            let r = all.trimmingCharacters(in: " \t\r\n")
            return r.isEmpty ? nil : r
        }
    }

    static func run(_ inv: Invocation, _ context: Context, options: SpeakOptions, player: Player?) throws {
        let session = try Session(inv, context, config: options.config)
        let voiceID = try Resolve.naming(options.voiceSource) { try Resolve.voiceID(options.voice, session: session) }
        let model = try Resolve.naming(options.modelSource) { try Resolve.model(options.modelID, explicit: options.modelExplicit, characters: 0, session: session) }
        var connection = StreamInputOptions(voiceID: voiceID, modelID: model?.model_id ?? options.modelID, outputFormat: options.format)
        connection.inactivityTimeout = inactivityTimeout
        connection.languageCode = options.language
        connection.seed = options.seed
        connection.textNormalization = options.textNormalization
        let stallTimeout = session.client.configuration.transport.stallTimeout

        let out = try AudioOutput(format: options.format, path: options.output, wrapWAV: options.wrapWAV, player: player, context: context)
        var finished = false
        defer { if !finished { out.discard() } }
        try player?.waitUntilReady()
        try out.beginPart()
        let highlighter = options.highlight ? player.map { Highlighter(context: context, player: $0) } : nil
        defer { highlighter?.finish() }

        if context.stdinIsTerminal && context.stderrIsTerminal && !options.quiet {
            context.err("elevenlabs: type text and press Enter to hear it; Ctrl-D ends\n")
        }
        let wake = try WakePipe()
        Signals.onSignal { wake.wake() }
        if let known = options.readAhead, !known.isEmpty {
            // A slow pipe into a file: what has arrived is priced before anything is sent (the rest
            // cannot be known; `--dry-run` is refused for live input for that reason).
            let characters = known.reduce(0) { $1 & 0xC0 != 0x80 ? $0 + 1 : $0 }
            let estimate = try Spend.estimate(characters: characters, perCharacter: model?.credits_per_character)
            let remaining = try session.client.subscription().creditsRemaining
            try Spend.check(estimate: estimate, remaining: remaining,
                            what: "the text read so far (\(Output.grouped(characters)) characters, and more to come)",
                            question: "speak at least \(Output.grouped(characters)) characters for about \(Output.grouped(estimate)) credits of \(Output.grouped(remaining)) left?",
                            inv, context)
        }
        let reader = try StdinReader(fd: context.stdinFD, prefix: options.readAhead ?? [], wake: { wake.wake() })
        // The socket needs each dictionary's version: the latest is looked up for those given without.
        let dictionaries = options.dictionaries.isEmpty ? [] : try Resolve.dictionaryVersions(options.dictionaries, session: session)
        func open() throws -> StreamInputSession {
            let s = try StreamInputSession(client: session.client, options: connection, settings: options.settings, dictionaries: dictionaries)
            s.wakeFD = wake.readFD
            return s
        }
        var stream = try open()
        defer { stream.close() }

        var metrics = SpeakCommand.Metrics(voice_id: voiceID, model_id: options.modelID, output_format: options.format.name)
        let started = monotonicSeconds()
        var units = Units()
        var lastSent = monotonicSeconds()
        var sentAnything = false
        var ended = false
        var lastHeard = monotonicSeconds() // the server's last message after the end of input
        var finalAt: Double? = nil
        // Captions and highlighting: the timings of each audio message start where the audio before it ends.
        var captions = Captions()
        var announced = 0
        var length = MP3Length()
        var pcmBytes = 0
        let mp3 = options.format.codec == .mp3

        func send(_ text: String, flush: Bool) throws {
            try stream.send(text: text.replacingNewlines(), flush: flush)
            lastSent = monotonicSeconds()
            sentAnything = true
        }

        // SSML (`<break/>`, `<phoneme>`) is parsed only when the connection asks for it, and the query
        // is fixed when it opens, before any text is known. So the connection opens without it (no
        // delay for plain text); the first unit holding SSML turns it on: before anything was sent
        // the unused connection is replaced, after that the current stream is ended (its audio still
        // plays) and the rest goes on a new one. Units arriving meanwhile are held, in order.
        let modelID = connection.modelID
        var notes: Set<String> = []
        var switching = false
        var held: [(String, Bool)] = []
        var inputDone = false
        func deliver(_ unit: String, flush: Bool) throws {
            // Invisible characters alone would be billed as silence (see SpeakableText).
            guard SpeakableText.hasSpeech(unit) else { return }
            let adapted = Markup.adapt(unit, model: modelID)
            for note in adapted.notes where notes.insert(note).inserted && !options.quiet { context.err("elevenlabs: note: \(note)\n") }
            if switching { held.append((adapted.text, flush)); return }
            if !connection.ssmlParsing && Markup.takesBreakTags(modelID) && Markup.hasSSML(adapted.text) {
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
                stream = try open()
            }
            try send(adapted.text, flush: flush)
        }
        /// The stream ended for SSML is over: the held units go on a new one.
        func switchStreams() throws {
            stream.close()
            stream = try open()
            try out.beginPart()
            switching = false
            finalAt = nil
            for (text, flush) in held { try send(text, flush: flush) }
            held = []
            if inputDone {
                try stream.end()
                ended = true
                lastHeard = monotonicSeconds()
            }
        }

        func complete() throws {
            guard out.bytes > 0 else {
                throw CLIError("the server sent no audio", hint: "try again; if it persists, try another --format or --no-live", exit: .failure)
            }
            metrics.bytes = out.bytes
            try out.finish()
            finished = true
            highlighter?.finish()
            if let path = options.captionsPath, let kind = Captions.format(for: path) {
                captions.flushWord()
                try AtomicFile.write(Array(try captions.render(kind).utf8), to: path)
            }
            if let first = player?.firstWrite { metrics.first_sound_ms = Int((first - context.startTime) * 1000) }
            metrics.audio_seconds = out.seconds().map { ($0 * 1000).rounded() / 1000 }
            try SpeakCommand.finishReport(metrics, options, context)
        }

        while true {
            try Signals.check()
            try player?.checkHealthy()
            wake.drain()
            let now = monotonicSeconds()
            // 1. Text in, cut into units as it arrives.
            var idleDeadline = Double.infinity
            if !ended && !inputDone {
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
                    if !switching {
                        try stream.end()
                        ended = true
                        lastHeard = monotonicSeconds()
                    }
                } else if units.hasPendingText {
                    if now - lastInput >= idleFlush, let rest = units.rest() { try deliver(rest, flush: true) }
                    else { idleDeadline = lastInput + idleFlush }
                }
                if !ended && !switching && monotonicSeconds() - lastSent >= keepAliveEvery {
                    try stream.keepAlive()
                    lastSent = monotonicSeconds()
                }
            }
            // 2. Deadlines: nothing waits for ever.
            if ended || switching {
                if let finalAt, monotonicSeconds() - finalAt >= closeGrace {
                    // The final message came and the close did not: everything arrived; end here.
                    if switching { try switchStreams(); continue }
                    try complete()
                    return
                }
                if finalAt == nil && monotonicSeconds() - lastHeard >= stallTimeout {
                    throw CurlError(code: 28, message: "the server sent nothing for \(Output.decimal(stallTimeout)) seconds after the end of the text",
                                    timeout: .stall)
                }
            }
            // 3. Wait until something happens: audio, new input, a signal, or the next deadline.
            let deadline = ended || switching ? min(idleDeadline, finalAt.map { $0 + closeGrace } ?? lastHeard + stallTimeout)
                : min(idleDeadline, lastSent + keepAliveEvery)
            let received: StreamInputEvent?
            do {
                received = try stream.next(timeout: max(0.001, deadline - monotonicSeconds()))
            } catch let e where finalAt != nil && (e is WebSocketError || e is CurlError) {
                // The final message came, so every text sent was answered; only the close is missing.
                // The audio was paid for in full: keep it, and say what happened.
                if !options.quiet {
                    context.err("elevenlabs: warning: the connection dropped after the server's final message (\(Output.clean("\(e)"))); all the audio had arrived and is kept\n")
                }
                captions.flushWord()
                if switching { try switchStreams(); continue }
                if captions.words.count > announced { highlighter?.add(Array(captions.words[announced...])) }
                try complete()
                return
            }
            guard let event = received else { continue }
            lastHeard = monotonicSeconds()
            switch event {
            case .audio(let audio, let timings):
                if metrics.first_byte_ms == nil { metrics.first_byte_ms = Int((monotonicSeconds() - started) * 1000) }
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
            case .final:
                finalAt = monotonicSeconds()
            case .closed(let code, let reason):
                if code == 1000 && switching {
                    captions.flushWord()
                    try switchStreams()
                    continue
                }
                guard code == 1000 && ended else {
                    throw CLIError("the server closed the stream (\(code))\(reason.isEmpty ? "" : ": \(reason)")",
                                   hint: code == 1008 ? "the server refused the stream; see the reason above" : nil,
                                   exit: .failure)
                }
                captions.flushWord()
                if captions.words.count > announced { highlighter?.add(Array(captions.words[announced...])) }
                try complete()
                return
            }
        }
    }
}

extension String {
    /// Line breaks inside a sentence are layout, not speech.
    func replacingNewlines() -> String {
        String(map { $0.isNewline ? " " : $0 })
    }
}
