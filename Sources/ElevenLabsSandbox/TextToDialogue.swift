// The text-to-dialogue endpoints (official OpenAPI `/v1/text-to-dialogue`, `/stream`, `/with-timestamps`,
// `/stream/with-timestamps`): the body validated as pydantic does (inputs of text and voice_id,
// settings with stability only), the service's limits enforced strictly (at most 10 distinct voices,
// and the advised 2,000 characters refused rather than cut short, so a client that plans badly is
// caught), eleven_v3 only, credits charged per character, and audio with voice segments.
import Foundation
import FlyingFox

struct TextToDialogue {
    let state: SandboxState
    let r: Incoming

    var streaming: Bool { r.segments.count >= 3 && r.segments[2] == "stream" }
    var timestamps: Bool { r.segments.last == "with-timestamps" }

    static let maxVoices = 10
    static let maxCharacters = 2_000

    func respond() async -> HTTPResponse {
        var issues: [[String: Any]] = []
        let formatName = r.query("output_format") ?? "mp3_44100_128"
        // wav_* is not among the dialogue endpoints' formats (AllowedOutputFormats).
        let allowed = Catalog.streamFormats
        if !allowed.contains(formatName) {
            let list = allowed.map { "'\($0)'" }
            issues.append(Reply.issue("enum", ["query", "output_format"],
                                      "Input should be " + list.dropLast().joined(separator: ", ") + " or " + list.last!, input: formatName))
        }
        let parsed = Self.parseBody(r.body)
        issues += parsed.issues
        if !issues.isEmpty { return Reply.validation(issues) }
        let (inputs, modelID, settings, locators) = parsed.request!

        var names: [String: String] = [:]
        for input in inputs {
            guard let v = state.locked({ $0.voice(input.voice) }) else { return Router.voiceNotFound(input.voice) }
            names[input.voice] = v.name
        }
        for l in locators {
            let known = state.locked { s in s.dictionaries.first { $0.id == l.id } }
            guard let d = known, l.version == nil || l.version == d.versionID else { return Dictionaries.notFound(l.id) }
        }
        guard let model = Catalog.model(modelID) else {
            return Reply.error(400, "invalid_uid", "An invalid ID has been received: '\(modelID)'. Make sure to provide a correct one.")
        }
        guard model.id == "eleven_v3" else {
            return Reply.error(400, "unsupported_model", "Model '\(model.id)' does not support text to dialogue. Use eleven_v3.")
        }
        let voices = Set(inputs.map(\.voice))
        if voices.count > Self.maxVoices {
            return Reply.error(400, "too_many_voices", "A dialogue request may use at most \(Self.maxVoices) unique voice IDs, not \(voices.count).")
        }
        let characters = inputs.reduce(0) { $0 + $1.text.unicodeScalars.count }
        if characters > Self.maxCharacters {
            return Reply.error(400, "max_character_limit_exceeded",
                               "You are trying to use \(characters) characters, but a dialogue request may hold at most \(Self.maxCharacters).")
        }
        let format = AudioFormat(formatName)!
        if let refused = TextToSpeech.refuseFormat(formatName, state) { return refused }
        if let refused = TextToSpeech.gate(state) { return refused }
        let token = InFlightToken(state)
        let cost = Int((Double(characters) * model.multiplier).rounded(.up))
        let quota: (from: Int, limit: Int)
        switch TextToSpeech.charge(state, cost: cost, token: token) {
        case .success(let q): quota = q
        case .failure(let refusal): return refusal.response
        }

        // One piece of audio, each input's share of it in proportion to its characters.
        let audio = AudioSynth.synthesize(format, duration: AudioSynth.duration(forCharacters: characters))
        let (requestID, historyID) = state.locked { s in (s.nextID(), s.nextID()) }
        // Kept in the history as the service does, its lines in `dialogue` (tests read back what was served).
        var item = HistoryRecord(id: historyID, requestID: requestID, voiceID: "", voiceName: "", voiceCategory: "", modelID: model.id, text: "",
                                 dateUnix: Int(Date().timeIntervalSince1970), countFrom: quota.from, countTo: quota.from + cost,
                                 contentType: format.contentType, outputFormat: formatName, settings: settings ?? [:], audio: audio.bytes)
        item.dialogue = inputs.map { ["text": $0.text, "voice_id": $0.voice, "voice_name": names[$0.voice] ?? ""] }
        state.locked { $0.history.append(item) }
        let faults = state.faultsForAudioAnswer()
        if faults.firstByteDelay > 0 { try? await Task.sleep(nanoseconds: UInt64(faults.firstByteDelay * 1e9)) }
        var headers: [String: String] = ["request-id": requestID, "character-cost": String(cost), "history-item-id": historyID]
        if faults.jsonInsteadOfAudio {
            token.release()
            return Reply.json(200, ["status": "ok", "note": "not audio"], headers: headers)
        }
        guard timestamps else {
            headers["content-type"] = format.contentType
            return TextToSpeech.audioResponse(audio.bytes, boundaries: audio.boundaries, headers: headers, faults: faults,
                                              chunked: streaming, token: token)
        }
        // Each input's characters and time: the voice segments, on every piece that holds some of them.
        let text = inputs.map(\.text).joined()
        let perChar = characters == 0 ? 0 : audio.duration / Double(characters)
        var segments: [(range: Range<Int>, json: [String: Any])] = []
        var at = 0
        for (i, input) in inputs.enumerated() {
            let n = input.text.count
            segments.append((at..<(at + n), ["voice_id": input.voice, "start_time_seconds": AudioSynth.round3(Double(at) * perChar),
                                             "end_time_seconds": AudioSynth.round3(Double(at + n) * perChar),
                                             "character_start_index": at, "character_end_index": at + n, "dialogue_input_index": i]))
            at += n
        }
        return TextToSpeech.timestampsResponse(audio: audio, text: text, headers: headers, faults: faults, token: token, streaming: streaming) { held in
            ["voice_segments": segments.filter { $0.range.overlaps(held) || (held.isEmpty && $0.range.isEmpty) }.map(\.json)]
        }
    }

