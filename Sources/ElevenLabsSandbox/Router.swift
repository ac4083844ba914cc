// Dispatches every request: records it, applies authentication and permissions as the service does,
// then answers voices, models, user and history here (text to speech and the WebSocket have files
// of their own). Unknown paths get FastAPI's 404 body.
import Foundation
import FlyingFox

struct Incoming {
    let request: HTTPRequest
    let method: String
    let path: String
    let segments: [String]
    let body: Data
    let headers: [String: String]
    let parts: [RecordedRequest.Part]?
    let logIndex: Int
    let apiKey: String?
    func query(_ name: String) -> String? { request.query.first { $0.name == name }?.value }
    func queryAll(_ name: String) -> [String] { request.query.filter { $0.name == name }.map(\.value) }
}

struct Router: HTTPHandler {
    let state: SandboxState

    func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        let body = try await request.bodyData
        var headers: [String: String] = [:]
        for (k, v) in request.headers { headers[k.rawValue.lowercased()] = v }
        let key = headers["xi-api-key"]
        var logged = headers
        if let key { logged["xi-api-key"] = mask(key) }
        let parts = Multipart.boundary(from: headers["content-type"]).flatMap { Multipart.parse(body, boundary: $0) }
        var record = RecordedRequest(method: request.method.rawValue, path: request.path,
                                     query: request.query.map { ($0.name, $0.value) }, headers: logged,
                                     body: body, parts: parts ?? [], startedAt: Date())
        switch request.remoteAddress {
        case .ip4(let ip, let port)?, .ip6(let ip, let port)?: record.connection = "\(ip):\(port)"
        case .unix(let path)?: record.connection = path
        case nil: break
        }
        let index = state.record(record)
        let incoming = Incoming(request: request, method: request.method.rawValue, path: request.path,
                                segments: request.path.split(separator: "/").map(String.init), body: body,
                                headers: headers, parts: parts, logIndex: index, apiKey: key)
        let response = await route(incoming)
        state.finish(index, status: response.statusCode.code)
        return response
    }

    func mask(_ key: String) -> String {
        key.count >= 12 ? (key.hasPrefix("sk_") ? "sk_" : "") + "..." + key.suffix(4) : "***"
    }

    /// The permission a scoped key needs for an endpoint (names as the service reports them).
    static func permission(method: String, segments: [String]) -> String? {
        guard segments.count >= 2 else { return nil }
        switch segments[1] {
        case "text-to-speech", "text-to-dialogue": return "text_to_speech"
        case "voices": return method == "GET" ? "voices_read" : "voices_write"
        case "models": return "models_read"
        case "user": return "user_read"
        case "pronunciation-dictionaries": return method == "GET" ? "pronunciation_dictionaries_read" : "pronunciation_dictionaries_write"
        case "history": return method == "GET" || (segments.count == 3 && segments[2] == "download") ? "speech_history_read" : "speech_history_write"
        default: return nil
        }
    }

    func route(_ r: Incoming) async -> HTTPResponse {
        let htmlFault: Bool = state.locked { s in
            s.allRequests += 1
            return s.allRequests <= s.config.faults.htmlErrorFirst
        }
        if htmlFault { return Reply.gatewayPage() }

        let s = r.segments
        // A voice's preview: a public file (no key), as on the service's storage host.
        if r.method == "GET" && s.count == 2 && s[0] == "previews" && s[1].hasSuffix(".mp3") {
            let id = String(s[1].dropLast(4))
            guard state.locked({ $0.voice(id) }) != nil else { return Reply.notFound() }
            let audio = AudioSynth.synthesize(AudioFormat("mp3_44100_128")!, duration: 2)
            return TextToSpeech.audioResponse(audio.bytes, boundaries: audio.boundaries, headers: ["content-type": "audio/mpeg"],
                                              faults: Faults(), chunked: false, token: nil)
        }
        let isPublic = r.method == "GET" && s == ["v1", "voices", "settings", "default"]
        let isWebSocket = r.method == "GET" && s.count == 4 && s[1] == "text-to-speech" && s[3] == "stream-input"
        if !isPublic && !isWebSocket {
            if let denied = authenticate(r) { return denied }
        }

        func match(_ pattern: String) -> [String]? {
            let parts = pattern.split(separator: " ")
            guard String(parts[0]) == r.method else { return nil }
            let want = parts[1].split(separator: "/").map(String.init)
            guard want.count == s.count else { return nil }
            var captured: [String] = []
            for (w, got) in zip(want, s) {
                if w == "*" { captured.append(got) } else if w != got { return nil }
            }
            return captured
        }

        if match("POST /v1/text-to-speech/*") != nil || match("POST /v1/text-to-speech/*/stream") != nil
            || match("POST /v1/text-to-speech/*/with-timestamps") != nil
            || match("POST /v1/text-to-speech/*/stream/with-timestamps") != nil {
            return await TextToSpeech(state: state, r: r).respond()
        }
        if match("POST /v1/text-to-dialogue") != nil || match("POST /v1/text-to-dialogue/stream") != nil
            || match("POST /v1/text-to-dialogue/with-timestamps") != nil
            || match("POST /v1/text-to-dialogue/stream/with-timestamps") != nil {
            return await TextToDialogue(state: state, r: r).respond()
        }
        if isWebSocket { return await StreamInput.upgrade(state: state, r: r) }
        if match("GET /v1/models") != nil { return models(r) }
        if match("GET /v1/user") != nil { return user(r) }
        if match("GET /v1/user/subscription") != nil { return subscriptionReply(r) }
        if match("GET /v1/voices") != nil { return voicesV1(r) }
        if match("GET /v2/voices") != nil { return voicesV2(r) }
        if isPublic { return json(r, SandboxState.defaultSettings) }
        if match("POST /v1/voices/add") != nil { return Voices(state: state, r: r).add() }
        if let m = match("GET /v1/voices/*") { return voiceReply(r, m[0]) }
        if let m = match("DELETE /v1/voices/*") { return Voices(state: state, r: r).delete(m[0]) }
        if let m = match("GET /v1/voices/*/settings") { return Voices(state: state, r: r).settings(m[0]) }
        if let m = match("POST /v1/voices/*/settings/edit") { return Voices(state: state, r: r).editSettings(m[0]) }
        if let m = match("POST /v1/voices/*/edit") { return Voices(state: state, r: r).edit(m[0]) }
        if match("POST /v1/pronunciation-dictionaries/add-from-file") != nil { return Dictionaries(state: state, r: r).add() }
        if match("GET /v1/pronunciation-dictionaries") != nil { return Dictionaries(state: state, r: r).list() }
        if let m = match("GET /v1/pronunciation-dictionaries/*") { return Dictionaries(state: state, r: r).get(m[0]) }
        if let m = match("GET /v1/pronunciation-dictionaries/*/*/download") { return Dictionaries(state: state, r: r).download(m[0], m[1]) }
        if match("GET /v1/history") != nil { return History(state: state, r: r).list() }
        if match("POST /v1/history/download") != nil { return History(state: state, r: r).download() }
        if let m = match("GET /v1/history/*") { return History(state: state, r: r).item(m[0]) }
        if let m = match("GET /v1/history/*/audio") { return await History(state: state, r: r).audio(m[0]) }
        if let m = match("DELETE /v1/history/*") { return History(state: state, r: r).delete(m[0]) }
        return Reply.notFound()
    }

    /// 401 answers exactly as the contract lists them: no key, a wrong key, or a scoped key lacking a permission.
    func authenticate(_ r: Incoming) -> HTTPResponse? {
        guard let key = r.apiKey, !key.isEmpty else {
            return Reply.error(401, "needs_authorization", "Neither authorization header nor xi-api-key received, please provide one.")
        }
        let config = state.locked { $0.config }
        if let missing = config.restrictedKeys[key] {
            if let needed = Self.permission(method: r.method, segments: r.segments), missing.contains(needed) {
                return Reply.error(401, "missing_permissions",
                                   "The API key you used is missing the permission \(needed) to execute this operation.")
            }
            return nil
        }
        guard config.apiKeys.contains(key) else {
            return Reply.error(401, "invalid_api_key", "Invalid API key")
        }
        return nil
    }

    func json(_ r: Incoming, _ object: Any, status: Int = 200) -> HTTPResponse {
        let faults = state.locked { $0.config.faults }
        return Reply.json(status, object, malformed: faults.malformedJSON, hostile: faults.hostileSeed)
    }

    // MARK: models and user

    static func modelJSON(_ m: Catalog.ModelInfo) -> [String: Any] {
        [
            "model_id": m.id, "name": m.name, "can_be_finetuned": !m.isFast, "can_do_text_to_speech": true,
            "can_do_voice_conversion": m.id == "eleven_multilingual_v2", "can_use_style": true,
            "can_use_speaker_boost": true, "serves_pro_voices": true,
            "token_cost_factor": m.multiplier, "description": "\(m.name), as served by the sandbox.",
            "requires_alpha_access": false, "max_characters_request_free_user": min(m.limit, 2_500),
            "max_characters_request_subscribed_user": m.limit, "maximum_text_length_per_request": m.limit,
            "languages": m.languages.map { ["language_id": $0.0, "name": $0.1] },
            "model_rates": ["character_cost_multiplier": m.multiplier, "cost_discount_multiplier": 1.0],
            "concurrency_group": m.isFast ? "turbo" : "standard_\(m.id)",
        ]
    }

    func models(_ r: Incoming) -> HTTPResponse { json(r, Catalog.models.map(Self.modelJSON)) }

    func subscription(extended: Bool) -> [String: Any] {
        state.locked { s in
            var d: [String: Any] = [
                "tier": s.config.tier, "character_count": s.config.characterCount, "character_limit": s.characterLimit,
                "max_character_limit_extension": NSNull(), "max_credit_limit_extension": 0,
                "can_extend_character_limit": s.config.tier != "free", "allowed_to_extend_character_limit": s.config.tier != "free",
                "next_character_count_reset_unix": s.startedAt + 30 * 86_400,
                "voice_slots_used": s.voices.filter { $0.category != "premade" }.count,
                "professional_voice_slots_used": 0, "professional_voice_slots_used_in_workspace": 0,
                "voice_limit": s.voiceLimit, "max_voice_add_edits": NSNull(), "voice_add_edit_counter": 0,
                "professional_voice_limit": (Catalog.tierRank[s.config.tier] ?? 0) >= 2 ? 1 : 0,
                "can_extend_voice_limit": false,
                "can_use_instant_voice_cloning": s.config.tier != "free",
                "can_use_professional_voice_cloning": (Catalog.tierRank[s.config.tier] ?? 0) >= 2,
                "currency": "usd", "current_overage": ["amount": "0.00", "currency": "usd"],
                "status": s.config.tier == "free" ? "free" : "active",
                "billing_period": "monthly_period", "character_refresh_period": "monthly_period",
            ]
            if extended {
                d["next_invoice"] = NSNull()
                d["open_invoices"] = [Any]()
                d["has_open_invoices"] = false
                d["pending_change"] = NSNull()
            }
            return d
        }
    }

    func subscriptionReply(_ r: Incoming) -> HTTPResponse { json(r, subscription(extended: true)) }

    func user(_ r: Incoming) -> HTTPResponse {
        let key = r.apiKey ?? ""
        return json(r, [
            "user_id": "sandbox-user-0001", "subscription": subscription(extended: false),
            "is_new_user": false, "can_use_delayed_payment_methods": false, "is_onboarding_completed": true,
            "is_onboarding_checklist_completed": true, "show_compliance_terms": false, "first_name": "Sandbox",
            "is_api_key_hashed": true, "xi_api_key_preview": mask(key), "referral_link_code": NSNull(),
            "partnerstack_partner_default_link": NSNull(), "created_at": state.startedAt - 86_400 * 30,
            "seat_type": "workspace_admin", "workspace_id": "sandbox-workspace-0001",
        ])
    }

    // MARK: voices (reads)

    /// Previews are public files on another host for the real service (a storage bucket); the
    /// sandbox serves them itself, without a key, so `voices preview` works offline.
    func voiceJSON(_ v: VoiceRecord) -> [String: Any] {
        Self.voiceJSON(v, preview: "\(state.locked { $0.publicBase })/previews/\(v.id).mp3")
    }

    static func voiceJSON(_ v: VoiceRecord, preview: String) -> [String: Any] {
        [
            "voice_id": v.id, "name": v.name, "category": v.category, "labels": v.labels,
            "description": v.description ?? NSNull(),
            "preview_url": preview,
            "available_for_tiers": [Any](), "settings": v.settings,
            "samples": v.samples.isEmpty ? NSNull() : v.samples,
            "fine_tuning": NSNull(), "sharing": NSNull(), "high_quality_base_model_ids": ["eleven_multilingual_v2", "eleven_flash_v2_5"],
            "verified_languages": NSNull(), "collection_ids": NSNull(), "safety_control": NSNull(),
            "voice_verification": NSNull(), "permission_on_resource": v.category == "premade" ? NSNull() : "admin",
            "is_owner": v.category != "premade", "is_legacy": false, "is_mixed": false,
            "favorited_at_unix": NSNull(), "created_at_unix": v.createdAt, "is_bookmarked": false,
            "recording_quality": NSNull(), "labelling_status": NSNull(), "recording_quality_reason": NSNull(),
        ]
    }

    func voicesV1(_ r: Incoming) -> HTTPResponse {
        json(r, ["voices": state.locked { $0.voices }.map(voiceJSON)])
    }

    func voiceReply(_ r: Incoming, _ id: String) -> HTTPResponse {
        guard let v = state.locked({ $0.voice(id) }) else { return Self.voiceNotFound(id) }
        return json(r, voiceJSON(v))
    }

    static func voiceNotFound(_ id: String) -> HTTPResponse {
        Reply.error(404, "voice_not_found", "A voice with the voice_id \(id) was not found.")
    }

    /// `/v2/voices`: server-side search and filters, `page_size` up to 100, an opaque `next_page_token`.
    func voicesV2(_ r: Incoming) -> HTTPResponse {
        var issues: [[String: Any]] = []
        var pageSize = 10
        if let raw = r.query("page_size") {
            if let n = Int(raw) {
                if n > 100 { issues.append(Reply.issue("less_than_equal", ["query", "page_size"], "Input should be less than or equal to 100", input: raw)) }
                else if n < 1 { issues.append(Reply.issue("greater_than_equal", ["query", "page_size"], "Input should be greater than or equal to 1", input: raw)) }
                else { pageSize = n }
            } else {
                issues.append(Reply.issue("int_parsing", ["query", "page_size"], "Input should be a valid integer, unable to parse string as an integer", input: raw))
            }
        }
        if let c = r.query("category"), !["premade", "cloned", "generated", "professional"].contains(c) {
            issues.append(Reply.issue("enum", ["query", "category"], "Input should be 'premade', 'cloned', 'generated' or 'professional'", input: c))
        }
        var offset = 0
        if let token = r.query("next_page_token") {
            guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8),
                  text.hasPrefix("offset:"), let n = Int(text.dropFirst(7)), n >= 0 else {
                return Reply.error(400, "invalid_page_token", "The next_page_token is invalid or has expired.")
            }
            offset = n
        }
        if !issues.isEmpty { return Reply.validation(issues) }

        var voices = state.locked { $0.voices }
        if let search = r.query("search")?.lowercased(), !search.isEmpty {
            voices = voices.filter { v in
                v.name.lowercased().contains(search) || (v.description ?? "").lowercased().contains(search)
                    || v.category.contains(search) || v.labels.values.contains { $0.lowercased().contains(search) }
            }
        }
        if let c = r.query("category") { voices = voices.filter { $0.category == c } }
        if let t = r.query("voice_type") {
            switch t {
            case "default": voices = voices.filter { $0.category == "premade" }
            case "personal", "non-default", "workspace": voices = voices.filter { $0.category != "premade" }
            default: break
            }
        }
        for label in ["gender", "age", "accent"] {
            if let want = r.query(label)?.lowercased() { voices = voices.filter { $0.labels[label]?.lowercased() == want } }
        }
        let languages = r.queryAll("language")
        if !languages.isEmpty { voices = voices.filter { languages.contains($0.labels["language"] ?? "") } }
        let ids = r.queryAll("voice_ids")
        if !ids.isEmpty { voices = voices.filter { ids.contains($0.id) } }
        switch r.query("sort") {
        case "name": voices.sort { $0.name.lowercased() < $1.name.lowercased() }
        default: voices.sort { $0.createdAt > $1.createdAt }
        }
        if r.query("sort_direction") == "asc" && r.query("sort") != "name" { voices.reverse() }
        if r.query("sort_direction") == "desc" && r.query("sort") == "name" { voices.reverse() }

        let page = Array(voices.dropFirst(offset).prefix(pageSize))
        let more = offset + page.count < voices.count
        let token: Any = more ? Data("offset:\(offset + page.count)".utf8).base64EncodedString() : NSNull()
        return json(r, ["voices": page.map(voiceJSON), "has_more": more,
                        "total_count": r.query("include_total_count") == "false" ? 0 : voices.count,
                        "next_page_token": token])
    }
}
