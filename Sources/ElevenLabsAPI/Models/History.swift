// Generation history (contract §5): items, pages and the cursor that links them.
public struct HistoryItem: Decodable, Sendable {
    public var historyItemID: String
    public var requestID: String?
    public var voiceID: String?
    public var voiceName: String?
    public var modelID: String?
    public var text: String?
    public var dateUnix: Int
    public var characterCountChangeFrom: Int?
    public var characterCountChangeTo: Int?
    public var contentType: String?
    public var state: String?
    public var outputFormat: String?

    enum CodingKeys: String, CodingKey {
        case historyItemID = "history_item_id"
        case requestID = "request_id"
        case voiceID = "voice_id"
        case voiceName = "voice_name"
        case modelID = "model_id"
        case text, state
        case dateUnix = "date_unix"
        case characterCountChangeFrom = "character_count_change_from"
        case characterCountChangeTo = "character_count_change_to"
        case contentType = "content_type"
        case outputFormat = "output_format"
    }
}

public struct HistoryPage: Decodable, Sendable {
    public var history: [HistoryItem]
    public var lastHistoryItemID: String?
    public var hasMore: Bool
    enum CodingKeys: String, CodingKey {
        case history
        case lastHistoryItemID = "last_history_item_id"
        case hasMore = "has_more"
    }
}
