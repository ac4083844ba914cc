// Generation history (contract §5), fed by every logged text-to-speech call: newest-first pages
// linked by `start_after_history_item_id`, items, their audio, deletion, and the multi-item zip.
import Foundation
import FlyingFox
import ZIPFoundation

struct History {
    let state: SandboxState
    let r: Incoming

    static func itemJSON(_ h: HistoryRecord) -> [String: Any] {
        [
            "history_item_id": h.id, "request_id": h.requestID, "voice_id": h.dialogue == nil ? h.voiceID : NSNull(), "model_id": h.modelID,
            "voice_name": h.dialogue == nil ? h.voiceName : NSNull(), "voice_category": h.dialogue == nil ? h.voiceCategory : NSNull(), "text": h.text, "date_unix": h.dateUnix,
            "character_count_change_from": h.countFrom, "character_count_change_to": h.countTo,
            "content_type": h.contentType, "state": "created", "settings": h.settings, "share_link_id": NSNull(),
            "source": "TTS", "alignments": NSNull(), "dialogue": h.dialogue ?? NSNull(), "output_format": h.outputFormat,
        ]
    }

    static func notFound(_ id: String) -> HTTPResponse {
        Reply.error(404, "history_item_not_found", "A history item with the history_item_id \(id) was not found.")
    }

    func list() -> HTTPResponse {
        var issues: [[String: Any]] = []
        func int(_ name: String, _ range: ClosedRange<Int>? = nil) -> Int? {
            guard let raw = r.query(name) else { return nil }
            guard let n = Int(raw) else {
                issues.append(Reply.issue("int_parsing", ["query", name], "Input should be a valid integer, unable to parse string as an integer", input: raw)); return nil
            }
            if let range, !range.contains(n) {
                issues.append(Reply.issue(n < range.lowerBound ? "greater_than_equal" : "less_than_equal", ["query", name],
                                          n < range.lowerBound ? "Input should be greater than or equal to \(range.lowerBound)" : "Input should be less than or equal to \(range.upperBound)", input: raw))
                return nil
            }
            return n
        }
        let pageSize = int("page_size", 1...1000) ?? 100
        let before = int("date_before_unix"), after = int("date_after_unix")
        if let d = r.query("sort_direction"), !["asc", "desc"].contains(d) {
            issues.append(Reply.issue("enum", ["query", "sort_direction"], "Input should be 'asc' or 'desc'", input: d))
        }
        if !issues.isEmpty { return Reply.validation(issues) }

        var items = state.locked { $0.history }.reversed() as [HistoryRecord]
        if r.query("sort_direction") == "asc" { items.reverse() }
        if let v = r.query("voice_id") { items = items.filter { $0.voiceID == v } }
        if let m = r.query("model_id") { items = items.filter { $0.modelID == m } }
        if let s = r.query("search")?.lowercased(), !s.isEmpty { items = items.filter { $0.text.lowercased().contains(s) } }
        if let before { items = items.filter { $0.dateUnix < before } }
        if let after { items = items.filter { $0.dateUnix >= after } }
        if let src = r.query("source"), src != "TTS" { items = [] }
        if let cursor = r.query("start_after_history_item_id") {
            guard let i = items.firstIndex(where: { $0.id == cursor }) else { return Self.notFound(cursor) }
            items = Array(items[(i + 1)...])
        }
        let cap = state.locked { $0.config.faults.historyPageCap } ?? pageSize
        let page = Array(items.prefix(min(pageSize, cap)))
        let more = items.count > page.count
        return Reply.json(200, ["history": page.map(Self.itemJSON), "last_history_item_id": page.last?.id ?? NSNull(),
                                "has_more": more, "scanned_until": page.last?.dateUnix ?? NSNull()],
                          malformed: state.locked { $0.config.faults.malformedJSON }, hostile: state.locked { $0.config.faults.hostileSeed })
    }

    private func find(_ id: String) -> HistoryRecord? { state.locked { $0.history.first { $0.id == id } } }

    func item(_ id: String) -> HTTPResponse {
        guard let h = find(id) else { return Self.notFound(id) }
        return Reply.json(200, Self.itemJSON(h), malformed: state.locked { $0.config.faults.malformedJSON },
                          hostile: state.locked { $0.config.faults.hostileSeed })
    }

