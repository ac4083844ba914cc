// A dialogue script (`speak --dialogue`): turns written `NAME: text`, separated by blank lines, with
// `# cast: NAME=VOICE, ...` lines saying which voice plays whom, and `#` lines as comments. Parsed
// and checked whole before anything is sent, every mistake reported with its line number.
import ElevenLabsAPI

struct DialogueScript: Equatable {
    struct Turn: Equatable {
        /// The speaker as first written in the script (speakers match case-insensitively).
        var speaker: String
        var text: String
        /// Where the turn starts, for messages.
        var line: Int
    }

    var turns: [Turn] = []
    /// The cast from `# cast:` lines, in order: speaker, voice.
    var cast: [(speaker: String, voice: String)] = []

    static func == (a: DialogueScript, b: DialogueScript) -> Bool {
        a.turns == b.turns && a.cast.map { "\($0.speaker)=\($0.voice)" } == b.cast.map { "\($0.speaker)=\($0.voice)" }
    }

    /// The speakers in the order they first speak, each once.
    var speakers: [String] {
        var seen: Set<String> = []
        return turns.compactMap { seen.insert($0.speaker.lowercased()).inserted ? $0.speaker : nil }
    }

    /// Characters spoken (the names are not).
    var characters: Int { turns.reduce(0) { $0 + $1.text.unicodeScalars.count } }

    static let maxNameLength = 40

    /// A speaker's name: a letter first, then letters, digits, spaces, `.`, `'`, `-` and `_`; short.
    static func isName(_ s: Substring) -> Bool {
        guard let first = s.first, first.isLetter, s.count <= maxNameLength, s.last != " " else { return false }
        return s.allSatisfy { $0.isLetter || $0.isNumber || $0 == " " || $0 == "." || $0 == "'" || $0 == "-" || $0 == "_" }
    }

    /// `origin` names the script in messages.
    static func parse(_ text: String, origin: String) throws -> DialogueScript {
        var script = DialogueScript()
        var current: Turn?
        func close() {
            if let t = current { script.turns.append(t) }
            current = nil
        }
        func fail(_ line: Int, _ what: String, hint: String) -> CLIError {
            CLIError("\(Output.clean(origin)), line \(line): \(what)", hint: hint, exit: .input)
        }
        var number = 0
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            number += 1
            let line = raw.trimmingCharacters(in: " \t")
            if line.isEmpty { close(); continue }
            if line.hasPrefix("#") {
                let body = line.dropFirst().trimmingCharacters(in: " \t")
                guard body.lowercased().hasPrefix("cast:") else { continue } // a comment
                for entry in body.dropFirst(5).split(separator: ",") {
                    let pair = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: " \t") }
                    guard pair.count == 2, isName(Substring(pair[0])), !pair[1].isEmpty else {
                        throw fail(number, "'\(Output.clean(entry.trimmingCharacters(in: " \t")))' is not NAME=VOICE",
                                   hint: "write the cast as '# cast: ALICE=Sarah, BOB=Roger' (a voice name or id)")
                    }
                    script.cast.append((pair[0], pair[1]))
                }
                continue
            }
            // `NAME: text` starts a turn; any other line continues the one before it.
            if let colon = line.firstIndex(of: ":"), isName(Substring(line[..<colon].trimmingCharacters(in: " \t"))) {
                close()
                let speaker = line[..<colon].trimmingCharacters(in: " \t")
                let said = line[line.index(after: colon)...].trimmingCharacters(in: " \t")
                // The first spelling of a name is the one shown.
                let shown = script.turns.first { $0.speaker.lowercased() == speaker.lowercased() }?.speaker ?? speaker
                current = Turn(speaker: shown, text: said, line: number)
                continue
            }
            guard current != nil else {
                throw fail(number, "this line has no speaker",
                           hint: "start each turn with the speaker's name and a colon ('ALICE: Hello.'), and separate turns with a blank line")
            }
            current!.text += current!.text.isEmpty ? line : " " + line
        }
        close()
        for t in script.turns where !SpeakableText.hasSpeech(t.text) { // invisible characters would be billed as silence
            throw fail(t.line, "\(Output.clean(t.speaker)) says nothing", hint: "give the turn its text, or remove the line")
        }
        if script.turns.isEmpty {
            throw CLIError("\(Output.clean(origin)) has no turns", hint: "write each turn as 'NAME: text', with blank lines between turns", exit: .input)
        }
        return script
    }
}
