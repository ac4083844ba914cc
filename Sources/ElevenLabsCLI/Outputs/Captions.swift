// Captions from the character timings the with-timestamps endpoint sends with the audio: words are
// gathered into readable cues (a line of at most 42 characters or 5 seconds, ending at sentences)
// and written as SRT, WebVTT or JSON. Times of later parts of a long text are shifted by the audio
// that came before, so they stay right across requests. In a dialogue each word carries its speaker,
// a cue never spans two speakers, and the speaker labels each cue (SRT "NAME: ", WebVTT's <v NAME>);
// in an audiobook a cue never spans two chapters.
import ElevenLabsAPI

struct Captions {
    enum Format: String { case srt, vtt, json }

    struct Word: Encodable { var text: String; var start: Double; var end: Double; var speaker: String? = nil }
    struct Cue: Encodable { var start: Double; var end: Double; var text: String; var speaker: String? = nil }

    private(set) var words: [Word] = []
    private var current: Word?
    private var inMarkup = false
    /// A "<" that ended the last timings, not yet known to open a tag (its times, already shifted).
    private var heldOpen: (start: Double, end: Double)?
    /// Who speaks the words added next, unless a labelled stretch of time says otherwise.
    var speaker: String?
    /// Stretches of time (already shifted) and who speaks in them (dialogue voice segments).
    private var spans: [(start: Double, end: Double, speaker: String)] = []

    /// Says who speaks from `start` to `end` (seconds, shifted like the words).
    mutating func label(_ speaker: String, from start: Double, to end: Double) {
        guard start.isFinite, end.isFinite, start <= end else { return }
        spans.append((start, end, speaker))
    }

    private func speaker(at t: Double) -> String? {
        // The stretch holding the time; between stretches, the one that began last.
        if let s = spans.last(where: { $0.start <= t + 1e-6 && t < $0.end }) { return s.speaker }
        return spans.last(where: { $0.start <= t + 1e-6 })?.speaker ?? spans.first?.speaker ?? speaker
    }

    static let maxCueCharacters = 42
    static let maxCueSeconds = 5.0
    /// Times past this (about eleven days) are not a moment in any answer's audio.
    static let maxSeconds = 1e6

    static func format(for path: String) -> Format? {
        guard let dot = path.lastIndex(of: ".") else { return nil }
        return Format(rawValue: path[path.index(after: dot)...].lowercased())
    }

    /// Adds one request's characters; `offset` is the audio already played before this request.
    mutating func add(characters: [String], starts: [Double], ends: [Double], offset: Double) {
        for (i, raw) in characters.enumerated() where i < starts.count && i < ends.count {
            // A server's numbers and text can be anything: times that are no time in a piece of
            // audio are dropped, and control characters never reach a captions file.
            guard starts[i].isFinite, ends[i].isFinite, starts[i] >= 0, ends[i] >= starts[i], ends[i] < Self.maxSeconds else { continue }
            let c = Output.clean(raw)
            if c.isEmpty { continue }
            // SSML in the text (`<break time="1s"/>`, an audiobook's pause after a heading) is timed
            // like any character, but it is not heard: it never becomes a caption.
            // Only a tag opens markup ("<b", "</"): "3 < 5" is text. A "<" that ends one answer's
            // timings is decided by the first character of the next.
            if let held = heldOpen {
                heldOpen = nil
                if let first = c.first, first.isLetter || first == "/" { inMarkup = true; flushWord(); continue }
                append("<", start: held.start, end: held.end)
            }
            if c == "<" && !inMarkup {
                guard i + 1 < characters.count else { heldOpen = (starts[i] + offset, ends[i] + offset); continue }
                if let next = characters[i + 1].first, next.isLetter || next == "/" { inMarkup = true; flushWord(); continue }
            }
            if inMarkup { if c.contains(">") { inMarkup = false }; continue }
            if c.allSatisfy(\.isWhitespace) {
                flushWord()
                continue
            }
            append(c, start: starts[i] + offset, end: ends[i] + offset)
        }
    }

    /// One heard character (times already shifted) onto the word in progress.
    private mutating func append(_ c: String, start: Double, end: Double) {
        let who = speaker(at: start)
        // The lines of a dialogue request may follow each other with no space between them.
        if let w = current, w.speaker != who { words.append(w); current = nil }
        if current == nil { current = Word(text: "", start: start, end: end, speaker: who) }
        current!.text += c
        current!.end = end
    }

