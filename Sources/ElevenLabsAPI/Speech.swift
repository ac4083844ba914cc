// Text to speech (contract §1), the endpoint that matters most: the request as the API defines it,
// sent to the streaming endpoint its format and options call for, with the answer's audio (and, for
// the with-timestamps endpoint, the characters' timings) handed over as it arrives, and the receipt
// the service's headers give. Blocking: call it from a dedicated thread.

/// One text-to-speech request. Unset options are left out of the body, so the service's defaults apply.
public struct SpeechRequest: Sendable, Equatable {
    public var voiceID: String
    public var text: String
    public var modelID: String
    public var settings: VoiceSettings?
    /// The API's `output_format` (`mp3_44100_128`, `pcm_24000`, `wav_44100`, ...).
    public var outputFormat: OutputFormat
    public var languageCode: String?
    public var seed: Int?
    /// `auto`, `on` or `off`.
    public var textNormalization: String?
    /// Request stitching: the ids of up to three previous requests, and the text that follows, so
    /// the voice continues naturally (not available for eleven_v3; contract, model rules).
    public var previousRequestIDs: [String] = []
    public var nextText: String?
    /// Character timings with the audio (the with-timestamps endpoint).
    public var withTimestamps = false
    /// Pronunciation dictionaries to apply, in order (at most three).
    public var dictionaries: [DictionaryLocator] = []

    public init(voiceID: String, text: String, modelID: String, outputFormat: OutputFormat, settings: VoiceSettings? = nil,
                languageCode: String? = nil, seed: Int? = nil, textNormalization: String? = nil) {
        self.voiceID = voiceID; self.text = text; self.modelID = modelID; self.outputFormat = outputFormat
        self.settings = settings; self.languageCode = languageCode; self.seed = seed; self.textNormalization = textNormalization
    }

    /// At most this many previous request ids are sent (the API's limit).
    public static let maxPreviousRequestIDs = 3

    /// The fields of the JSON body (contract §1, `text_to_speech_stream`).
    struct Body: Encodable, Sendable {
        let text: String
        let model_id: String
        let voice_settings: VoiceSettings?
        let language_code: String?
        let seed: Int?
        let apply_text_normalization: String?
        let previous_request_ids: [String]?
        let next_text: String?
        let pronunciation_dictionary_locators: [DictionaryLocator]?
    }

    /// The body's fields; for the identity, without the previous requests' ids (they differ from
    /// run to run; the identity names the text they spoke instead).
    func bodyFields(forIdentity: Bool = false) -> Body {
        // Fields the model does not take are left out rather than sent to be refused or ignored.
        let stitch = ModelRules.supportsStitching(modelID)
        return Body(
            text: text, model_id: modelID, voice_settings: settings?.isEmpty == false ? settings : nil,
            language_code: ModelRules.supportsLanguageCode(modelID) ? languageCode : nil, seed: seed,
            apply_text_normalization: textNormalization,
            previous_request_ids: forIdentity || !stitch || previousRequestIDs.isEmpty ? nil : Array(previousRequestIDs.suffix(Self.maxPreviousRequestIDs)),
            next_text: stitch ? nextText : nil,
            pronunciation_dictionary_locators: dictionaries.isEmpty ? nil : dictionaries)
    }

    /// The JSON body; `output_format` travels in the query, the voice in the path.
    public func body() throws -> HTTPRequest.Body { try ElevenLabsClient.jsonBody(bodyFields()) }

    /// What decides this request's audio (RequestIdentity): the body as sent, the voice and the
    /// format, and `previousText`, the text the previous requests spoke, in place of their ids.
    public func identity(previousText: String?) -> RequestIdentity {
        RequestIdentity(body: bodyFields(forIdentity: true),
                        beside: ["voice_id": .string(voiceID), "output_format": .string(outputFormat.name),
                                 "previous_text": previousText.map(JSONValue.string)])
    }

    /// `wav_*` exists only on the whole-file endpoint; everything else streams.
    public var isWholeFile: Bool { outputFormat.isWholeFile }

    func path() throws -> String {
        let base = "/v1/text-to-speech/\(try pathID(voiceID))"
        if isWholeFile { return base }
        return base + (withTimestamps ? "/stream/with-timestamps" : "/stream")
    }
}

