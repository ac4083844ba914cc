// `GET /v1/models` items (contract §3). Decoded leniently: only the id is required.
public struct Model: Decodable, Sendable, Equatable {
    public struct Language: Decodable, Sendable, Equatable {
        public var languageID: String
        public var name: String
        enum CodingKeys: String, CodingKey { case languageID = "language_id", name }
    }
    public struct Rates: Decodable, Sendable, Equatable {
        public var characterCostMultiplier: Double?
        enum CodingKeys: String, CodingKey { case characterCostMultiplier = "character_cost_multiplier" }
    }

    public var modelID: String
    public var name: String?
    public var description: String?
    public var canDoTextToSpeech: Bool?
    public var tokenCostFactor: Double?
    public var maximumTextLengthPerRequest: Int?
    public var maxCharactersRequestFreeUser: Int?
    public var maxCharactersRequestSubscribedUser: Int?
    public var languages: [Language]?
    public var modelRates: Rates?

    enum CodingKeys: String, CodingKey {
        case modelID = "model_id", name, description
        case canDoTextToSpeech = "can_do_text_to_speech"
        case tokenCostFactor = "token_cost_factor"
        case maximumTextLengthPerRequest = "maximum_text_length_per_request"
        case maxCharactersRequestFreeUser = "max_characters_request_free_user"
        case maxCharactersRequestSubscribedUser = "max_characters_request_subscribed_user"
        case languages
        case modelRates = "model_rates"
    }

    /// Credits per character: the rate multiplier when present, else the older token cost factor.
    public var costPerCharacter: Double {
        modelRates?.characterCostMultiplier ?? tokenCostFactor ?? 1
    }

    /// The per-request character limit; the plan-specific field wins where the server sends it.
    public func characterLimit(subscribed: Bool = true) -> Int? {
        (subscribed ? maxCharactersRequestSubscribedUser : maxCharactersRequestFreeUser) ?? maximumTextLengthPerRequest
    }
}
