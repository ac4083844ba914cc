// The four text-to-speech endpoints (contract §1): request validation as the service does it (422
// array for the body and query, 400/403/404 application errors), credits and quota, concurrency
// headers, injected faults, history items, and audio streamed in real encodings.
import Foundation
import FlyingFox

struct TTSRequest {
    var text: String
    var modelID: String
    var voiceSettings: [String: Any]?
    var seed: Int?
    var languageCode: String?
    var previousRequestIDs: [String]
    var nextRequestIDs: [String]
    var dictionaries: [(id: String, version: String?)] = []
}

struct TextToSpeech {
    let state: SandboxState
    let r: Incoming

    var streaming: Bool { r.segments.count >= 4 && r.segments[3] == "stream" }
    var timestamps: Bool { r.segments.last == "with-timestamps" }

    func respond() async -> HTTPResponse {
        let voiceID = r.segments[2]
        // The query first, as FastAPI validates it together with the body.
        var issues: [[String: Any]] = []
        let formatName = r.query("output_format") ?? "mp3_44100_128"
        let allowed = streaming ? Catalog.streamFormats : Catalog.restFormats
        if !allowed.contains(formatName) {
            let list = allowed.map { "'\($0)'" }
            issues.append(Reply.issue("enum", ["query", "output_format"],
                                      "Input should be " + list.dropLast().joined(separator: ", ") + " or " + list.last!, input: formatName))
        }
        var logging = true
        if let raw = r.query("enable_logging") {
            switch raw.lowercased() {
            case "true", "1": logging = true
            case "false", "0": logging = false
            default: issues.append(Reply.issue("bool_parsing", ["query", "enable_logging"], "Input should be a valid boolean, unable to interpret input", input: raw))
            }
        }
        let parsed = Self.parseBody(r.body)
        issues += parsed.issues
        if !issues.isEmpty { return Reply.validation(issues) }
        let req = parsed.request!

        guard let voice = state.locked({ $0.voice(voiceID) }) else { return Router.voiceNotFound(voiceID) }
        for l in req.dictionaries {
            let known = state.locked { s in s.dictionaries.first { $0.id == l.id } }
            guard let d = known, l.version == nil || l.version == d.versionID else { return Dictionaries.notFound(l.id) }
        }
        guard let model = Catalog.model(req.modelID) else {
            return Reply.error(400, "invalid_uid", "An invalid ID has been received: '\(req.modelID)'. Make sure to provide a correct one.")
        }
        if req.text.unicodeScalars.count > model.limit {
            return Reply.error(400, "max_character_limit_exceeded",
                               "You are trying to use \(req.text.unicodeScalars.count) characters, but the maximum for \(model.id) is \(model.limit) characters per request.")
        }
        let format = AudioFormat(formatName)!
        if let refused = Self.refuseFormat(formatName, state) { return refused }
        let tier = state.locked { $0.config.tier }

        let maxConcurrency = state.locked { $0.config.faults.concurrencyLimit } ?? (Catalog.concurrency[tier] ?? 5) * (model.isFast ? 2 : 1)
        if let refused = Self.gate(state) { return refused }
        let token = InFlightToken(state)
        let current = state.locked { $0.inFlight }
        if let limit = state.locked({ $0.config.faults.concurrencyLimit }), current > limit {
            token.release()
            return Self.tooManyConcurrent(limit: limit, retryAfter: state.locked { $0.config.faults.retryAfter })
        }

        // Credits: the rate multiplier per character, rounded up; 401 quota_exceeded when short.
        let cost = Int((Double(req.text.unicodeScalars.count) * model.multiplier).rounded(.up))
        let quota: (from: Int, limit: Int)
        switch Self.charge(state, cost: cost, token: token) {
        case .success(let q): quota = q
        case .failure(let refusal): return refusal.response
        }

        let speed = (req.voiceSettings?["speed"] as? NSNumber)?.doubleValue ?? 1.0
        let audio = AudioSynth.synthesize(format, duration: AudioSynth.duration(forCharacters: req.text.unicodeScalars.count, speed: speed))
        let (requestID, historyID) = state.locked { s in (s.nextID(), logging ? s.nextID() : nil) }
        if let historyID {
            let item = HistoryRecord(id: historyID, requestID: requestID, voiceID: voice.id, voiceName: voice.name,
                                     voiceCategory: voice.category, modelID: model.id, text: req.text,
                                     dateUnix: Int(Date().timeIntervalSince1970), countFrom: quota.from,
                                     countTo: quota.from + cost, contentType: format.contentType,
                                     outputFormat: formatName, settings: req.voiceSettings ?? voice.settings, audio: audio.bytes)
            state.locked { $0.history.append(item) }
        }

        let faults = state.faultsForAudioAnswer()
        if faults.firstByteDelay > 0 { try? await Task.sleep(nanoseconds: UInt64(faults.firstByteDelay * 1e9)) }

        var headers: [String: String] = [
            "request-id": requestID, "character-cost": String(cost),
            "current-concurrent-requests": String(max(1, current)), "maximum-concurrent-requests": String(maxConcurrency),
            "tts-latency-ms": String(Int(faults.firstByteDelay * 1000)),
            "access-control-expose-headers": "request-id, history-item-id, character-cost, regeneration-count, generation-info, current-concurrent-requests, maximum-concurrent-requests",
        ]
        if let historyID { headers["history-item-id"] = historyID }
        if let huge = faults.hugeHeaderBytes {
            for i in 0..<max(1, huge / 8000) { headers["x-padding-\(i)"] = String(repeating: "a", count: min(huge, 8000)) }
        }

        if faults.jsonInsteadOfAudio {
            token.release()
            return Reply.json(200, ["status": "ok", "note": "not audio"], headers: headers)
        }
        if faults.emptyAudio {
            token.release()
            return Self.audioResponse([], boundaries: [], headers: headers.merging(["content-type": format.contentType]) { $1 },
                                      faults: faults, chunked: streaming, token: nil)
        }
        if timestamps {
            return Self.timestampsResponse(audio: audio, text: req.text, headers: headers, faults: faults, token: token, streaming: streaming)
        }
        headers["content-type"] = format.contentType
        return Self.audioResponse(audio.bytes, boundaries: audio.boundaries, headers: headers, faults: faults,
                                  chunked: streaming, token: token)
    }