    /// Audio already paid for; served with the same pacing and faults as fresh audio.
    func audio(_ id: String) async -> HTTPResponse {
        guard let h = find(id) else { return Self.notFound(id) }
        if let refused = TextToSpeech.gate(state) { return refused }
        let faults = state.faultsForAudioAnswer()
        if faults.firstByteDelay > 0 { try? await Task.sleep(nanoseconds: UInt64(faults.firstByteDelay * 1e9)) }
        let boundaries = h.contentType == "audio/mpeg" ? AudioSynth.frameEnds(h.audio) : []
        return TextToSpeech.audioResponse(h.audio, boundaries: boundaries, headers: ["content-type": h.contentType],
                                          faults: faults, chunked: false, token: InFlightToken(state))
    }

    func delete(_ id: String) -> HTTPResponse {
        guard find(id) != nil else { return Self.notFound(id) }
        state.locked { $0.history.removeAll { $0.id == id } }
        return Reply.json(200, ["status": "ok"])
    }

    /// One id: that item's audio file. Several: a zip with one file per item.
    func download() -> HTTPResponse {
        guard let obj = (try? JSONSerialization.jsonObject(with: r.body)) as? [String: Any] else {
            return Reply.validation([Reply.issue("model_attributes_type", ["body"], "Input should be a valid dictionary or object to extract fields from")])
        }
        guard let ids = obj["history_item_ids"] as? [String] else {
            return Reply.validation([Reply.issue("missing", ["body", "history_item_ids"], "Field required", input: obj)])
        }
        guard !ids.isEmpty else { return Reply.json(400, ["detail": "Invalid request"]) }
        let items = ids.compactMap(find)
        guard items.count == ids.count else {
            let missing = ids.first { find($0) == nil }!
            return Self.notFound(missing)
        }
        // "wav or default" (contract §5.5): wav transcodes each item, here to the sweep at 44.1 kHz
        // for as long as the item's audio plays.
        let wav = obj["output_format"] as? String == "wav"
        if let f = obj["output_format"], !(f is NSNull), !wav, f as? String != "default" {
            return Reply.validation([Reply.issue("literal_error", ["body", "output_format"], "Input should be 'wav' or 'default'", input: f)])
        }
        func audio(_ item: HistoryRecord) -> (bytes: [UInt8], type: String, ext: String) {
            guard wav else {
                return (item.audio, item.contentType, item.contentType == "audio/mpeg" ? "mp3" : item.contentType == "audio/wav" ? "wav" : "raw")
            }
            let seconds = item.contentType == "audio/mpeg" ? Double(AudioSynth.splitFrames(item.audio).count) * 1152 / 44100 : 1
            return (AudioSynth.synthesize(AudioFormat("wav_44100")!, duration: seconds).bytes, "audio/wav", "wav")
        }
        if items.count == 1 {
            var h = HTTPHeaders()
            let a = audio(items[0])
            h[HTTPHeader("content-type")] = a.type
            return HTTPResponse(statusCode: Reply.statusCode(200), headers: h, body: Data(a.bytes))
        }
        do {
            let archive = try Archive(data: Data(), accessMode: .create)
            for item in items {
                let a = audio(item)
                let name = "ElevenLabs_\(item.dateUnix)_\(item.voiceName.split(separator: " ").first ?? "voice")_\(item.id).\(a.ext)"
                let data = Data(a.bytes)
                try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { pos, size in
                    data.subdata(in: Int(pos)..<(Int(pos) + size))
                }
            }
            var h = HTTPHeaders()
            h[HTTPHeader("content-type")] = "application/zip"
            return HTTPResponse(statusCode: Reply.statusCode(200), headers: h, body: archive.data ?? Data())
        } catch {
            return Reply.error(500, "something_went_wrong", "We are sorry, something went wrong. You are not charged for this request.")
        }
    }
}

extension AudioSynth {
    static func frameEnds(_ bytes: [UInt8]) -> [Int] {
        var total = 0
        return splitFrames(bytes).map { total += $0.bytes.count; return total }
    }
}
