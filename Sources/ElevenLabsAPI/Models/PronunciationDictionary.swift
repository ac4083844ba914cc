// Pronunciation dictionaries (the official OpenAPI's `/v1/pronunciation-dictionaries`): lexicons of
// names and how to say them, applied to text-to-speech through `pronunciation_dictionary_locators`.

/// One dictionary (and optionally one version of it) to apply; the API takes up to three, in order.
public struct DictionaryLocator: Sendable, Equatable, Codable {
    public var pronunciation_dictionary_id: String
    /// nil: the dictionary's latest version.
    public var version_id: String?
    public init(id: String, version: String?) { pronunciation_dictionary_id = id; version_id = version }

    /// The API's limit on locators per request.
    public static let maxPerRequest = 3

    /// `ID` or `ID:VERSION`: letters, digits, `-` and `_` each (ids go into URL paths).
    public static func parse(_ text: String) throws -> DictionaryLocator {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let id = try pathID(parts[0])
        let version = try parts.count > 1 ? pathID(parts[1]) : nil
        return DictionaryLocator(id: id, version: version)
    }
}

/// `GET /v1/pronunciation-dictionaries/{id}` and each row of the list.
public struct PronunciationDictionary: Sendable, Decodable {
    public let id: String
    public let name: String
    public let latestVersionID: String
    public let latestVersionRulesNum: Int
    public let createdBy: String?
    public let creationTimeUnix: Int?
    public let description: String?
    /// The latest version's rules (`GET` of one dictionary only; not in the list).
    public let rules: [Rule]?

    /// A rule: `stringToReplace` said as `alias`, or as `phoneme` in `alphabet`.
    public struct Rule: Sendable, Codable, Equatable {
        public let string_to_replace: String
        public let type: String
        public let alias: String?
        public let phoneme: String?
        public let alphabet: String?
    }

    /// A rule count no dictionary can have comes from a broken server.
    static let plausibleRules = 0...10_000_000

    func check(endpoint: String) throws {
        guard Self.plausibleRules.contains(latestVersionRulesNum) else {
            throw ResponseFormatError(endpoint: endpoint, detail: "latest_version_rules_num is \(latestVersionRulesNum), which no dictionary can have")
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, name, description, rules
        case latestVersionID = "latest_version_id"
        case latestVersionRulesNum = "latest_version_rules_num"
        case createdBy = "created_by"
        case creationTimeUnix = "creation_time_unix"
    }
}

/// One page of `GET /v1/pronunciation-dictionaries`.
public struct PronunciationDictionariesPage: Sendable, Decodable {
    public let pronunciationDictionaries: [PronunciationDictionary]
    public let nextCursor: String?
    public let hasMore: Bool
    enum CodingKeys: String, CodingKey {
        case pronunciationDictionaries = "pronunciation_dictionaries"
        case nextCursor = "next_cursor"
        case hasMore = "has_more"
    }
}

/// `POST /v1/pronunciation-dictionaries/add-from-file`'s answer.
public struct AddedPronunciationDictionary: Sendable, Decodable {
    public let id: String
    public let name: String
    public let versionID: String
    public let versionRulesNum: Int

    func check(endpoint: String) throws {
        guard PronunciationDictionary.plausibleRules.contains(versionRulesNum) else {
            throw ResponseFormatError(endpoint: endpoint, detail: "version_rules_num is \(versionRulesNum), which no dictionary can have")
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, name
        case versionID = "version_id"
        case versionRulesNum = "version_rules_num"
    }
}
