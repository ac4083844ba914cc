// Voices (contract §2): `VoiceResponseModel`, the `/v2/voices` page, and voice settings.
public struct VoiceSettings: Codable, Sendable, Equatable {
    public var stability: Double?
    public var similarityBoost: Double?
    public var style: Double?
    public var useSpeakerBoost: Bool?
    public var speed: Double?

    public init(stability: Double? = nil, similarityBoost: Double? = nil, style: Double? = nil,
                useSpeakerBoost: Bool? = nil, speed: Double? = nil) {
        self.stability = stability; self.similarityBoost = similarityBoost; self.style = style
        self.useSpeakerBoost = useSpeakerBoost; self.speed = speed
    }

    public var isEmpty: Bool { self == VoiceSettings() }

    enum CodingKeys: String, CodingKey {
        case stability, style, speed
        case similarityBoost = "similarity_boost"
        case useSpeakerBoost = "use_speaker_boost"
    }

    // Unset fields are omitted, never sent as null, so the voice's own values apply to them.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(stability, forKey: .stability)
        try c.encodeIfPresent(similarityBoost, forKey: .similarityBoost)
        try c.encodeIfPresent(style, forKey: .style)
        try c.encodeIfPresent(useSpeakerBoost, forKey: .useSpeakerBoost)
        try c.encodeIfPresent(speed, forKey: .speed)
    }
}

public struct Voice: Decodable, Sendable, Equatable {
    public var voiceID: String
    public var name: String
    public var category: String?
    public var labels: [String: String]?
    public var description: String?
    public var previewURL: String?
    public var settings: VoiceSettings?
    public var availableForTiers: [String]?
    public var createdAtUnix: Int?

    enum CodingKeys: String, CodingKey {
        case voiceID = "voice_id", name, category, labels, description, settings
        case previewURL = "preview_url"
        case availableForTiers = "available_for_tiers"
        case createdAtUnix = "created_at_unix"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        voiceID = try c.decode(String.self, forKey: .voiceID)
        name = try c.decode(String.self, forKey: .name)
        category = try c.decodeIfPresent(String.self, forKey: .category)
        // Label values have been strings so far; anything else is kept as its JSON text.
        labels = try c.decodeIfPresent([String: JSONValue].self, forKey: .labels)?.mapValues(\.display)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        previewURL = try c.decodeIfPresent(String.self, forKey: .previewURL)
        settings = try? c.decodeIfPresent(VoiceSettings.self, forKey: .settings)
        availableForTiers = try? c.decodeIfPresent([String].self, forKey: .availableForTiers)
        createdAtUnix = try? c.decodeIfPresent(Int.self, forKey: .createdAtUnix)
    }

    /// The name people say: premade voices are named like `Roger - Laid-Back, Casual, Resonant`.
    public var shortName: String {
        if let r = name.firstRange(of: " - ") { return String(name[..<r.lowerBound]) }
        return name
    }
}

public struct VoicesPage: Decodable, Sendable {
    public var voices: [Voice]
    public var hasMore: Bool
    public var totalCount: Int?
    public var nextPageToken: String?
    enum CodingKeys: String, CodingKey {
        case voices
        case hasMore = "has_more"
        case totalCount = "total_count"
        case nextPageToken = "next_page_token"
    }
}

struct VoicesV1: Decodable { var voices: [Voice] }

public struct StatusOK: Decodable, Sendable { public var status: String }

public struct AddedVoice: Decodable, Sendable {
    public var voiceID: String
    public var requiresVerification: Bool
    enum CodingKeys: String, CodingKey { case voiceID = "voice_id", requiresVerification = "requires_verification" }
}
