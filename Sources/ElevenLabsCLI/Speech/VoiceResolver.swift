// Turns what a user types after -v (a name, a premade name's first word, or an id) into one voice.
// Matching is case-insensitive: exact, then prefix, then substring; several matches are an error
// listing them, never a guess. The account's voice list comes from the cache when fresh, and is
// fetched again (every page of the account's voices) on a miss, so a new clone is found at once.
import ElevenLabsAPI
import ThreadSupport

struct VoiceRef: Codable, Equatable {
    var voice_id: String
    var name: String
    var category: String?
    var shortName: String {
        if let r = name.firstRange(of: " - ") { return String(name[..<r.lowerBound]) }
        return name
    }
    init(_ v: Voice) { voice_id = v.voiceID; name = v.name; category = v.category }
}

/// The voice list as fetched during this run: a name missing from it is not fetched again (a script
/// with 5,000 unvoiced speakers made 5,000 listings).
final class VoiceListMemo: Sendable {
    private let kept = Monitor<[VoiceRef]?>(nil)
    var voices: [VoiceRef]? {
        get { kept.read { $0 } }
        set { kept.note { $0 = newValue } }
    }
}

struct VoiceResolver {
    let client: ElevenLabsClient
    let cache: Cache
    var memo = VoiceListMemo()

    /// George: the official tools' default, a current premade voice (Rachel, the old default, is retired).
    static let defaultVoiceID = "JBFqnCBsd6RMkjVDRZzb"
    static let defaultVoiceName = "George"

    /// Premade voices ElevenLabs has retired: their ids now answer 404, so a clear message beats a bare
    /// "not found" (Rachel was the default of many tools and of the original examples).
    static let retired: [String: String] = ["rachel": "21m00Tcm4TlvDq8ikWAM", "bella": "", "domi": "", "elli": "", "josh": ""]

