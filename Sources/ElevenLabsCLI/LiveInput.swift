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
    /// A keep-alive this often keeps the socket open while the writer is silent; the server's
    /// inactivity timeout is set to three times as long.
    static let keepAliveEvery = 20.0
    /// A sentence longer than this is sent at its last clause boundary rather than waited for.
    static let longSentence = 200

    static func run(_ inv: Invocation, _ context: Context, options: SpeakOptions, player: Player?, lineByLine: Bool) throws {
        let session = try Session(inv, context, config: options.config)
        let voiceID = try Resolve.voiceID(options.voice, session: session)
        _ = try Resolve.model(options.modelID, explicit: options.modelExplicit, characters: 0, session: session)
        var connection = StreamInputOptions(voiceID: voiceID, modelID: options.modelID, outputFormat: options.format)
        connection.inactivityTimeout = Int(keepAliveEvery * 3)
        connection.languageCode = options.language
        connection.seed = options.seed
        connection.textNormalization = options.textNormalization

        let out = try AudioOutput(format: options.format, path: options.output, wrapWAV: options.wrapWAV, player: player, context: context)
        var finished = false
        defer { if !finished { out.discard() } }
        try player?.waitUntilReady()
        try out.beginPart()

        let wake = try WakePipe()
        Signals.onSignal { wake.wake() }
        let reader = StdinReader(fd: context.stdinFD, wake: { wake.wake() })
        let stream = try StreamInputSession(client: session.client, options: connection, settings: options.settings)
        stream.wakeFD = wake.readFD
        defer { stream.close() }

        var metrics = SpeakCommand.Metrics(voice_id: voiceID, model_id: options.modelID, output_format: options.format)
        let started = monotonicSeconds()
        var buffer = ""
        var lastSent = monotonicSeconds()
        var sentAnything = false
        var ended = false

        func send(_ text: String, flush: Bool) throws {
            try stream.send(text: text, flush: flush)
            lastSent = monotonicSeconds()
            sentAnything = true
        }

        while true {
            try Signals.check()
            try player?.checkHealthy()
            wake.drain()
            // 1. Text in: whole sentences as they complete; everything at a paragraph, a line (on a
            // terminal), an idle pause, or the end of input.
            var idleDeadline = Double.infinity
            if !ended {
                let (text, done, lastInput) = try reader.take()
                buffer += text
                if lineByLine, let nl = buffer.lastIndex(of: "\n") {
                    let line = String(buffer[..<nl]).trimmingCharacters(in: " \t\r\n")
                    buffer = String(buffer[buffer.index(after: nl)...])
                    if !line.isEmpty { try send(line, flush: true) }
                } else if let para = buffer.firstRange(of: "\n\n") {
                    let piece = String(buffer[..<para.lowerBound]).trimmingCharacters(in: " \t\r\n")
                    buffer = String(buffer[para.upperBound...])
                    if !piece.isEmpty { try send(piece, flush: true) }
                } else {
                    var complete = TextChunker.completePrefixLength(buffer)
                    if complete == 0 && buffer.count > longSentence { complete = TextChunker.completePrefixLength(buffer, clauses: true) }
                    if complete > 0 {
                        let piece = String(buffer.prefix(complete)).replacingNewlines()
                        buffer = String(buffer.dropFirst(complete))
                        // The first sentence is flushed at once: it is what the listener waits for.
                        try send(piece, flush: !sentAnything)
                    } else if !buffer.trimmingCharacters(in: " \t\r\n").isEmpty {
                        if monotonicSeconds() - lastInput > idleFlush {
                            try send(buffer.replacingNewlines(), flush: true)
                            buffer = ""
                        } else {
                            idleDeadline = lastInput + idleFlush
                        }
                    }
                }
                if done {
                    let rest = buffer.trimmingCharacters(in: " \t\r\n")
                    if !rest.isEmpty { try send(rest.replacingNewlines(), flush: true) }
                    buffer = ""
                    if !sentAnything {
                        throw CLIError("the text from standard input is empty", hint: "there is nothing to speak", exit: .input)
                    }
                    try stream.end()
                    ended = true
                } else if monotonicSeconds() - lastSent > keepAliveEvery {
                    try stream.keepAlive()
                    lastSent = monotonicSeconds()
                }
            }
            // 2. Audio out, waiting until something happens: audio, new input, a signal, or the next
            // deadline (an idle flush or a keep-alive).
            let deadline = ended ? monotonicSeconds() + 5 : min(idleDeadline, lastSent + keepAliveEvery)
            guard let event = try stream.next(timeout: max(0.001, deadline - monotonicSeconds())) else { continue }
            switch event {
            case .audio(let audio, _):
                if metrics.first_byte_ms == nil { metrics.first_byte_ms = Int((monotonicSeconds() - started) * 1000) }
                try audio.withUnsafeBytes { try out.write($0) }
            case .final:
                continue
            case .closed(let code, let reason):
                guard code == 1000 && ended else {
                    throw CLIError("the server closed the stream (\(code))\(reason.isEmpty ? "" : ": \(reason)")",
                                   hint: code == 1008 ? "the server refused the stream; see the reason above" : nil,
                                   exit: .failure)
                }
                metrics.bytes = out.bytes
                try out.finish()
                finished = true
                if let first = player?.firstWrite { metrics.first_sound_ms = Int((first - context.startTime) * 1000) }
                metrics.audio_seconds = out.seconds().map { ($0 * 1000).rounded() / 1000 }
                if options.metrics { try SpeakCommand.report(metrics, json: options.json, context: context) }
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
