// `speak` for text that is still arriving (`llm ... | elevenlabs`, `tail -f log | elevenlabs`, or a
// terminal, line by line): text goes over the stream-input WebSocket as it comes, a sentence at a
// time, and the audio frames that come back are played or written as they arrive.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import ElevenLabsAPI
import AudioPlayback
import ThreadSupport

/// Reads standard input on a thread of its own (a read may block for as long as the writer waits),
/// decoding UTF-8 across read boundaries.
final class StdinReader: @unchecked Sendable {
    private let cond = Condition()
    private var pending = ""
    private var eof = false
    private var failure: Error?
    private(set) var lastInput = monotonicSeconds()

    init(fd: Int32) {
        DetachedThread.startDetached { [self] in
            var carry: [UInt8] = []
            var buf = [UInt8](repeating: 0, count: 16384)
            while true {
                let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    cond.withLock {
                        if !carry.isEmpty { failure = CLIError("standard input is not valid UTF-8 text", exit: .input) }
                        eof = true
                        cond.broadcast()
                    }
                    return
                }
                var bytes = carry + buf[0..<n]
                carry = []
                if bytes.contains(0) {
                    cond.withLock { failure = CLIError("standard input looks like binary data (it contains NUL bytes), not text", exit: .input); eof = true }
                    return
                }
                // Keep an incomplete UTF-8 sequence at the end for the next read.
                var cut = bytes.count
                var back = 0
                while back < 4 && cut - back - 1 >= 0 && bytes[cut - back - 1] & 0xC0 == 0x80 { back += 1 }
                if cut - back - 1 >= 0 {
                    let lead = bytes[cut - back - 1]
                    let need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
                    if need > back + 1 { cut = cut - back - 1 }
                }
                carry = Array(bytes[cut...])
                bytes.removeLast(bytes.count - cut)
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    cond.withLock { failure = CLIError("standard input is not valid UTF-8 text", exit: .input); eof = true }
                    return
                }
                cond.withLock { pending += text; lastInput = monotonicSeconds(); cond.broadcast() }
            }
        }
    }

    /// What has arrived since the last call, and whether input has ended.
    func take() throws -> (text: String, ended: Bool) {
        try cond.withLock {
            if let failure { throw failure }
            defer { pending = "" }
            return (pending, eof)
        }
    }

    func waitForInput(seconds: Double) { cond.withLock { if pending.isEmpty && !eof { cond.wait(seconds: seconds) } } }
}

extension SpeakCommand {
    /// Seconds without new input after which buffered text is spoken anyway.
    static let idleFlush = 0.8
    /// A keep-alive this often keeps the socket open while the writer is silent; the server's
    /// inactivity timeout is set to three times as long.
    static let keepAliveEvery = 20.0

    /// Client messages (CONTRACT.md §7.2); unset fields are omitted.
    struct OutgoingMessage: Encodable {
        struct GenerationConfig: Encodable { let chunk_length_schedule: [Int] }
        let text: String
        var flush: Bool? = nil
        var voice_settings: VoiceSettings? = nil
        var generation_config: GenerationConfig? = nil
    }

    /// Characters the server buffers before each generation (the service's default schedule); our
    /// own flushes at sentence, paragraph and pause boundaries come first when they happen sooner.
    static let chunkSchedule = [120, 160, 250, 290]
    /// A sentence longer than this is sent at its last clause boundary rather than waited for.
    static let longSentence = 200

    /// Server messages (§7.3): audio as base64 inside JSON, the final marker, or an error.
    struct IncomingMessage: Decodable {
        let audio: String?
        let isFinal: Bool?
        let error: String?
        let message: String?
    }

