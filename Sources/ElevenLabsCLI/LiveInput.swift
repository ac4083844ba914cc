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
    private final class Shared: @unchecked Sendable { // every field is only touched with `cond` locked
        let cond = Condition()
        var pending = ""
        var eof = false
        var failure: Error?
        var lastInput = monotonicSeconds()
    }
    private let shared = Shared()

    init(fd: Int32, wake: @escaping @Sendable () -> Void) {
        let shared = self.shared
        DetachedThread.startDetached {
            func end(_ failure: Error?) {
                shared.cond.withLock { shared.failure = shared.failure ?? failure; shared.eof = true; shared.cond.broadcast() }
                wake()
            }
            var carry: [UInt8] = []
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
                shared.cond.withLock { shared.pending += text; shared.lastInput = monotonicSeconds(); shared.cond.broadcast() }
                wake()
            }
        }
    }

    /// What has arrived since the last call, whether input has ended, and when text last came.
    func take() throws -> (text: String, ended: Bool, lastInput: Double) {
        try shared.cond.withLock {
            if let failure = shared.failure { throw failure }
            defer { shared.pending = "" }
            return (shared.pending, shared.eof, shared.lastInput)
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
    struct Units {
        private(set) var buffer = ""

        /// The units `text` completes, each with whether to flush it.
        mutating func add(_ text: String, firstSent: Bool) -> [(String, Bool)] {
            buffer += text
            var out: [(String, Bool)] = []
            var sent = firstSent
            while let nl = buffer.firstIndex(where: \.isNewline) {
                let line = String(buffer[..<nl]).trimmingCharacters(in: " \t\r\n")
                buffer = String(buffer[buffer.index(after: nl)...])
                if !line.isEmpty { out.append((line, true)); sent = true }
            }
            while true {
                var complete = TextChunker.completePrefixLength(buffer)
                if complete == 0 && buffer.count > LiveInput.longUnit {
                    complete = TextChunker.completePrefixLength(buffer, clauses: true)
                    if complete == 0, let space = buffer.prefix(LiveInput.longUnit).lastIndex(where: \.isWhitespace) {
                        complete = buffer.distance(from: buffer.startIndex, to: space) + 1
                    }
                    if complete == 0 { complete = LiveInput.longUnit } // one unbroken word
                }
                guard complete > 0 else { break }
                let piece = String(buffer.prefix(complete)).trimmingCharacters(in: " \t")
                buffer = String(buffer.dropFirst(complete))
                // The first sentence is flushed at once: it is what the listener waits for.
                if !piece.isEmpty { out.append((piece, !sent)); sent = true }
            }
            return out
        }

        /// Whatever is left (an idle pause, or the end of input).
        mutating func rest() -> String? {
            let r = buffer.trimmingCharacters(in: " \t\r\n")
            buffer = ""
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
        let reader = StdinReader(fd: context.stdinFD, wake: { wake.wake() })
        // The socket needs each dictionary's version: the latest is looked up for those given without.
        let dictionaries = options.dictionaries.isEmpty ? [] : try Resolve.dictionaryVersions(options.dictionaries, session: session)
        func open() throws -> StreamInputSession {
            let s = try StreamInputSession(client: session.client, options: connection, settings: options.settings, dictionaries: dictionaries)
            s.wakeFD = wake.readFD
            return s
        }
        var stream = try open()
        defer { stream.close() }

        var metrics = SpeakCommand.Metrics(voice_id: voiceID, model_id: options.modelID, output_format: options.format)
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
        let mp3 = AudioFormats.codec(options.format) == "mp3"

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
                } else if !units.buffer.trimmingCharacters(in: " \t\r\n").isEmpty {
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
            guard let event = try stream.next(timeout: max(0.001, deadline - monotonicSeconds())) else { continue }
            lastHeard = monotonicSeconds()
            switch event {
            case .audio(let audio, let timings):
                if metrics.first_byte_ms == nil { metrics.first_byte_ms = Int((monotonicSeconds() - started) * 1000) }
                let offset = mp3 ? length.seconds : AudioFormats.seconds(bytes: pcmBytes, format: options.format)
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
