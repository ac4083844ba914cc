// Voice writes: instant cloning (`/v1/voices/add`, real multipart with repeated `files` parts and
// `labels` as a JSON string), editing, settings, and deletion.
import Foundation
import FlyingFox

struct Voices {
    let state: SandboxState
    let r: Incoming

    private func text(_ name: String) -> String? {
        r.parts?.first { $0.name == name && $0.filename == nil }.map(\.text)
    }

    private func parseLabels() -> Result<[String: String]?, HTTPResponseBox> {
        guard let raw = text("labels"), raw != "null", !raw.isEmpty else { return .success(nil) }
        guard let obj = try? JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any] else {
            return .failure(HTTPResponseBox(Reply.validation([Reply.issue("json_invalid", ["body", "labels"], "Labels must be a JSON object encoded as a string", input: raw)])))
        }
        var out: [String: String] = [:]
        for (k, v) in obj { out[k] = (v as? String) ?? "\(v)" }
        return .success(out)
    }

    private func parseBool(_ name: String) -> Result<Bool, HTTPResponseBox> {
        guard let raw = text(name) else { return .success(false) }
        switch raw.lowercased() {
        case "true", "1", "yes", "on": return .success(true)
        case "false", "0", "no", "off": return .success(false)
        default:
            return .failure(HTTPResponseBox(Reply.validation([Reply.issue("bool_parsing", ["body", name], "Input should be a valid boolean, unable to interpret input", input: raw)])))
        }
    }

    private func samples(_ files: [RecordedRequest.Part], removeNoise: Bool) -> [[String: Any]] {
        files.map { f in
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in f.body { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
            return ["sample_id": state.locked { $0.nextID() }, "file_name": f.filename ?? "sample",
                    "mime_type": f.contentType ?? "application/octet-stream", "size_bytes": f.body.count,
                    "hash": String(h, radix: 16), "duration_secs": NSNull(), "remove_background_noise": removeNoise]
        }
    }

    func add() -> HTTPResponse {
        guard let parts = r.parts else {
            return Reply.validation([Reply.issue("missing", ["body", "name"], "Field required"),
                                     Reply.issue("missing", ["body", "files"], "Field required")])
        }
        let files = parts.filter { $0.name == "files" && $0.filename != nil }
        var issues: [[String: Any]] = []
        let name = text("name")
        if name == nil || name!.isEmpty { issues.append(Reply.issue("missing", ["body", "name"], "Field required")) }
        if files.isEmpty { issues.append(Reply.issue("missing", ["body", "files"], "Field required")) }
        if !issues.isEmpty { return Reply.validation(issues) }
        if let empty = files.first(where: { $0.body.isEmpty }) {
            return Reply.error(400, "invalid_audio_file", "The uploaded file \(empty.filename ?? "") is empty or not an audio file.")
        }
        let labels: [String: String]?
        switch parseLabels() { case .success(let l): labels = l; case .failure(let e): return e.response }
        let removeNoise: Bool
        switch parseBool("remove_background_noise") { case .success(let b): removeNoise = b; case .failure(let e): return e.response }

        let (tier, used, limit) = state.locked { s in (s.config.tier, s.voices.filter { $0.category != "premade" }.count, s.voiceLimit) }
        if tier == "free" {
            return Reply.error(401, "can_not_use_instant_voice_cloning", "Your subscription has no access to use instant voice cloning, please upgrade.")
        }
        if used >= limit {
            return Reply.error(400, "voice_limit_reached", "You have reached your maximum amount of custom voices (\(used) / \(limit)). You can upgrade your subscription to increase your custom voice limit.")
        }
        let id = state.locked { $0.nextID() }
        let record = VoiceRecord(id: id, name: name!, category: "cloned", labels: labels ?? [:],
                                 description: text("description"), settings: SandboxState.defaultSettings,
                                 samples: samples(files, removeNoise: removeNoise), createdAt: Int(Date().timeIntervalSince1970))
        state.locked { $0.voices.append(record) }
        return Reply.json(200, ["voice_id": id, "requires_verification": false])
    }

    func edit(_ id: String) -> HTTPResponse {
        guard let v = state.locked({ $0.voice(id) }) else { return Router.voiceNotFound(id) }
        guard let name = text("name"), !name.isEmpty else {
            return Reply.validation([Reply.issue("missing", ["body", "name"], "Field required")])
        }
        let labels: [String: String]?
        switch parseLabels() { case .success(let l): labels = l; case .failure(let e): return e.response }
        let removeNoise: Bool
        switch parseBool("remove_background_noise") { case .success(let b): removeNoise = b; case .failure(let e): return e.response }
        if v.category == "premade" {
            return Reply.error(400, "voice_not_editable", "Premade voices cannot be edited.")
        }
        let files = (r.parts ?? []).filter { $0.name == "files" && $0.filename != nil }
        let newSamples = samples(files, removeNoise: removeNoise)
        state.locked { _ in
            v.name = name
            if let labels { v.labels = labels }
            if let d = text("description") { v.description = d }
            v.samples += newSamples
        }
        return Reply.json(200, ["status": "ok"])
    }

    func delete(_ id: String) -> HTTPResponse {
        guard let v = state.locked({ $0.voice(id) }) else { return Router.voiceNotFound(id) }
        if v.category == "premade" { return Reply.error(400, "voice_not_deletable", "Premade voices cannot be deleted.") }
        state.locked { $0.voices.removeAll { $0.id == id } }
        return Reply.json(200, ["status": "ok"])
    }

    func settings(_ id: String) -> HTTPResponse {
        guard let v = state.locked({ $0.voice(id) }) else { return Router.voiceNotFound(id) }
        return Reply.json(200, state.locked { _ in v.settings })
    }

    func editSettings(_ id: String) -> HTTPResponse {
        guard let v = state.locked({ $0.voice(id) }) else { return Router.voiceNotFound(id) }
        guard let obj = (try? JSONSerialization.jsonObject(with: r.body)) as? [String: Any] else {
            return Reply.validation([Reply.issue("model_attributes_type", ["body"], "Input should be a valid dictionary or object to extract fields from")])
        }
        let issues = SettingsValidation.issues(obj, location: ["body"])
        if !issues.isEmpty { return Reply.validation(issues) }
        state.locked { _ in for (k, val) in obj where SettingsValidation.ranges[k] != nil || k == "use_speaker_boost" { v.settings[k] = val } }
        return Reply.json(200, ["status": "ok"])
    }
}