    /// A format the plan does not include (403, as the service).
    static func refuseFormat(_ formatName: String, _ state: SandboxState) -> HTTPResponse? {
        let tier = state.locked { $0.config.tier }
        if let need = Catalog.requiredTier(for: formatName), (Catalog.tierRank[tier] ?? 0) < (Catalog.tierRank[need.tier] ?? 0) {
            return Reply.error(403, "output_format_not_allowed",
                               "Requested output format \(formatName) (\(need.label)) is only allowed for \(need.tier.capitalized) tier and above.")
        }
        return nil
    }

    struct Refusal: Error { let response: HTTPResponse }

    /// Takes `cost` credits from the quota, or answers 401 quota_exceeded (releasing the slot).
    static func charge(_ state: SandboxState, cost: Int, token: InFlightToken) -> Result<(from: Int, limit: Int), Refusal> {
        let quota: (from: Int, limit: Int)? = state.locked { s in
            let from = s.config.characterCount
            if from + cost > s.characterLimit { return nil }
            s.config.characterCount += cost
            return (from, s.characterLimit)
        }
        if let quota { return .success(quota) }
        token.release()
        let (limit, used) = state.locked { ($0.characterLimit, $0.config.characterCount) }
        return .failure(Refusal(response: Reply.error(401, "quota_exceeded",
            "This request exceeds your quota of \(limit). You have \(max(0, limit - used)) credits remaining, while \(cost) credits are required for this request.")))
    }

    /// The "first N requests" faults, in order: 429 concurrency, 429 system busy, then 5xx.
    static func gate(_ state: SandboxState) -> HTTPResponse? {
        let (n, f) = state.locked { s -> (Int, Faults) in s.audioRequests += 1; return (s.audioRequests, s.config.faults) }
        var threshold = f.rateLimitFirst
        if n <= threshold { return tooManyConcurrent(limit: Catalog.concurrency[state.locked { $0.config.tier }] ?? 5, retryAfter: f.retryAfter) }
        threshold += f.systemBusyFirst
        if n <= threshold {
            return Reply.error(429, "system_busy", "We are sorry, the system is experiencing heavy traffic, please try again. Higher subscriptions have higher priority.",
                               headers: f.retryAfter.map { ["retry-after": String($0)] } ?? [:])
        }
        threshold += f.serverErrorFirst
        if n <= threshold {
            return Reply.error(f.serverErrorStatus, "something_went_wrong", "We are sorry, something went wrong. You are not charged for this request.")
        }
        return nil
    }

    static func tooManyConcurrent(limit: Int, retryAfter: Int?) -> HTTPResponse {
        Reply.error(429, "too_many_concurrent_requests",
                    "Too many concurrent requests. Your current subscription is associated with a maximum of \(limit) concurrent requests (running in parallel). Please upgrade your subscription or wait for other requests to finish.",
                    headers: retryAfter.map { ["retry-after": String($0)] } ?? [:])
    }

