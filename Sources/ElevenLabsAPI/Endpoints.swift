// The account endpoints beyond speech: voice settings, deletion, instant cloning and editing, and
// generation history (CONTRACT.md §2, §5). One method per endpoint; no printing, no argv.
extension ElevenLabsClient {
    /// `GET /v1/voices/settings/default`: the account's defaults.
    public func defaultVoiceSettings() throws -> VoiceSettings {
        try json(VoiceSettings.self, path: "/v1/voices/settings/default")
    }

    /// `GET /v1/voices/{voice_id}/settings`.
    public func voiceSettings(id: String) throws -> VoiceSettings {
        try json(VoiceSettings.self, path: "/v1/voices/\(try pathID(id))/settings")
    }

    /// `POST /v1/voices/{voice_id}/settings/edit`: the body is the settings object itself.
    public func editVoiceSettings(id: String, _ settings: VoiceSettings) throws {
        _ = try json(StatusOK.self, method: "POST", path: "/v1/voices/\(try pathID(id))/settings/edit",
                     body: try ElevenLabsClient.jsonBody(settings))
    }

    /// `DELETE /v1/voices/{voice_id}`.
    public func deleteVoice(id: String) throws {
        _ = try json(StatusOK.self, method: "DELETE", path: "/v1/voices/\(try pathID(id))")
    }

    /// A sample file for cloning: its path, the name the server sees, and its type.
    /// An upload: the bytes as they were checked, sent as they are (a pipe or `<(...)` can be read
    /// only once, so reading the path again would send nothing).
    public struct Sample: Sendable {
        public let path: String
        public let filename: String
        public let contentType: String
        public let bytes: [UInt8]
        public init(path: String, filename: String, contentType: String, bytes: [UInt8]) {
            self.path = path; self.filename = filename; self.contentType = contentType; self.bytes = bytes
        }
    }

    static func voiceParts(name: String, samples: [Sample], labels: [String: String]?, description: String?,
                           removeBackgroundNoise: Bool) throws -> [MultipartPart] {
        var parts = [MultipartPart(name: "name", content: .text(name))]
        for s in samples {
            // Every sample is a part named `files` (not `files[]`).
            parts.append(MultipartPart(name: "files", content: .data(s.bytes, filename: s.filename, contentType: s.contentType)))
        }
        parts.append(MultipartPart(name: "remove_background_noise", content: .text(removeBackgroundNoise ? "true" : "false")))
        if let description { parts.append(MultipartPart(name: "description", content: .text(description))) }
        if let labels {
            // Labels travel as one JSON-encoded string.
            let data = try ElevenLabsClient.jsonBody(labels)
            if case .bytes(let bytes, _) = data { parts.append(MultipartPart(name: "labels", content: .text(String(decoding: bytes, as: UTF8.self)))) }
        }
        return parts
    }

    /// `POST /v1/voices/add`: instant voice cloning.
    public func addVoice(name: String, samples: [Sample], labels: [String: String]?, description: String?,
                         removeBackgroundNoise: Bool) throws -> AddedVoice {
        try json(AddedVoice.self, method: "POST", path: "/v1/voices/add",
                 body: .multipart(try Self.voiceParts(name: name, samples: samples, labels: labels, description: description,
                                                      removeBackgroundNoise: removeBackgroundNoise)))
    }

    /// `POST /v1/voices/{voice_id}/edit`: rename, describe, relabel, add samples.
    public func editVoice(id: String, name: String, samples: [Sample], labels: [String: String]?, description: String?,
                          removeBackgroundNoise: Bool) throws {
        _ = try json(StatusOK.self, method: "POST", path: "/v1/voices/\(try pathID(id))/edit",
                     body: .multipart(try Self.voiceParts(name: name, samples: samples, labels: labels, description: description,
                                                          removeBackgroundNoise: removeBackgroundNoise)))
    }

    public struct HistoryQuery: Sendable {
        public var pageSize = 100
        public var startAfter: String?
        public var voiceID: String?
        public var modelID: String?
        public var search: String?
        public var before: Int?
        public var after: Int?
        public init() {}
    }

    /// `GET /v1/history`: one page, newest first.
    public func history(_ q: HistoryQuery) throws -> HistoryPage {
        var query: [(String, String)] = [("page_size", String(q.pageSize))]
        if let v = q.startAfter { query.append(("start_after_history_item_id", v)) }
        if let v = q.voiceID { query.append(("voice_id", v)) }
        if let v = q.modelID { query.append(("model_id", v)) }
        if let v = q.search { query.append(("search", v)) }
        if let v = q.before { query.append(("date_before_unix", String(v))) }
        if let v = q.after { query.append(("date_after_unix", String(v))) }
        return try json(HistoryPage.self, path: "/v1/history", query: query)
    }

