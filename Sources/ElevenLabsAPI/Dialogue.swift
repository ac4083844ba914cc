// Text to dialogue (contract, "Model rules learned later"; official OpenAPI `/v1/text-to-dialogue/stream`):
// several voices in one request, each input a line of the dialogue. The service advises at most
// 2,000 characters and at most 10 distinct voices per request, so a script is planned into requests
// here, at input boundaries, in a way that an edit to one line changes only the request that holds it.

/// One line of a dialogue: what is said, in which voice.
public struct DialogueInput: Sendable, Equatable, Codable {
    public var text: String
    public var voice_id: String
    public init(text: String, voiceID: String) { self.text = text; voice_id = voiceID }
}

/// Which line of the request a stretch of the audio speaks (the with-timestamps answers' `voice_segments`).
public struct VoiceSegment: Sendable, Equatable {
    public var voiceID: String
    public var start: Double
    public var end: Double
    /// Index into the request's inputs.
    public var inputIndex: Int
    public init(voiceID: String, start: Double, end: Double, inputIndex: Int) {
        self.voiceID = voiceID; self.start = start; self.end = end; self.inputIndex = inputIndex
    }
}

public struct DialogueRequest: Sendable, Equatable {
    public var inputs: [DialogueInput]
    public var modelID: String
    public var outputFormat: OutputFormat
    /// The only setting the dialogue endpoint takes (`settings.stability`).
    public var stability: Double?
    public var languageCode: String?
    public var seed: Int?
    public var textNormalization: String?
    public var dictionaries: [DictionaryLocator] = []
    /// Character timings and voice segments with the audio.
    public var withTimestamps = false

    public init(inputs: [DialogueInput], modelID: String, outputFormat: OutputFormat) {
        self.inputs = inputs; self.modelID = modelID; self.outputFormat = outputFormat
    }

    /// "For reliable generation, keep the total character count across all inputs[].text values at
    /// or below 2,000 characters per request" (OpenAPI); "the maximum number of unique voice IDs is 10".
    public static let maxCharacters = 2_000
    public static let maxVoices = 10

    /// Characters as the limit counts them; Unicode scalars, which are never fewer than what the
    /// service counts, so a request planned within the limit stays within it.
    public static func length(_ text: String) -> Int { text.unicodeScalars.count }

    /// A line cut into inputs of at most `maxCharacters` scalars each, at sentences (then clauses,
    /// words); the splitter plans in scalars, so every piece fits as the limit counts.
    public static func pieces(_ text: String, maxCharacters: Int = maxCharacters) -> [String] {
        guard length(text) > maxCharacters else { return [text] }
        return TextChunker.split(text, limit: maxCharacters, firstTarget: maxCharacters)
    }

    /// What decides this request's audio (RequestIdentity): the body exactly as sent, as text, with
    /// the endpoint and the format.
    public func identity() throws -> RequestIdentity {
        guard case .bytes(let bytes, _) = try body() else { return RequestIdentity(beside: [:]) }
        return RequestIdentity(beside: [
            "endpoint": .string("text-to-dialogue"), "output_format": .string(outputFormat.name),
            "body": .string(String(decoding: bytes, as: UTF8.self)),
        ])
    }

    public func body() throws -> HTTPRequest.Body {
        struct Settings: Encodable { let stability: Double }
        struct Body: Encodable {
            let inputs: [DialogueInput]
            let model_id: String
            let language_code: String?
            let settings: Settings?
            let pronunciation_dictionary_locators: [DictionaryLocator]?
            let seed: Int?
            let apply_text_normalization: String?
        }
        return try ElevenLabsClient.jsonBody(Body(
            inputs: inputs, model_id: modelID, language_code: ModelRules.supportsLanguageCode(modelID) ? languageCode : nil,
            settings: stability.map(Settings.init), pronunciation_dictionary_locators: dictionaries.isEmpty ? nil : dictionaries,
            seed: seed, apply_text_normalization: textNormalization))
    }

    func path() -> String { withTimestamps ? "/v1/text-to-dialogue/stream/with-timestamps" : "/v1/text-to-dialogue/stream" }

    /// The requests for a script's inputs, as ranges of `inputs`: each within the character and voice
    /// limits (an input longer than the limit must be split by the caller first; it is then a request
    /// of its own). Within those limits a request ends after an input chosen by that input alone: its
    /// text's hash falls below its length out of `target`, so on average a request holds about
    /// `target` characters whatever the lengths of the lines. Because the choice never depends on
    /// where the request began, editing one line of a long script changes the one or two requests
    /// around it; every other request (and its cached audio) stays as it was. Packing greedily
    /// would move every boundary after the edit and buy the rest of the script again.
    public static func plan(_ inputs: [DialogueInput], maxCharacters: Int = maxCharacters, maxVoices: Int = maxVoices,
                            target: Int = maxCharacters * 3 / 5) -> [Range<Int>] {
        var groups: [Range<Int>] = []
        var start = 0, characters = 0
        var voices: Set<String> = []
        for (i, input) in inputs.enumerated() {
            let n = length(input.text)
            let newVoice = !voices.contains(input.voice_id)
            if i > start && (characters + n > maxCharacters || (newVoice && voices.count >= maxVoices)) {
                groups.append(start..<i)
                start = i; characters = 0; voices = []
            }
            characters += n
            voices.insert(input.voice_id)
            if hash(input.text) % UInt64(max(1, target)) < UInt64(n) {
                groups.append(start..<(i + 1))
                start = i + 1; characters = 0; voices = []
            }
        }
        if start < inputs.count { groups.append(start..<inputs.count) }
        return groups
    }

    /// A hash that is the same in every run (Swift's `hashValue` is seeded per process): FNV-1a,
    /// then mixed (MurmurHash3's finaliser) so that similar lines still spread evenly.
    static func hash(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        h ^= h >> 33; h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33; h = h &* 0xc4ce_b9fe_1a85_ec53
        return h ^ (h >> 33)
    }
}

extension ElevenLabsClient {
    /// Streams one dialogue generation, as `streamSpeech` does one voice: audio as it arrives, and
    /// with timestamps each piece's character timings and voice segments just before its audio.
    @discardableResult
    public func streamDialogue(_ request: DialogueRequest, beforeBody: (@Sendable () throws -> Void)? = nil,
                               onHead: (ResponseHead) throws -> Void = { _ in },
                               onTimings: (CharacterTimings) throws -> Void = { _ in },
                               onAudio: (UnsafeRawBufferPointer) throws -> Void) throws -> SpeechReceipt {
        try streamAnswer(path: request.path(), format: request.outputFormat, body: try request.body(), timed: request.withTimestamps,
                         beforeBody: beforeBody, onHead: onHead, onTimings: onTimings, onAudio: onAudio)
    }
}
