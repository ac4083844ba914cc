// `speak --dialogue`, its plan: the cast resolved before anything is bought (an unknown speaker is
// an error listing them all), each turn's markup adapted to the model, and the turns cut to fit
// the endpoint that will speak them (text-to-dialogue with eleven_v3, else text to speech).
import ElevenLabsAPI
import AudioPlayback
import ThreadSupport

/// A script with its voices resolved and its turns cut to what one request may hold.
struct DialoguePlan {
    struct Line { var speaker: String; var voiceID: String; var text: String }
    var lines: [Line]
    /// Speaker, voice as given, voice id: in the order they first speak.
    var cast: [(speaker: String, voice: String, voiceID: String)]
    /// Through the text-to-dialogue endpoint (else each turn through text to speech).
    var viaDialogue: Bool
    /// Markup notes already given (so speaking the turns does not give them again).
    var notes: Set<MarkupNote> = []
    var characters: Int { lines.reduce(0) { $0 + $1.text.unicodeScalars.count } }

    /// `--cast NAME=VOICE` values (several may be given in one, separated by commas).
    static func castOptions(_ values: [String]) throws -> [(speaker: String, voice: String)] {
        try values.flatMap { value in
            try value.split(separator: ",").map { entry in
                let pair = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: " \t") }
                guard pair.count == 2, DialogueScript.isName(Substring(pair[0])), !pair[1].isEmpty else {
                    throw UsageError("--cast needs NAME=VOICE, not '\(Output.clean(String(entry)))'",
                                     hint: "for example --cast ALICE=Sarah (a voice name or id)", command: "speak")
                }
                return (pair[0], pair[1])
            }
        }
    }

    /// Checks that need no request: every `--cast` names a speaker of the script.
    static func checkCast(_ script: DialogueScript, options: [(speaker: String, voice: String)], origin: String) throws {
        let speakers = Set(script.speakers.map { $0.lowercased() })
        for c in options where !speakers.contains(c.speaker.lowercased()) {
            throw UsageError("--cast \(Output.clean(c.speaker))=...: \(Output.clean(origin)) has no speaker '\(Output.clean(c.speaker))'",
                             hint: "its speakers are " + script.speakers.map(Output.clean).joined(separator: ", "), command: "speak")
        }
    }

    /// Resolves every speaker's voice (`--cast`, else the script's `# cast:`, else the speaker's own
    /// name, as `-v` takes it) and cuts turns longer than a request may hold. All failures are
    /// reported together, before anything is bought.
    static func make(_ script: DialogueScript, origin: String, castOptions: [(speaker: String, voice: String)],
                     model: String, session: Session, notes: (String) -> Void) throws -> DialoguePlan {
        var voiceOf: [String: String] = [:]
        for c in script.cast { voiceOf[c.speaker.lowercased()] = c.voice }
        for c in castOptions { voiceOf[c.speaker.lowercased()] = c.voice }
        var cast: [(speaker: String, voice: String, voiceID: String)] = []
        var problems: [String] = []
        for speaker in script.speakers {
            let spec = voiceOf[speaker.lowercased()] ?? speaker
            do {
                cast.append((speaker, spec, try Resolve.voiceID(spec, session: session)))
            } catch let e as CLIError {
                // The resolver's did-you-mean, as `-v Brain` gives it, belongs with its speaker.
                let near = e.hint.flatMap { $0.hasPrefix("did you mean") ? "; \($0)" : nil } ?? ""
                problems.append("\(speaker) (\(spec == speaker ? "" : "as '\(spec)': ")\(e.message)\(near))")
            }
        }
        if !problems.isEmpty {
            throw CLIError("no voice for \(problems.count == 1 ? "a speaker" : "\(problems.count) speakers") of \(Output.clean(origin)): "
                           + Output.clean(problems.joined(separator: "; ")) + "; its speakers are " + script.speakers.map(Output.clean).joined(separator: ", "),
                           hint: "cast them: --cast NAME=VOICE (a voice name or id), or a line '# cast: NAME=VOICE, ...' in the script",
                           exit: .usage)
        }
        let viaDialogue = ModelRules.supportsDialogue(model)
        var given: Set<MarkupNote> = []
        var lines: [Line] = []
        for turn in script.turns {
            let voice = cast.first { $0.speaker.lowercased() == turn.speaker.lowercased() }!
            // Markup the model cannot take is converted where a faithful form exists, else noted once.
            let adapted = Markup.adapt(turn.text, model: model)
            for note in adapted.notes where given.insert(note).inserted { notes(note.text) }
            let pieces = viaDialogue ? DialogueRequest.pieces(adapted.text) : [adapted.text]
            lines += pieces.map { Line(speaker: voice.speaker, voiceID: voice.voiceID, text: $0) }
        }
        return DialoguePlan(lines: lines, cast: cast, viaDialogue: viaDialogue, notes: given)
    }
}
