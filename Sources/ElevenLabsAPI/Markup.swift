// Markup checked against the model before it is sent (#20 part 3). What each model takes, from the
// ElevenLabs help centre ("Do pauses and SSML phoneme tags work with the API?"):
// - `<break time="1.5s"/>`: every model but eleven_v3, pauses of up to 3 seconds;
// - v3 pause tags `[pause]`, `[short pause]`, `[long pause]` (and other audio tags such as
//   `[laughs]`): eleven_v3 only; other models read them aloud;
// - `<phoneme>`: the English-only models eleven_flash_v2, eleven_turbo_v2 and eleven_monolingual_v1.
// A faithful conversion is made where one exists (a break into a v3 pause tag and back); the rest
// is left as written and reported as a typed note, once per kind; the caller words it (and the
// advice in it: the core knows no command line).

/// What adapting markup to a model changed, or found that will not work.
public enum MarkupNote: Hashable, Sendable {
    /// `<break>` tags turned into the model's pause tags (eleven_v3 takes no SSML breaks).
    case breaksConverted(model: String, count: Int)
    /// Breaks longer than the longest pause the service makes.
    case breaksTooLong(count: Int)
    /// v3 pause tags turned into `<break>` tags (models other than eleven_v3).
    case pauseTagsConverted(model: String, count: Int)
    /// Audio tags the model would read aloud (only eleven_v3 takes them).
    case audioTagsSpoken(model: String, tags: [String])
    /// `<phoneme>` tags the model does not take (they are spoken as written).
    case phonemesUnsupported(model: String)
}

public enum Markup {
    /// Models that take `<phoneme>` tags.
    static let phonemeModels: Set<String> = ["eleven_flash_v2", "eleven_turbo_v2", "eleven_monolingual_v1"]
    /// The longest break the service honours.
    public static let maxBreakSeconds = 3.0

    public static func takesBreakTags(_ model: String) -> Bool { model != "eleven_v3" }
    public static func takesAudioTags(_ model: String) -> Bool { model == "eleven_v3" }
    public static func takesPhonemeTags(_ model: String) -> Bool { phonemeModels.contains(model) }

    /// Whether the text holds SSML the service parses only when asked (`enable_ssml_parsing` on the
    /// stream-input WebSocket): a `<break .../>` or a `<phoneme ...>`.
    public static func hasSSML(_ text: String) -> Bool {
        guard text.contains("<") else { return false }
        let lower = text.lowercased()
        return lower.contains("<break") || lower.contains("<phoneme")
    }

    public struct Result: Equatable {
        public var text: String
        /// What was converted or will not work (deduplicated by the caller).
        public var notes: [MarkupNote]
    }

    /// The text as `model` should receive it, and what was changed or will not work.
    public static func adapt(_ text: String, model: String) -> Result {
        // Cheap exit: most texts hold no markup at all. On the bytes: a Character search walks
        // grapheme clusters (75 million instructions over a 60,000-character text's parts), and a
        // false "yes" (a "<" with a combining mark) only takes the slow path, which finds nothing.
        guard text.utf8.contains(UInt8(ascii: "<")) || text.utf8.contains(UInt8(ascii: "[")) else { return Result(text: text, notes: []) }
        var out = text
        var notes: [MarkupNote] = []
        if !takesBreakTags(model) {
            var converted = 0
            out = replaceBreaks(in: out) { seconds in
                converted += 1
                return seconds < 1 ? "[short pause]" : seconds <= 2 ? "[pause]" : "[long pause]"
            }
            if converted > 0 { notes.append(.breaksConverted(model: model, count: converted)) }
        } else {
            var long = 0
            _ = replaceBreaks(in: out) { seconds in if seconds > maxBreakSeconds { long += 1 }; return nil }
            if long > 0 { notes.append(.breaksTooLong(count: long)) }
        }
        if !takesAudioTags(model) {
            var converted = 0
            for (tag, seconds) in [("[short pause]", "0.5s"), ("[long pause]", "2s"), ("[pause]", "1s")] where out.contains(tag) {
                converted += out.ranges(of: tag).count
                out = out.replacing(tag, with: "<break time=\"\(seconds)\"/>")
            }
            if converted > 0 { notes.append(.pauseTagsConverted(model: model, count: converted)) }
            let others = audioTags(in: out)
            if !others.isEmpty { notes.append(.audioTagsSpoken(model: model, tags: others)) }
        }
        if !takesPhonemeTags(model) && out.contains("<phoneme") {
            notes.append(.phonemesUnsupported(model: model))
        }
        return Result(text: out, notes: notes)
    }

    /// Every `<break time="Ns"/>` or `<break time="Nms"/>` (either quote, any spacing), replaced by
    /// what `with` returns for its length in seconds (nil keeps it).
    static func replaceBreaks(in text: String, with: (Double) -> String?) -> String {
        var result = ""
        var rest = Substring(text)
        while let open = rest.firstRange(of: "<break") {
            guard let close = rest[open.upperBound...].firstIndex(of: ">") else { break }
            let tag = rest[open.lowerBound...close]
            result += rest[..<open.lowerBound]
            rest = rest[rest.index(after: close)...]
            if let seconds = breakSeconds(String(tag)), let replacement = with(seconds) { result += replacement } else { result += tag }
        }
        return result + rest
    }

    static func breakSeconds(_ tag: String) -> Double? {
        guard let t = tag.firstRange(of: "time=") else { return nil }
        let value = tag[t.upperBound...].dropFirst().prefix { $0 != "\"" && $0 != "'" }
        if value.hasSuffix("ms"), let ms = Double(value.dropLast(2)) { return ms / 1000 }
        if value.hasSuffix("s"), let s = Double(value.dropLast()) { return s }
        return nil
    }

    /// Bracketed words that look like v3 audio tags (`[laughs]`, `[whispers]`): letters, spaces and
    /// hyphens only, so citations like `[1]` and `[sic, 2]` are not taken for tags.
    static func audioTags(in text: String) -> [String] {
        var tags: [String] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "[") {
            guard let close = rest[open...].firstIndex(of: "]") else { break }
            let inner = rest[rest.index(after: open)..<close]
            if (1...30).contains(inner.count), inner.first?.isLetter == true,
               inner.unicodeScalars.allSatisfy({ ($0.properties.isAlphabetic && $0.properties.isLowercase) || $0 == " " || $0 == "-" }) {
                let tag = "[\(inner)]"
                if !tags.contains(tag) { tags.append(tag) }
            }
            rest = rest[rest.index(after: close)...]
        }
        return tags
    }
}