    static func looksLikeID(_ s: String) -> Bool {
        s.count >= 15 && s.count <= 40 && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    /// Fetches every voice and refreshes the cache.
    func fetchAll() throws -> [VoiceRef] {
        let voices = try client.allVoices().map(VoiceRef.init)
        cache.store("voices", voices)
        memo.voices = voices
        return voices
    }

    func resolve(_ input: String) throws -> VoiceRef {
        let wanted = input.trimmingCharacters(in: " \t")
        guard !wanted.isEmpty else { throw UsageError("the voice name is empty", hint: "'elevenlabs voices' lists them") }
        if memo.voices == nil, let cached = cache.load("voices", as: VoiceRef.self), let v = try Self.pick(wanted, from: cached) { return v }
        let all = try memo.voices ?? fetchAll()
        if let v = try Self.pick(wanted, from: all) { return v }
        if Self.looksLikeID(wanted) {
            do { return VoiceRef(try client.voice(id: wanted)) } catch let e as APIError where e.kind == .notFound || e.httpStatus == 400 {
                if Self.retired.values.contains(wanted) { throw retiredError(wanted) }
                throw CLIError("no voice has the id '\(wanted)'", hint: "'elevenlabs voices' lists the voices you can use", exit: .failure)
            }
        }
        if Self.retired[wanted.lowercased()] != nil { throw retiredError(wanted) }
        let close = all.map(\.shortName).filter { editDistance($0.lowercased(), wanted.lowercased()) <= 2 }
        let hint = close.isEmpty ? "'elevenlabs voices' lists the voices you can use"
            : "did you mean " + close.prefix(3).map { "'\($0)'" }.joined(separator: " or ") + "?"
        throw CLIError("no voice is named '\(wanted)'", hint: hint, exit: .failure)
    }

    /// Exact, then prefix, then substring, each on the short name first and then the full name.
    static func pick(_ wanted: String, from voices: [VoiceRef]) throws -> VoiceRef? {
        let w = wanted.lowercased()
        if let byID = voices.first(where: { $0.voice_id == wanted }) { return byID }
        let tiers: [(VoiceRef) -> Bool] = [
            { $0.shortName.lowercased() == w || $0.name.lowercased() == w },
            { $0.shortName.lowercased().hasPrefix(w) || $0.name.lowercased().hasPrefix(w) },
            { $0.name.lowercased().contains(w) },
        ]
        for matches in tiers {
            let found = voices.filter(matches)
            if found.count == 1 { return found[0] }
            if found.count > 1 {
                let list = found.prefix(6).map { "\($0.name) (\($0.voice_id))" }.joined(separator: "; ")
                // Two voices with the very same name (a clone made twice): only an id tells them apart.
                let same = Set(found.map { $0.name.lowercased() }).count == 1
                throw CLIError("'\(wanted)' matches \(found.count) voices: \(list)\(found.count > 6 ? "; ..." : "")",
                               hint: same ? "they share the name: give the voice id (-v \(found[0].voice_id))" : "use a longer name or the voice id",
                               exit: .usage)
            }
        }
        return nil
    }

    /// For commands that change or delete a voice: an id, or a name that matches one voice exactly
    /// (case-insensitive, the whole name or the part before " - "). A prefix or a substring is never
    /// enough here: it is refused with the candidates, and `action` says what would have happened.
    func resolveExact(_ input: String, action: String) throws -> VoiceRef {
        let wanted = input.trimmingCharacters(in: " \t")
        guard !wanted.isEmpty else { throw UsageError("the voice name is empty", hint: "'elevenlabs voices' lists them") }
        let all = try fetchAll() // fresh: never act on a stale list
        if let byID = all.first(where: { $0.voice_id == wanted }) { return byID }
        let w = wanted.lowercased()
        let exact = all.filter { $0.name.lowercased() == w || $0.shortName.lowercased() == w }
        if exact.count == 1 { return exact[0] }
        if exact.count > 1 {
            throw CLIError("'\(wanted)' names \(exact.count) voices: " + Self.list(exact), hint: "\(action) one of them by its id", exit: .usage)
        }
        let partial = all.filter { $0.name.lowercased().contains(w) }
        if !partial.isEmpty {
            throw CLIError("no voice is named exactly '\(wanted)'; it only partly matches " + Self.list(partial),
                           hint: "to \(action) a voice, give its whole name or its id", exit: .usage)
        }
        if Self.looksLikeID(wanted) {
            do { return VoiceRef(try client.voice(id: wanted)) } catch let e as APIError where e.kind == .notFound || e.httpStatus == 400 {
                throw CLIError("no voice has the id '\(wanted)'", hint: "'elevenlabs voices' lists the voices you can use", exit: .failure)
            }
        }
        throw CLIError("no voice is named '\(wanted)'", hint: "'elevenlabs voices' lists the voices you can use", exit: .failure)
    }

    /// Refuses a name one of the account's voices already has (exit 2), unless `allowed`: a second
    /// "My Narrator" makes `-v "My Narrator"` ambiguous for good.
    func refuseDuplicate(_ name: String, allowed: Bool, except id: String? = nil) throws {
        guard !allowed else { return }
        let w = name.trimmingCharacters(in: " \t").lowercased()
        let same = try fetchAll().filter { $0.voice_id != id && ($0.name.lowercased() == w || $0.shortName.lowercased() == w) }
        guard !same.isEmpty else { return }
        throw CLIError("a voice named '\(Output.clean(name))' exists already: " + Self.list(same),
                       hint: "choose another name, or add --allow-duplicate (then -v needs the id to tell them apart)", exit: .usage)
    }

    /// The service refuses to delete or edit its own voices; say so before asking or sending anything.
    static func refusePremade(_ voice: VoiceRef, _ what: String) throws {
        guard voice.category == "premade" else { return }
        throw CLIError("'\(voice.name)' is a premade ElevenLabs voice; it cannot be \(what)",
                       hint: "only your own voices (cloned, generated, professional) can be \(what)", exit: .usage)
    }

    static func list(_ voices: [VoiceRef]) -> String {
        voices.prefix(6).map { "'\($0.name)' (\($0.voice_id))" }.joined(separator: ", ") + (voices.count > 6 ? ", ..." : "")
    }

    private func retiredError(_ wanted: String) -> CLIError {
        CLIError("'\(wanted)' is a retired ElevenLabs voice; its id no longer works",
                 hint: "pick a current voice, e.g. Roger, Sarah or George ('elevenlabs voices --category premade')",
                 exit: .failure)
    }
}