/// A prepared error answer carried through `Result` (HTTPResponse itself is not an Error).
struct HTTPResponseBox: Error, @unchecked Sendable { // an immutable response, handed from one task to its caller
    let response: HTTPResponse
    init(_ r: HTTPResponse) { response = r }
}

/// Voice settings as pydantic checks them: numbers in range, a boolean for speaker boost.
enum SettingsValidation {
    static let ranges: [String: ClosedRange<Double>] = [
        "stability": 0...1, "similarity_boost": 0...1, "style": 0...1, "speed": 0.7...1.2,
    ]

    static func issues(_ obj: [String: Any], location: [Any]) -> [[String: Any]] {
        var out: [[String: Any]] = []
        for (key, range) in ranges.sorted(by: { $0.key < $1.key }) {
            guard let raw = obj[key], !(raw is NSNull) else { continue }
            guard let n = raw as? NSNumber, !isBool(raw) else {
                out.append(Reply.issue("float_parsing", location + [key], "Input should be a valid number", input: raw)); continue
            }
            let v = n.doubleValue
            if v < range.lowerBound {
                out.append(Reply.issue("greater_than_equal", location + [key], "Input should be greater than or equal to \(fmt(range.lowerBound))", input: raw))
            } else if v > range.upperBound {
                out.append(Reply.issue("less_than_equal", location + [key], "Input should be less than or equal to \(fmt(range.upperBound))", input: raw))
            }
        }
        if let b = obj["use_speaker_boost"], !(b is NSNull), !isBool(b) {
            out.append(Reply.issue("bool_type", location + ["use_speaker_boost"], "Input should be a valid boolean", input: b))
        }
        return out
    }

    /// JSON booleans arrive as NSNumber too; swift-corelibs-foundation gives them their own class.
    static func isBool(_ v: Any) -> Bool { String(describing: type(of: v)) == "__NSCFBoolean" || type(of: v) == Bool.self }
    static func fmt(_ d: Double) -> String { d == d.rounded() ? String(Int(d)) : String(d) }
}