    static func audioResponse(_ bytes: [UInt8], boundaries: [Int], headers: [String: String], faults: Faults,
                              chunked: Bool, token: InFlightToken?) -> HTTPResponse {
        var h = HTTPHeaders()
        for (k, v) in headers { h[HTTPHeader(k)] = v }
        let body = PacedBody(bytes: bytes, boundaries: boundaries, chunkSize: faults.chunkSize, delay: faults.chunkDelay,
                             cutAfter: faults.cutAfterBytes, stallAfter: faults.stallAfterBytes, token: token)
        // The whole-file endpoints announce their length; a cut then shows as a short body, as on the wire.
        let sequence = chunked ? HTTPBodySequence(from: body, suggestedBufferSize: faults.chunkSize)
            : HTTPBodySequence(from: body, count: bytes.count, suggestedBufferSize: faults.chunkSize)
        return HTTPResponse(statusCode: Reply.statusCode(200), headers: h, body: sequence)
    }

    /// `/with-timestamps` answers one JSON object; `/stream/with-timestamps` one JSON object per line,
    /// each with its slice of audio and the characters that start in it (times in seconds, cumulative).
    /// `extra` adds fields to each object for the range of characters it holds (dialogue: voice_segments).
    static func timestampsResponse(audio: SynthesizedAudio, text: String, headers: [String: String], faults: Faults,
                                   token: InFlightToken, streaming: Bool,
                                   extra: (Range<Int>) -> [String: Any] = { _ in [:] }) -> HTTPResponse {
        var headers = headers
        headers["content-type"] = "application/json"
        let chars = text.map { String($0) }
        let perChar = chars.isEmpty ? 0 : audio.duration / Double(chars.count)
        guard streaming else {
            token.release()
            let alignment = AudioSynth.alignment(for: text, duration: audio.duration)
            let obj: [String: Any] = ["audio_base64": Data(audio.bytes).base64EncodedString(),
                                      "alignment": alignment, "normalized_alignment": alignment].merging(extra(0..<chars.count)) { $1 }
            var h = HTTPHeaders()
            for (k, v) in headers { h[HTTPHeader(k)] = v }
            return HTTPResponse(statusCode: Reply.statusCode(200), headers: h, body: Reply.encode(HostileValues.timedLine(obj, seed: faults.hostileSeed)))
        }
        var ndjson: [UInt8] = []
        var lineEnds: [Int] = []
        var start = 0
        var nextChar = 0
        let total = Double(max(1, audio.bytes.count))
        var cursor = 0
        while start < audio.bytes.count {
            while cursor < audio.boundaries.count && audio.boundaries[cursor] - start < max(1, faults.chunkSize) { cursor += 1 }
            let end = cursor < audio.boundaries.count ? audio.boundaries[cursor] : audio.bytes.count
            cursor += 1
            let endTime = audio.duration * Double(end) / total
            let first = nextChar
            var slice: [String] = [], starts: [Double] = [], ends: [Double] = []
            while nextChar < chars.count && Double(nextChar) * perChar < endTime {
                slice.append(chars[nextChar])
                starts.append(AudioSynth.round3(Double(nextChar) * perChar))
                ends.append(AudioSynth.round3(Double(nextChar + 1) * perChar))
                nextChar += 1
            }
            let alignment: Any = slice.isEmpty ? NSNull() : ["characters": slice, "character_start_times_seconds": starts, "character_end_times_seconds": ends]
            let obj: [String: Any] = ["audio_base64": Data(audio.bytes[start..<end]).base64EncodedString(),
                                      "alignment": alignment, "normalized_alignment": alignment].merging(extra(first..<nextChar)) { $1 }
            ndjson += Reply.encode(HostileValues.timedLine(obj, seed: faults.hostileSeed)) + [10]
            lineEnds.append(ndjson.count)
            start = end
        }
        return Self.audioResponse(ndjson, boundaries: lineEnds, headers: headers, faults: faults, chunked: true, token: token)
    }

