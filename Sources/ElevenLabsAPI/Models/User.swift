// Account information (contract §4): the user and the subscription's credits, limits and reset date.
public struct Subscription: Decodable, Sendable {
    public var tier: String
    public var characterCount: Int
    public var characterLimit: Int
    public var nextCharacterCountResetUnix: Int?
    public var voiceSlotsUsed: Int?
    public var voiceLimit: Int?
    public var professionalVoiceLimit: Int?
    public var canUseInstantVoiceCloning: Bool?
    public var status: String?
    public var currency: String?

    enum CodingKeys: String, CodingKey {
        case tier, status, currency
        case characterCount = "character_count"
        case characterLimit = "character_limit"
        case nextCharacterCountResetUnix = "next_character_count_reset_unix"
        case voiceSlotsUsed = "voice_slots_used"
        case voiceLimit = "voice_limit"
        case professionalVoiceLimit = "professional_voice_limit"
        case canUseInstantVoiceCloning = "can_use_instant_voice_cloning"
    }

    /// The largest count or limit a real plan could have; anything above, or below zero, is a server
    /// error, not a number to compute with.
    public static let plausibleMaximum = 1_000_000_000_000

    /// Throws, naming the field, when a count or limit is impossible.
    public func check(endpoint: String) throws {
        for (name, value) in [("character_count", characterCount), ("character_limit", characterLimit),
                              ("voice_slots_used", voiceSlotsUsed ?? 0), ("voice_limit", voiceLimit ?? 0)]
        where !(0...Self.plausibleMaximum).contains(value) {
            throw ResponseFormatError(endpoint: endpoint, detail: "\(name) is \(value), which no account can have")
        }
    }

    /// Credits left this period (never negative).
    /// Never traps on hostile numbers: an overflowing difference is read as "none left" unless the
    /// limit itself is positive and the count negative.
    public var creditsRemaining: Int {
        let (left, overflow) = characterLimit.subtractingReportingOverflow(characterCount)
        if overflow { return characterLimit > 0 ? Int.max : 0 }
        return max(0, left)
    }
}

public struct User: Decodable, Sendable {
    public var userID: String
    public var firstName: String?
    public var subscription: Subscription?
    public var xiAPIKeyPreview: String?
    enum CodingKeys: String, CodingKey {
        case userID = "user_id", subscription
        case firstName = "first_name"
        case xiAPIKeyPreview = "xi_api_key_preview"
    }
}