/// The timings of the characters of one piece of audio, in seconds from its start.
public struct CharacterTimings: Sendable, Equatable {
    public var characters: [String]
    public var starts: [Double]
    public var ends: [Double]
    /// Dialogue only: which input each stretch of this piece speaks.
    public var segments: [VoiceSegment] = []
    public init(characters: [String], starts: [Double], ends: [Double], segments: [VoiceSegment] = []) {
        self.characters = characters; self.starts = starts; self.ends = ends; self.segments = segments
    }
}

/// What the service's headers said about a generation.
public struct SpeechReceipt: Sendable {
    public var requestID: String?
    /// Credits charged (`character-cost`).
    public var characterCost: Int?
    /// The plan's limit on concurrent requests (`maximum-concurrent-requests`).
    public var concurrencyLimit: Int?
    public var historyItemID: String?

    init(_ head: ResponseHead) {
        requestID = head.value(for: "request-id")
        characterCost = Self.count(head, "character-cost")
        concurrencyLimit = Self.count(head, "maximum-concurrent-requests")
        historyItemID = head.value(for: "history-item-id")
    }

    /// A header's count, or nil when missing or not a sane count: a server's number is summed and
    /// compared, so it must never be able to overflow.
    static func count(_ head: ResponseHead, _ name: String) -> Int? {
        head.value(for: name).flatMap { Int($0) }.flatMap { (0...1_000_000_000).contains($0) ? $0 : nil }
    }
}

extension ElevenLabsClient {
    /// Streams one generation. `onAudio` receives the audio bytes in the requested format as they
    /// arrive; `onTimings` (with-timestamps requests only) each piece's character timings, just
    /// before that piece's audio. `encodedBody` is `request.body()` made ahead of time, when the
    /// caller could do it while other work was waiting. Retries as `streamAudio` does (never once
    /// audio was handed over); errors are `APIError`, `CurlError`, `AudioStreamBroken` or
    /// `ResponseFormatError`.
    @discardableResult
    public func streamSpeech(_ request: SpeechRequest, encodedBody: HTTPRequest.Body? = nil,
                             beforeBody: (@Sendable () throws -> Void)? = nil,
                             onHead: (ResponseHead) throws -> Void = { _ in },
                             onTimings: (CharacterTimings) throws -> Void = { _ in },
                             onAudio: (UnsafeRawBufferPointer) throws -> Void) throws -> SpeechReceipt {
        let path = try request.path()
        return try streamAnswer(path: path, format: request.outputFormat, body: try encodedBody ?? request.body(),
                                timed: request.withTimestamps && !request.isWholeFile, beforeBody: beforeBody,
                                onHead: onHead, onTimings: onTimings, onAudio: onAudio)
    }

    /// The one streaming function of both audio endpoints (text to speech and text to dialogue):
    /// POSTs `body`, hands the audio on as it arrives and, with timestamps, splits the answer's
    /// lines into timings and audio; the receipt comes from the answer's headers.
    func streamAnswer(path: String, format: OutputFormat, body: HTTPRequest.Body, timed: Bool,
                      beforeBody: (@Sendable () throws -> Void)?, onHead: (ResponseHead) throws -> Void,
                      onTimings: (CharacterTimings) throws -> Void,
                      onAudio: (UnsafeRawBufferPointer) throws -> Void) throws -> SpeechReceipt {
        var lines = TimedLines(endpoint: "POST \(path)")
        let head = try streamAudio(path: path, query: [("output_format", format.name)], body: body, beforeBody: beforeBody,
                                   timed: timed, onHead: onHead, onAudio: { chunk in
            guard timed else { try onAudio(chunk); return }
            try lines.append(chunk, onTimings: onTimings, onAudio: onAudio)
        })
        if timed { try lines.finish(onTimings: onTimings, onAudio: onAudio) }
        return SpeechReceipt(head)
    }
}

/// The with-timestamps answer: newline-delimited JSON, each line base64 audio with the timings of
/// its characters (contract §1.4). Public so the same lines, kept in the audio cache, replay the same way.
public struct TimedLines {
    let endpoint: String
    private var pending: [UInt8] = []
    /// How much of `pending` is known to hold no newline: each byte is looked at once, so a line
    /// arriving in many chunks costs its length, not its length times the chunks.
    private var scanned = 0
    /// A line longer than this is not the service's (its lines carry a fraction of a second of audio).
    public static let maxLineBytes = 16 << 20
    public init(endpoint: String) { self.endpoint = endpoint }