    /// Validates the JSON body like pydantic: every problem reported at once, with its location.
    static func parseBody(_ body: Data) -> (request: TTSRequest?, issues: [[String: Any]]) {
        guard let any = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) else {
            return (nil, [Reply.issue("json_invalid", ["body", 0], "JSON decode error", input: [String: Any]())])
        }
        guard let obj = any as? [String: Any] else {
            return (nil, [Reply.issue("model_attributes_type", ["body"], "Input should be a valid dictionary or object to extract fields from", input: any)])
        }
        var issues: [[String: Any]] = []
        func string(_ key: String, required: Bool = false) -> String? {
            switch obj[key] {
            case nil: if required { issues.append(Reply.issue("missing", ["body", key], "Field required", input: obj)) }; return nil
            case is NSNull: if required { issues.append(Reply.issue("string_type", ["body", key], "Input should be a valid string", input: NSNull())) }; return nil
            case let s as String: return s
            case let other?: issues.append(Reply.issue("string_type", ["body", key], "Input should be a valid string", input: other)); return nil
            }
        }
        func ids(_ key: String) -> [String] {
            guard let raw = obj[key], !(raw is NSNull) else { return [] }
            guard let list = raw as? [Any], list.allSatisfy({ $0 is String }) else {
                issues.append(Reply.issue("list_type", ["body", key], "Input should be a valid list of strings", input: raw)); return []
            }
            if list.count > 3 {
                issues.append(Reply.issue("too_long", ["body", key], "List should have at most 3 items after validation, not \(list.count)", input: raw))
            }
            return list as! [String]
        }
        let text = string("text", required: true)
        let model = string("model_id") ?? Catalog.defaultModel
        let language = string("language_code")
        _ = string("previous_text"); _ = string("next_text")
        var settings: [String: Any]? = nil
        if let raw = obj["voice_settings"], !(raw is NSNull) {
            if let s = raw as? [String: Any] {
                settings = s
                issues += SettingsValidation.issues(s, location: ["body", "voice_settings"])
            } else {
                issues.append(Reply.issue("model_attributes_type", ["body", "voice_settings"], "Input should be a valid dictionary or object to extract fields from", input: raw))
            }
        }
        var seed: Int? = nil
        if let raw = obj["seed"], !(raw is NSNull) {
            if let n = raw as? NSNumber, !SettingsValidation.isBool(raw), n.doubleValue == n.doubleValue.rounded() {
                if n.int64Value < 0 || n.int64Value > 4_294_967_295 {
                    issues.append(Reply.issue(n.int64Value < 0 ? "greater_than_equal" : "less_than_equal", ["body", "seed"],
                                              n.int64Value < 0 ? "Input should be greater than or equal to 0" : "Input should be less than or equal to 4294967295", input: raw))
                }
                seed = n.intValue
            } else {
                issues.append(Reply.issue("int_type", ["body", "seed"], "Input should be a valid integer", input: raw))
            }
        }
        if let raw = obj["apply_text_normalization"], !(raw is NSNull) {
            if !["auto", "on", "off"].contains(raw as? String ?? "") {
                issues.append(Reply.issue("enum", ["body", "apply_text_normalization"], "Input should be 'auto', 'on' or 'off'", input: raw))
            }
        }
        let prev = ids("previous_request_ids"), next = ids("next_request_ids")
        var locators: [(id: String, version: String?)] = []
        if let raw = obj["pronunciation_dictionary_locators"], !(raw is NSNull) {
            if let list = raw as? [Any] {
                if list.count > 3 {
                    issues.append(Reply.issue("too_long", ["body", "pronunciation_dictionary_locators"], "List should have at most 3 items after validation, not \(list.count)", input: raw))
                }
                for (i, item) in list.enumerated() {
                    guard let o = item as? [String: Any] else {
                        issues.append(Reply.issue("model_attributes_type", ["body", "pronunciation_dictionary_locators", i], "Input should be a valid dictionary or object to extract fields from", input: item)); continue
                    }
                    guard let id = o["pronunciation_dictionary_id"] as? String else {
                        issues.append(Reply.issue("missing", ["body", "pronunciation_dictionary_locators", i, "pronunciation_dictionary_id"], "Field required", input: o)); continue
                    }
                    let version = o["version_id"] as? String
                    if let v = o["version_id"], !(v is NSNull), version == nil {
                        issues.append(Reply.issue("string_type", ["body", "pronunciation_dictionary_locators", i, "version_id"], "Input should be a valid string", input: v))
                    }
                    locators.append((id, version))
                }
            } else {
                issues.append(Reply.issue("list_type", ["body", "pronunciation_dictionary_locators"], "Input should be a valid list", input: raw))
            }
        }
        guard issues.isEmpty, let text else { return (nil, issues) }
        return (TTSRequest(text: text, modelID: model, voiceSettings: settings, seed: seed, languageCode: language,
                           previousRequestIDs: prev, nextRequestIDs: next, dictionaries: locators), [])
    }
}