    /// Times (seconds, shifted like the words) where a cue must end: an audiobook's chapter starts.
    private var breaks: [Double] = []

    /// No cue crosses `t`: the words from there on start a new one.
    mutating func breakCues(at t: Double) { if t.isFinite { breaks.append(t) } }

    /// Takes another request's words, already shifted by its offset.
    mutating func append(_ other: Captions) { words += other.words }

    /// Ends the word in progress (at the end of each request: requests end on word boundaries).
    mutating func flushWord() {
        if let w = current { words.append(w) }
        current = nil
    }

    func cues() -> [Cue] {
        var out: [Cue] = []
        var cue: Cue?
        for w in words {
            if var c = cue, c.speaker == w.speaker, c.text.count + 1 + w.text.count <= Self.maxCueCharacters, w.end - c.start <= Self.maxCueSeconds,
               !(c.text.last.map { ".!?…。！？".contains($0) } ?? false),
               !breaks.contains(where: { c.start < $0 - 1e-6 && w.start >= $0 - 1e-6 }) {
                c.text += " " + w.text
                c.end = w.end
                cue = c
            } else {
                if let c = cue { out.append(c) }
                cue = Cue(start: w.start, end: w.end, text: w.text, speaker: w.speaker)
            }
        }
        if let c = cue { out.append(c) }
        return out
    }

    static func timestamp(_ t: Double, separator: Character) -> String {
        let ms = t.isFinite ? Int((min(max(0, t), maxSeconds * 10) * 1000).rounded()) : 0
        func pad(_ v: Int, _ n: Int) -> String { String(repeating: "0", count: max(0, n - String(v).count)) + String(v) }
        return "\(pad(ms / 3_600_000, 2)):\(pad(ms / 60_000 % 60, 2)):\(pad(ms / 1000 % 60, 2))\(separator)\(pad(ms % 1000, 3))"
    }

    /// WebVTT cue text is markup: `&`, `<` and `>` are written as entities.
    static func vttEscape(_ s: String) -> String {
        s.replacing("&", with: "&amp;").replacing("<", with: "&lt;").replacing(">", with: "&gt;")
    }

    func render(_ format: Format) throws -> String {
        let cues = cues()
        switch format {
        case .srt:
            return cues.enumerated().map { i, c in
                "\(i + 1)\n\(Self.timestamp(c.start, separator: ",")) --> \(Self.timestamp(c.end, separator: ","))\n\(c.speaker.map { "\($0): " } ?? "")\(c.text)\n"
            }.joined(separator: "\n")
        case .vtt:
            return "WEBVTT\n\n" + cues.map { c in
                "\(Self.timestamp(c.start, separator: ".")) --> \(Self.timestamp(c.end, separator: "."))\n\(c.speaker.map { "<v \(Self.vttEscape($0))>" } ?? "")\(Self.vttEscape(c.text))\n"
            }.joined(separator: "\n")
        case .json:
            struct Doc: Encodable { let cues: [Cue]; let words: [Word] }
            // Milliseconds, as SRT and WebVTT give them (not 6.81410204081632).
            func ms(_ t: Double) -> Double { (t * 1000).rounded() / 1000 }
            let timedCues = cues.map { Cue(start: ms($0.start), end: ms($0.end), text: $0.text, speaker: $0.speaker) }
            let timedWords = words.map { Word(text: $0.text, start: ms($0.start), end: ms($0.end), speaker: $0.speaker) }
            return try CanonicalJSON.text(Doc(cues: timedCues, words: timedWords), style: .init(pretty: true)) + "\n"
        }
    }

    /// A WebVTT chapters file (what players show as chapter titles): one cue per chapter.
    static func vttChapters(_ chapters: [(title: String, start: Double, end: Double)]) -> String {
        "WEBVTT\n\n" + chapters.enumerated().map { i, c in
            "Chapter \(i + 1)\n\(timestamp(c.start, separator: ".")) --> \(timestamp(c.end, separator: "."))\n\(vttEscape(Output.clean(c.title)))\n"
        }.joined(separator: "\n")
    }
}
