// Pronunciation dictionaries as the official OpenAPI describes them: add-from-file (multipart `name`,
// `file`, `description`), the cursor-paged list, one dictionary's metadata, and a version's PLS
// download. A dictionary's rules are counted from the lexicon's <lexeme> elements.
import Foundation
import FlyingFox

struct DictionaryRecord {
    let id: String
    let name: String
    let description: String?
    let versionID: String
    let rules: Int
    let createdAt: Int
    let pls: Data

    var json: [String: Any] {
        ["id": id, "latest_version_id": versionID, "latest_version_rules_num": rules, "name": name,
         "permission_on_resource": "admin", "created_by": "sandbox-user", "creation_time_unix": createdAt,
         "archived_time_unix": NSNull(), "description": description.map { $0 as Any } ?? NSNull()]
    }
}

struct Dictionaries {
    let state: SandboxState
    let r: Incoming

    private func json(_ object: Any, status: Int = 200) -> HTTPResponse { Router(state: state).json(r, object, status: status) }

    /// `POST /v1/pronunciation-dictionaries/add-from-file`.
    func add() -> HTTPResponse {
        guard let parts = r.parts else {
            return Reply.validation([Reply.issue("missing", ["body", "name"], "Field required", input: NSNull())])
        }
        guard let name = parts.first(where: { $0.name == "name" && $0.filename == nil })?.text, !name.isEmpty else {
            return Reply.validation([Reply.issue("missing", ["body", "name"], "Field required", input: NSNull())])
        }
        let file = parts.first { $0.name == "file" }?.body ?? Data()
        let text = String(decoding: file, as: UTF8.self)
        if !text.contains("<lexicon") { // an empty upload too (a pipe read twice sends nothing)
            return Reply.error(400, "invalid_pls", "The file is not a valid PLS lexicon.")
        }
        let description = parts.first { $0.name == "description" && $0.filename == nil }?.text
        let record = state.locked { s -> DictionaryRecord in
            let d = DictionaryRecord(id: s.nextID(), name: name, description: description, versionID: s.nextID(),
                                     rules: text.components(separatedBy: "<lexeme").count - 1,
                                     createdAt: Int(Date().timeIntervalSince1970), pls: file)
            s.dictionaries.append(d)
            return d
        }
        return json(["id": record.id, "name": record.name, "created_by": "sandbox-user", "creation_time_unix": record.createdAt,
                     "version_id": record.versionID, "version_rules_num": record.rules,
                     "description": record.description.map { $0 as Any } ?? NSNull(), "permission_on_resource": "admin"])
    }

    /// `GET /v1/pronunciation-dictionaries`: newest first, `page_size` (1 to 100, default 30), `cursor`.
    func list() -> HTTPResponse {
        var size = 30
        if let raw = r.query("page_size") {
            guard let n = Int(raw), (1...100).contains(n) else {
                return Reply.validation([Reply.issue("less_than_equal", ["query", "page_size"], "Input should be between 1 and 100", input: raw)])
            }
            size = n
        }
        let all = state.locked { $0.dictionaries }.reversed().map { $0 }
        var start = 0
        if let cursor = r.query("cursor") {
            guard let i = all.firstIndex(where: { $0.id == cursor }) else { return Reply.error(400, "invalid_cursor", "The cursor is not valid.") }
            start = i
        }
        let page = Array(all[start..<min(all.count, start + size)])
        let more = start + size < all.count
        return json(["pronunciation_dictionaries": page.map(\.json), "has_more": more,
                     "next_cursor": more ? all[start + size].id as Any : NSNull()])
    }

    /// `GET /v1/pronunciation-dictionaries/{id}`.
    func get(_ id: String) -> HTTPResponse {
        guard let d = state.locked({ s in s.dictionaries.first { $0.id == id } }) else { return Self.notFound(id) }
        // This endpoint answers with the latest version's rules too (GetPronunciationDictionaryWithRulesResponseModel).
        return json(d.json.merging(["rules": Self.rules(String(decoding: d.pls, as: UTF8.self))]) { $1 })
    }

    /// The lexicon's lexemes as the API's rules: an alias rule, or a phoneme rule in the lexicon's alphabet.
    static func rules(_ pls: String) -> [[String: Any]] {
        func inner(_ tag: String, _ text: Substring) -> String? {
            guard let open = text.range(of: "<\(tag)>"), let close = text.range(of: "</\(tag)>", range: open.upperBound..<text.endIndex) else { return nil }
            return String(text[open.upperBound..<close.lowerBound]).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var alphabet = "ipa"
        if let a = pls.range(of: "alphabet=\""), let end = pls[a.upperBound...].firstIndex(of: "\"") { alphabet = String(pls[a.upperBound..<end]) }
        return pls.components(separatedBy: "<lexeme").dropFirst().compactMap { chunk -> [String: Any]? in
            let body = Substring(chunk.components(separatedBy: "</lexeme>").first ?? chunk)
            guard let grapheme = inner("grapheme", body) else { return nil }
            if let alias = inner("alias", body) {
                return ["string_to_replace": grapheme, "type": "alias", "alias": alias, "case_sensitive": true, "word_boundaries": true]
            }
            return ["string_to_replace": grapheme, "type": "phoneme", "phoneme": inner("phoneme", body) ?? "", "alphabet": alphabet,
                    "case_sensitive": true, "word_boundaries": true]
        }
    }

    /// `GET /v1/pronunciation-dictionaries/{id}/{version}/download`: the lexicon as text.
    func download(_ id: String, _ version: String) -> HTTPResponse {
        guard let d = state.locked({ s in s.dictionaries.first { $0.id == id } }), d.versionID == version else { return Self.notFound(id) }
        return HTTPResponse(statusCode: .ok, headers: [.contentType: "text/plain"], body: d.pls)
    }

    static func notFound(_ id: String) -> HTTPResponse {
        Reply.error(404, "pronunciation_dictionary_not_found", "Pronunciation dictionary with id \(id) not found.")
    }
}