    /// `GET /v1/history/{id}`.
    public func historyItem(id: String) throws -> HistoryItem {
        try json(HistoryItem.self, path: "/v1/history/\(try pathID(id))")
    }

    /// `GET /v1/history/{id}/audio`: audio already paid for, streamed like fresh audio.
    @discardableResult
    public func historyAudio(id: String, onHead: (ResponseHead) throws -> Void = { _ in },
                             onAudio: (UnsafeRawBufferPointer) throws -> Void) throws -> ResponseHead {
        try streamAudio(method: "GET", path: "/v1/history/\(try pathID(id))/audio", onHead: onHead, onAudio: onAudio)
    }

    /// `DELETE /v1/history/{id}`.
    public func deleteHistoryItem(id: String) throws {
        _ = try json(StatusOK.self, method: "DELETE", path: "/v1/history/\(try pathID(id))")
    }
}

extension ElevenLabsClient {
    /// A public file the API links to (a voice's preview), fetched without the API key: it lives on
    /// another host (a storage bucket), which must never see the key. https only, or http to a
    /// loopback address (the sandbox serves previews itself).
    public func publicAudio(url: String, onAudio: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let host = ClientConfiguration.host(of: url), url.lowercased().hasPrefix("https://") || (url.lowercased().hasPrefix("http://") && ClientConfiguration.isLoopback(host)),
              !url.contains("@") else {
            throw ResponseFormatError(endpoint: "the preview link", detail: "not an https address")
        }
        var errorBody: [UInt8]? = nil
        _ = try retrying(.idempotent) {
            errorBody = nil
            return try transport.perform(HTTPRequest(method: "GET", url: url, headers: [HTTPHeaderField("Accept", "audio/*")]), onHead: { head in
                if !(200..<300).contains(head.status) { errorBody = [] }
            }, onBody: { chunk in
                if errorBody != nil { errorBody! += chunk } else { try onAudio(chunk) }
            })
        }
        if errorBody != nil { throw ResponseFormatError(endpoint: "GET \(url)", detail: "the preview could not be fetched") }
    }
}

extension ElevenLabsClient {
    /// Every page of `GET /v1/pronunciation-dictionaries` (newest first, as the service sorts them),
    /// at most `maxPages` of them: a server that always says "more" must not keep us here forever.
    public func pronunciationDictionaries(maxPages: Int = 100) throws -> [PronunciationDictionary] {
        var out: [PronunciationDictionary] = []
        var cursor: String? = nil
        var paging = PageGuard(endpoint: "GET /v1/pronunciation-dictionaries", maxPages: maxPages)
        repeat {
            var q: [(String, String)] = [("page_size", "100")]
            if let cursor { q.append(("cursor", cursor)) }
            let page = try json(PronunciationDictionariesPage.self, path: "/v1/pronunciation-dictionaries", query: q)
            for d in page.pronunciationDictionaries { try d.check(endpoint: "GET /v1/pronunciation-dictionaries") }
            out += page.pronunciationDictionaries
            cursor = try paging.next(page.nextCursor, hasMore: page.hasMore, count: page.pronunciationDictionaries.count)
        } while cursor != nil
        return out
    }

    /// `GET /v1/pronunciation-dictionaries/{id}`.
    public func pronunciationDictionary(id: String) throws -> PronunciationDictionary {
        let d = try json(PronunciationDictionary.self, path: "/v1/pronunciation-dictionaries/\(try pathID(id))")
        try d.check(endpoint: "GET /v1/pronunciation-dictionaries/{id}")
        return d
    }

    /// `POST /v1/pronunciation-dictionaries/add-from-file`: a `.pls` lexicon (W3C PLS) as a new dictionary.
    /// `bytes`: the lexicon as read and checked (never read again from `file`, which may be a pipe).
    public func addPronunciationDictionary(name: String, file: String, bytes: [UInt8], description: String?) throws -> AddedPronunciationDictionary {
        var parts = [MultipartPart(name: "name", content: .text(name)),
                     MultipartPart(name: "file", content: .data(bytes, filename: String(file.split(separator: "/").last ?? "lexicon.pls"),
                                                                contentType: "application/pls+xml"))]
        if let description { parts.append(MultipartPart(name: "description", content: .text(description))) }
        let added = try json(AddedPronunciationDictionary.self, method: "POST", path: "/v1/pronunciation-dictionaries/add-from-file",
                             body: .multipart(parts))
        try added.check(endpoint: "POST /v1/pronunciation-dictionaries/add-from-file")
        return added
    }
}
