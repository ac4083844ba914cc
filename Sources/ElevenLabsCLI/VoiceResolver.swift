// Turns what a user types after -v (a name, a premade name's first word, or an id) into one voice.
// Names are searched through /v2/voices (its `search`; /v1/voices ignores it), case-insensitively:
// exact, then prefix, then substring. Several matches are an error listing them; never a guess.
import ElevenLabsAPI

struct VoiceResolver {
    let client: ElevenLabsClient

    /// Premade voices ElevenLabs has retired: their ids now answer 404, so a clear message beats a bare
    /// "not found" (Rachel was the default of many tools and of the original examples).
    static let retired: [String: String] = ["rachel": "21m00Tcm4TlvDq8ikWAM", "bella": "", "domi": "", "elli": "", "josh": ""]

    static func looksLikeID(_ s: String) -> Bool {
        s.count >= 15 && s.count <= 40 && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    func resolve(_ input: String) throws -> Voice {
        let wanted = input.trimmingCharacters(in: " \t")
        guard !wanted.isEmpty else { throw UsageError("the voice name is empty", hint: "'elevenlabs voices' lists them") }
        let candidates = try client.allVoices(search: wanted)
        if let v = try Self.pick(wanted, from: candidates) { return v }
        if Self.looksLikeID(wanted) {
            do { return try client.voice(id: wanted) } catch let e as APIError where e.kind == .notFound || e.httpStatus == 400 {
                if Self.retired.values.contains(wanted) { throw retiredError(wanted) }
                throw CLIError("no voice has the id '\(wanted)'", hint: "'elevenlabs voices' lists the voices you can use", exit: .failure)
            }
        }
        if Self.retired[wanted.lowercased()] != nil { throw retiredError(wanted) }
        // Nothing matched the search: suggest near names from the whole list.
        let all = try client.allVoices()
        let names = all.map(\.shortName)
        let close = names.filter { editDistance($0.lowercased(), wanted.lowercased()) <= 2 }
        let hint = close.isEmpty ? "'elevenlabs voices' lists the voices you can use"
            : "did you mean " + close.prefix(3).map { "'\($0)'" }.joined(separator: " or ") + "?"
        throw CLIError("no voice is named '\(wanted)'", hint: hint, exit: .failure)
    }

    /// Exact, then prefix, then substring, each on the short name first and then the full name.
    static func pick(_ wanted: String, from voices: [Voice]) throws -> Voice? {
        let w = wanted.lowercased()
        if let byID = voices.first(where: { $0.voiceID == wanted }) { return byID }
        let tiers: [(Voice) -> Bool] = [
            { $0.shortName.lowercased() == w || $0.name.lowercased() == w },
            { $0.shortName.lowercased().hasPrefix(w) || $0.name.lowercased().hasPrefix(w) },
            { $0.name.lowercased().contains(w) },
        ]
        for matches in tiers {
            let found = voices.filter(matches)
            if found.count == 1 { return found[0] }
            if found.count > 1 {
                let list = found.prefix(6).map { "\($0.name) (\($0.voiceID))" }.joined(separator: "; ")
                throw CLIError("'\(wanted)' matches \(found.count) voices: \(list)",
                               hint: "use a longer name or the voice id", exit: .usage)
            }
        }
        return nil
    }

    private func retiredError(_ wanted: String) -> CLIError {
        CLIError("'\(wanted)' is a retired ElevenLabs voice; its id no longer works",
                 hint: "pick a current voice, e.g. Roger, Sarah or George ('elevenlabs voices --category premade')",
                 exit: .failure)
    }
}