    static func encode(_ m: OutgoingMessage) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(m), as: UTF8.self)
    }

    static func runLive(_ inv: Invocation, _ context: Context, config: ConfigFile?, settings: VoiceSettings,
                        language: String?, seed: Int?, format: String, output: String?, wrapWAV: Bool,
                        player: Player?, lineByLine: Bool) throws {
        let session = try Session(inv, context, config: config)
        let voiceID = try resolveVoiceID(inv, context, config: config, session: session)
        let modelID = inv.value("model") ?? context.environment["ELEVENLABS_MODEL"] ?? config?["model"] ?? defaultModel
        _ = try checkModel(modelID, explicit: inv.value("model") != nil, characters: 0, session: session)
        if format.hasPrefix("wav_") {
            throw UsageError("live input cannot produce \(format)", hint: "write .wav (PCM in a WAV header) or use --no-live", command: "speak")
        }

        var query: [(String, String)] = [("model_id", modelID), ("output_format", format),
                                         ("inactivity_timeout", String(Int(keepAliveEvery * 3)))]
        if let language { query.append(("language_code", language)) }
        if let seed { query.append(("seed", String(seed))) }
        if let n = inv.value("text-normalization") { query.append(("apply_text_normalization", n)) }

        var file: AtomicFile?
        defer { file?.discard() }
        if let output, output != "-" {
            file = try AtomicFile(path: output)
            if wrapWAV { try AudioFormats.wavHeader(sampleRate: AudioFormats.sampleRate(format), dataBytes: nil).withUnsafeBytes { try file!.write($0) } }
        }
        try player?.waitUntilReady()
        let pipeline = player.map { PlaybackPipeline(player: $0, direct: AudioFormats.playback(format) ?? nil) }
        defer { pipeline?.abort() }
        let feed = try pipeline?.nextFeed()

        let reader = StdinReader(fd: context.stdinFD)
        let ws = try session.client.openWebSocket(path: "/v1/text-to-speech/\(try pathID(voiceID))/stream-input", query: query)
        try ws.sendText(encode(OutgoingMessage(text: " ", voice_settings: settings.isEmpty ? nil : settings,
                                               generation_config: .init(chunk_length_schedule: chunkSchedule))))

        var metrics = Metrics(voice_id: voiceID, model_id: modelID, output_format: format)
        let started = monotonicSeconds()
        var buffer = ""
        var lastSent = monotonicSeconds()
        var sentAnything = false
        var ended = false
        var serverError: (code: String, message: String)?

        func send(_ text: String, flush: Bool) throws {
            // Every text message ends with a space (§7.2).
            try ws.sendText(encode(OutgoingMessage(text: text.hasSuffix(" ") ? text : text + " ", flush: flush ? true : nil)))
            lastSent = monotonicSeconds()
            sentAnything = true
        }

        while true {
            try Signals.check()
            try pipeline?.checkHealthy()
            // 1. Text in: whole sentences as they complete; everything at a paragraph, a line (on a
            // terminal), an idle pause, or the end of input.
            if !ended {
                let (text, done) = try reader.take()
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
                    } else if !buffer.trimmingCharacters(in: " \t\r\n").isEmpty && monotonicSeconds() - reader.lastInput > idleFlush {
                        try send(buffer.replacingNewlines(), flush: true)
                        buffer = ""
                    }
                }
                if done {
                    let rest = buffer.trimmingCharacters(in: " \t\r\n")
                    if !rest.isEmpty { try send(rest.replacingNewlines(), flush: true) }
                    buffer = ""
                    if !sentAnything {
                        try? ws.close(code: 1000, reason: "")
                        throw CLIError("the text from standard input is empty", hint: "there is nothing to speak", exit: .input)
                    }
                    try ws.sendText(encode(OutgoingMessage(text: "")))
                    ended = true
                } else if monotonicSeconds() - lastSent > keepAliveEvery {
                    try ws.sendText(encode(OutgoingMessage(text: " ")))
                    lastSent = monotonicSeconds()
                }
            }
            // 2. Audio out.
            guard let event = try ws.poll(timeout: ended ? 1 : 0.02) else {
                if !ended { reader.waitForInput(seconds: 0.0) }
                continue
            }
            switch event {
            case .text(let json):
                guard let message = try? JSONDecoder().decode(IncomingMessage.self, from: Data(json.utf8)) else { continue }
                if let error = message.error {
                    serverError = (error, message.message ?? error)
                    continue
                }
                if let b64 = message.audio, let audio = Data(base64Encoded: b64), !audio.isEmpty {
                    if metrics.first_byte_ms == nil { metrics.first_byte_ms = Int((monotonicSeconds() - started) * 1000) }
                    metrics.bytes += audio.count
                    try audio.withUnsafeBytes { bytes in
                        if let file { try file.write(bytes) }
                        if output == "-" { try context.stdout.write(bytes) }
                        feed?.append(bytes, stop: { pipeline?.isStopped ?? true })
                    }
                }
            case .binary:
                continue
            case .closed(let code, let reason):
                if code == 1000 && ended {
                    feed?.finish()
                    try pipeline?.finish()
                    try player?.finish()
                    if let file {
                        if wrapWAV { try file.patch(AudioFormats.wavHeader(sampleRate: AudioFormats.sampleRate(format), dataBytes: file.bytesWritten - 44), at: 0) }
                        try file.commit()
                    }
                    if let first = player?.firstWrite { metrics.first_sound_ms = Int((first - context.startTime) * 1000) }
                    metrics.audio_seconds = pipeline.map { ($0.decodedSeconds * 1000).rounded() / 1000 }
                    if inv.flag("metrics") { try report(metrics, json: inv.flag("json"), context: context) }
                    return
                }
                if let serverError {
                    // The service explains a 1008 in a message first.
                    throw StreamInputError(code: serverError.code, message: serverError.message, closeCode: code)
                }
                if code == 1006 { throw WebSocketError(message: "the connection closed without a close frame") }
                throw CLIError("the server closed the stream (\(code))\(reason.isEmpty ? "" : ": \(reason)")",
                               hint: code == 1008 ? "the server refused the stream; see the reason above" : nil,
                               exit: .failure)
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