    /// One line of this form: audio with the timings and voice segments that came with it.
    public static func line(audio: UnsafeRawBufferPointer, timings: CharacterTimings?) -> [UInt8] {
        let alignment = timings.flatMap { t in
            t.characters.isEmpty ? nil : Line.Alignment(characters: t.characters, character_start_times_seconds: t.starts,
                                                        character_end_times_seconds: t.ends)
        }
        let segments = timings.flatMap { t in
            t.segments.isEmpty ? nil : t.segments.map {
                Line.Segment(voice_id: $0.voiceID, start_time_seconds: $0.start, end_time_seconds: $0.end, dialogue_input_index: $0.inputIndex)
            }
        }
        let line = Line(audio_base64: Base64.encode(audio), alignment: alignment, voice_segments: segments)
        return ((try? CanonicalJSON.encode(line)) ?? []) + [10]
    }

    /// One line as the service writes it (and as the cache keeps it).
    private struct Line: Codable {
        struct Alignment: Codable {
            let characters: [String]
            let character_start_times_seconds: [Double]
            let character_end_times_seconds: [Double]
        }
        struct Segment: Codable {
            let voice_id: String
            let start_time_seconds: Double
            let end_time_seconds: Double
            let dialogue_input_index: Int
        }
        let audio_base64: String
        let alignment: Alignment?
        let voice_segments: [Segment]?
    }

    public mutating func append(_ chunk: UnsafeRawBufferPointer, onTimings: (CharacterTimings) throws -> Void,
                         onAudio: (UnsafeRawBufferPointer) throws -> Void) throws {
        pending.append(contentsOf: chunk)
        var lineStart = 0
        while let newline = pending[scanned...].firstIndex(of: 10) {
            try handle(Array(pending[lineStart..<newline]), onTimings: onTimings, onAudio: onAudio)
            lineStart = newline + 1
            scanned = lineStart
        }
        scanned = pending.count
        if lineStart > 0 { pending.removeFirst(lineStart); scanned -= lineStart }
        if pending.count > Self.maxLineBytes {
            throw ResponseFormatError(endpoint: endpoint, detail: "a line of the timed answer is over \(Self.maxLineBytes >> 20) MiB")
        }
    }

    public mutating func finish(onTimings: (CharacterTimings) throws -> Void, onAudio: (UnsafeRawBufferPointer) throws -> Void) throws {
        let rest = pending
        pending = []
        scanned = 0
        try handle(rest, onTimings: onTimings, onAudio: onAudio)
    }

    private func handle(_ line: [UInt8], onTimings: (CharacterTimings) throws -> Void,
                        onAudio: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !line.allSatisfy({ $0 == 32 || $0 == 13 }) else { return }
        guard let item = try? JSONReader.decode(Line.self, from: line),
              let audio = Base64.decode(item.audio_base64) else {
            throw ResponseFormatError(endpoint: endpoint, detail: "a line of the timed answer is not the expected JSON")
        }
        // A server's numbers can be anything: segments that are not a sane stretch of time are dropped.
        let segments = (item.voice_segments ?? []).filter {
            $0.start_time_seconds.isFinite && $0.end_time_seconds.isFinite && $0.start_time_seconds >= 0
                && $0.end_time_seconds >= $0.start_time_seconds && $0.end_time_seconds < 1e7 && $0.dialogue_input_index >= 0
        }.map { VoiceSegment(voiceID: $0.voice_id, start: $0.start_time_seconds, end: $0.end_time_seconds, inputIndex: $0.dialogue_input_index) }
        if item.alignment != nil || !segments.isEmpty {
            let a = item.alignment
            try onTimings(CharacterTimings(characters: a?.characters ?? [], starts: a?.character_start_times_seconds ?? [],
                                           ends: a?.character_end_times_seconds ?? [], segments: segments))
        }
        if !audio.isEmpty { try audio.withUnsafeBytes { try onAudio($0) } }
    }
}