    /// The body as pydantic would check it (Body_Text_to_dialogue__multi_voice__streaming...): every problem at once.
    static func parseBody(_ body: Data) -> (request: (inputs: [(text: String, voice: String)], model: String, settings: [String: Any]?,
                                                      locators: [(id: String, version: String?)])?, issues: [[String: Any]]) {
        guard let any = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) else {
            return (nil, [Reply.issue("json_invalid", ["body", 0], "JSON decode error", input: [String: Any]())])
        }
        guard let obj = any as? [String: Any] else {
            return (nil, [Reply.issue("model_attributes_type", ["body"], "Input should be a valid dictionary or object to extract fields from", input: any)])
        }
        var issues: [[String: Any]] = []
        var inputs: [(text: String, voice: String)] = []
        switch obj["inputs"] {
        case nil: issues.append(Reply.issue("missing", ["body", "inputs"], "Field required", input: obj))
        case let list as [Any]:
            if list.isEmpty { issues.append(Reply.issue("too_short", ["body", "inputs"], "List should have at least 1 item after validation, not 0", input: list)) }
            for (i, item) in list.enumerated() {
                guard let o = item as? [String: Any] else {
                    issues.append(Reply.issue("model_attributes_type", ["body", "inputs", i], "Input should be a valid dictionary or object to extract fields from", input: item)); continue
                }
                var ok = true
                for key in ["text", "voice_id"] where !(o[key] is String) {
                    ok = false
                    issues.append(o[key] == nil ? Reply.issue("missing", ["body", "inputs", i, key], "Field required", input: o)
                                  : Reply.issue("string_type", ["body", "inputs", i, key], "Input should be a valid string", input: o[key]!))
                }
                if ok { inputs.append((o["text"] as! String, o["voice_id"] as! String)) }
            }
        case let other?: issues.append(Reply.issue("list_type", ["body", "inputs"], "Input should be a valid list", input: other))
        }
        var model = "eleven_v3"
        if let raw = obj["model_id"] {
            if let m = raw as? String { model = m } else { issues.append(Reply.issue("string_type", ["body", "model_id"], "Input should be a valid string", input: raw)) }
        }
        var settings: [String: Any]? = nil
        if let raw = obj["settings"], !(raw is NSNull) {
            if let s = raw as? [String: Any] {
                settings = s
                for key in s.keys where key != "stability" {
                    issues.append(Reply.issue("extra_forbidden", ["body", "settings", key], "Extra inputs are not permitted", input: s[key]!))
                }
                if let v = s["stability"], !(v is NSNull) {
                    if let n = v as? NSNumber, !SettingsValidation.isBool(v) {
                        if n.doubleValue < 0 || n.doubleValue > 1 {
                            issues.append(Reply.issue(n.doubleValue < 0 ? "greater_than_equal" : "less_than_equal", ["body", "settings", "stability"],
                                                      n.doubleValue < 0 ? "Input should be greater than or equal to 0" : "Input should be less than or equal to 1", input: v))
                        }
                    } else {
                        issues.append(Reply.issue("float_type", ["body", "settings", "stability"], "Input should be a valid number", input: v))
                    }
                }
            } else {
                issues.append(Reply.issue("model_attributes_type", ["body", "settings"], "Input should be a valid dictionary or object to extract fields from", input: raw))
            }
        }
        // The rest is shared with text to speech: seed, normalisation, language and the locators.
        var shared: [String: Any] = ["text": ""]
        for key in ["seed", "apply_text_normalization", "language_code", "pronunciation_dictionary_locators"] { shared[key] = obj[key] }
        let common = TextToSpeech.parseBody((try? JSONSerialization.data(withJSONObject: shared)) ?? Data())
        issues += common.issues
        for key in obj.keys where !["inputs", "model_id", "settings", "seed", "apply_text_normalization", "language_code",
                                    "pronunciation_dictionary_locators"].contains(key) {
            // The text-to-speech fields that dialogue does not take would be ignored by the service;
            // the sandbox refuses them, so a client sending them is caught.
            issues.append(Reply.issue("extra_forbidden", ["body", key], "Extra inputs are not permitted", input: obj[key]!))
        }
        guard issues.isEmpty else { return (nil, issues) }
        return ((inputs, model, settings, common.request?.dictionaries ?? []), [])
    }
}
