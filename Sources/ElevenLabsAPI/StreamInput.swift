// The stream-input WebSocket (contract §7): text goes up as it is written, audio comes back as base64
// inside JSON messages. This is the protocol as typed messages: the first message with the settings
// and chunk schedule, text with or without a flush, the keep-alive, the end; and what the server sends:
// audio (with character timings when it sends them), the final marker, a refusal, the close.
// Blocking: use it from a dedicated thread.

/// The connection's options (query parameters, §7.1).
public struct StreamInputOptions: Sendable {
    public var voiceID: String
    public var modelID: String
    public var outputFormat: OutputFormat
    public var languageCode: String?
    public var seed: Int?
    public var textNormalization: String?
    /// Seconds of silence from the client after which the server closes (default 20, max 180).
    public var inactivityTimeout: Int?
    /// Alignment with every audio message rather than only the first of each generation.
    public var syncAlignment = false
    /// `<break>` and `<phoneme>` in the text are parsed rather than read (`enable_ssml_parsing`).
    public var ssmlParsing = false

    public init(voiceID: String, modelID: String, outputFormat: OutputFormat) {
        self.voiceID = voiceID; self.modelID = modelID; self.outputFormat = outputFormat
    }
}

/// What the server sent.
public enum StreamInputEvent: Sendable {
    /// Audio in the requested format, with the timings of the characters it speaks when the server
    /// sent them (relative to this piece of audio).
    case audio([UInt8], CharacterTimings?)
    /// The generation of everything sent is complete.
    case final
    /// The server closed the stream normally.
    case closed(code: UInt16, reason: String)
}

public final class StreamInputSession {
    private let socket: WebSocketClient
    private var refusal: (code: String, message: String)?
    /// A message the server sent without audio or an error code: the full text of a close reason
    /// that did not fit in the close frame (§7.3).
    private var explanation: String?
    private var closed = false

    /// See `WebSocketClient.wakeFD`: ends a `next` early when it becomes readable.
    public var wakeFD: Int32 {
        get { socket.wakeFD }
        set { socket.wakeFD = newValue }
    }

    /// The characters the server buffers before each generation (the service's default schedule).
    public static let defaultSchedule = [120, 160, 250, 290]

    /// Opens the socket (the key goes in the upgrade request's header, never in a message) and sends
    /// the first message: the voice settings and chunk schedule (§7.2).
    /// `dictionaries` go in the first message, the only place the socket takes them, each with its
    /// version (required here, unlike on text to speech).
    public init(client: ElevenLabsClient, options: StreamInputOptions, settings: VoiceSettings?,
                dictionaries: [DictionaryLocator] = [], schedule: [Int] = StreamInputSession.defaultSchedule) throws {
        var query: [(String, String)] = [("model_id", options.modelID), ("output_format", options.outputFormat.name)]
        if let t = options.inactivityTimeout { query.append(("inactivity_timeout", String(t))) }
        if options.syncAlignment { query.append(("sync_alignment", "true")) }
        if let l = options.languageCode, ModelRules.supportsLanguageCode(options.modelID) { query.append(("language_code", l)) }
        if let s = options.seed { query.append(("seed", String(s))) }
        if let n = options.textNormalization { query.append(("apply_text_normalization", n)) }
        if options.ssmlParsing { query.append(("enable_ssml_parsing", "true")) }
        socket = try client.openWebSocket(path: "/v1/text-to-speech/\(try pathID(options.voiceID))/stream-input", query: query)
        try send(Outgoing(text: " ", voice_settings: settings?.isEmpty == false ? settings : nil,
                          generation_config: .init(chunk_length_schedule: schedule),
                          pronunciation_dictionary_locators: dictionaries.isEmpty ? nil : dictionaries))
    }

    /// Sends text; `flush` makes the server generate what it holds now (§7.2). Every text message
    /// ends with one space, as the protocol asks.
    public func send(text: String, flush: Bool) throws {
        try send(Outgoing(text: text.hasSuffix(" ") ? text : text + " ", flush: flush ? true : nil))
    }

    /// One space: resets the server's inactivity timer without adding text.
    public func keepAlive() throws { try send(Outgoing(text: " ")) }

    /// The end of the text: the server generates what is left, sends the final message and closes.
    public func end() throws { try send(Outgoing(text: "")) }

    /// Closes from this side (nothing more to say, or giving up).
    public func close() {
        guard !closed else { return }
        closed = true
        try? socket.close(code: 1000, reason: "")
    }

    /// The next event, or nil when nothing arrived within `timeout` seconds. A refusal (an error
    /// message, then a close) is thrown as `StreamInputError`; a dropped connection as `WebSocketError`.
    public func next(timeout: Double) throws -> StreamInputEvent? {
        while true {
            guard let event = try socket.poll(timeout: timeout) else { return nil }
            switch event {
            case .text(let json):
                guard let message = try? JSONReader.decode(Incoming.self, from: json.utf8) else { continue }
                if let error = message.error {
                    // Shape UNCONFIRMED (§7.3): the explanation comes before the close.
                    refusal = (error, message.message ?? error)
                    continue
                }
                if let b64 = message.audio, let audio = Base64.decode(b64), !audio.isEmpty {
                    return .audio(Array(audio), message.alignment?.timings)
                }
                if message.isFinal == true { return .final }
                if let text = message.message { explanation = text }
            case .binary:
                continue
            case .closed(let code, let reason):
                closed = true
                if let refusal { throw StreamInputError(code: refusal.code, message: refusal.message, closeCode: code) }
                if code == 1006 { throw WebSocketError(message: "the connection closed without a close frame") }
                // The whole reason, when the server explained it in a message first.
                let full = explanation.flatMap { $0.hasPrefix(reason) ? $0 : nil } ?? reason
                return .closed(code: code, reason: full)
            }
        }
    }

    // MARK: Messages (§7.2, §7.3)

    private struct Outgoing: Encodable {
        struct GenerationConfig: Encodable { let chunk_length_schedule: [Int] }
        let text: String
        var flush: Bool? = nil
        var voice_settings: VoiceSettings? = nil
        var generation_config: GenerationConfig? = nil
        var pronunciation_dictionary_locators: [DictionaryLocator]? = nil
    }

    private struct Incoming: Decodable {
        struct Alignment: Decodable {
            let chars: [String]?
            let charStartTimesMs: [Int]?
            let charDurationsMs: [Int]?
            /// The 2025-08 AsyncAPI file's spelling (a documentation bug; both are accepted).
            let charsDurationsMs: [Int]?

            var timings: CharacterTimings? {
                guard let chars, let starts = charStartTimesMs, let durations = charDurationsMs ?? charsDurationsMs,
                      chars.count == starts.count, starts.count == durations.count else { return nil }
                return CharacterTimings(characters: chars, starts: starts.map { Double($0) / 1000 },
                                        ends: zip(starts, durations).map { Double($0 &+ $1) / 1000 })
            }
        }
        let audio: String?
        let isFinal: Bool?
        let error: String?
        let message: String?
        let alignment: Alignment?
    }

    private func send(_ message: Outgoing) throws {
        do {
            try socket.sendText(String(decoding: try CanonicalJSON.encode(message), as: UTF8.self))
        } catch let sendError {
            // A server that refused the stream may already have closed it: what it said before
            // closing is the real reason, not the broken pipe that sending into it gives.
            if refusal == nil, !closed {
                while let event = try? next(timeout: 0.5) { if case .closed = event { break } }
            }
            if let refusal { throw StreamInputError(code: refusal.code, message: refusal.message, closeCode: 1008) }
            throw sendError
        }
    }
}
