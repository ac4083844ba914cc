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
    /// A dialogue's lines (text to dialogue); the item's own text and voice are then empty.
    public var dialogue: [DialogueLine]?

    public struct DialogueLine: Codable, Sendable {
        public var text: String
        public var voice_id: String?
        public var voice_name: String?
    }

    /// The text to show: the item's, or a dialogue's lines ("Voice: text / Voice: text").
    public var shownText: String? {
        if let t = text, !t.isEmpty { return t }
        return dialogue.map { $0.map { "\(($0.voice_name ?? $0.voice_id ?? "?").prefixBefore(" - ")): \($0.text)" }.joined(separator: " / ") } ?? text
    }

    /// The voice to show: the item's, or a dialogue's voices in the order they speak ("Sarah+Roger").
    public var shownVoiceName: String? {
        if let v = voiceName, !v.isEmpty { return v }
        guard let lines = dialogue, !lines.isEmpty else { return voiceName }
        var seen: [String] = []
        for l in lines {
            let name = (l.voice_name ?? l.voice_id ?? "?").prefixBefore(" - ")
            if !seen.contains(name) { seen.append(name) }
        }
        return seen.joined(separator: "+")
    }

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
        case dialogue
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

public extension String {
    /// The text before the first `separator` (all of it when there is none): a voice's name without
    /// the " - description" some names carry.
    func prefixBefore(_ separator: String) -> String {
        firstRange(of: separator).map { String(self[..<$0.lowerBound]) } ?? self
    }
}
