// `elevenlabs voices`: every voice over all pages, filtered on the server; `voices show`
// resolves a name or id the same way `speak -v` does.
import ElevenLabsAPI
import AudioPlayback

enum VoicesCommand {
    struct Row: Encodable {
        let voice_id: String
        let name: String
        let category: String?
        let labels: [String: String]
        let description: String?
        let preview_url: String?
        /// `voices show` only: the voice's stored settings, as its table shows them.
        let settings: VoiceSettings?
    }

    static func row(_ v: Voice) -> Row { row(v, withSettings: false) }

    static func row(_ v: Voice, withSettings: Bool) -> Row {
        Row(voice_id: v.voiceID, name: v.name, category: v.category, labels: v.labels ?? [:],
            description: v.description, preview_url: v.previewURL, settings: withSettings ? v.settings : nil)
    }

    static func run(_ inv: Invocation, _ context: Context) throws {
        switch inv.operands.first {
        case nil, "list", "ls": try list(inv, context) // list verbs, as dictionaries has
        case "search": try list(try searching(inv), context)
        case "show": try show(inv, context)
        case "settings": try settings(inv, context)
        case "delete": try delete(inv, context)
        case "preview": try preview(inv, context)
        case let verb?:
            let near = nearest(verb, in: ["list", "search", "show", "settings", "delete", "preview"]).map { "; did you mean '\($0)'?" } ?? ""
            throw UsageError("unknown action 'voices \(verb)'\(near)", command: "voices")
        }
    }

    static func list(_ inv: Invocation, _ context: Context) throws {
        let session = try Session(inv, context)
        var filters: [(String, String)] = []
        for label in [OptionName.gender, .accent, .age, .language] { if let v = inv.value(label) { filters.append((label.rawValue, v)) } }
        let voices = try session.client.allVoices(search: inv.value(.search), category: inv.value(.category), filters: filters)
        // The unfiltered list is the whole account: keep it for name lookups.
        if inv.value(.search) == nil && inv.value(.category) == nil && filters.isEmpty {
            session.cache.store("voices", voices.map(VoiceRef.init))
        }
        // By name, as people look for them, in the table and in JSON alike.
        let sorted = voices.sorted { $0.name.lowercased() < $1.name.lowercased() }
        if session.json { try context.out(JSONFields.render(sorted.map(row), inv)); return }
        if voices.isEmpty {
            try refuseUnknownLabels(filters, session: session)
            context.err("elevenlabs: no voices match\n")
            return
        }
        // The whole name, description included.
        let rows = sorted.map { v -> [String] in
            let l = v.labels ?? [:]
            let labels = ["gender", "age", "accent", "language", "use_case"].compactMap { l[$0] }.joined(separator: ", ")
            return [v.voiceID, v.name, v.category ?? "", labels]
        }
        try context.out(Output.table(["VOICE ID", "NAME", "CATEGORY", "LABELS"], rows, kinds: [.fixed, .name, .name, .text], context: context))
    }

    /// A label filter that matched nothing because no voice of the account has that value at all
    /// (`--gender femal`) is a slip, refused (exit 2) with the nearest value, as `--category clone`
    /// is; a value that exists but matches nothing in this combination is just "no voices match".
    static func refuseUnknownLabels(_ filters: [(String, String)], session: Session) throws {
        guard !filters.isEmpty else { return }
        let all = try session.client.allVoices(search: nil, category: nil, filters: [])
        for (label, value) in filters {
            let known = Set(all.compactMap { $0.labels?[label]?.lowercased() }).sorted()
            guard !known.isEmpty, !known.contains(value.lowercased()) else { continue }
            let near = nearest(value, in: known, maxDistance: 3).map { "; did you mean '\($0)'?" } ?? ""
            throw UsageError("no voice has the \(label) '\(Output.clean(value))'\(near)",
                             hint: "\(label) values of your voices: " + known.map(Output.clean).joined(separator: ", "), command: "voices")
        }
    }

    /// `voices search TEXT` and `history search TEXT`: the listing with `--search TEXT`, as people
    /// who know `gh search` or `apt search` type it.
    static func searching(_ inv: Invocation) throws -> Invocation {
        guard inv.operands.count >= 2 else {
            throw UsageError("'\(inv.command) search' needs the text to look for", hint: "e.g. elevenlabs \(inv.command) search george", command: inv.command)
        }
        var listing = inv
        listing.values[.search] = [inv.operands.dropFirst().joined(separator: " ")]
        listing.operands = []
        return listing
    }

    static func settingsLine(_ s: VoiceSettings) -> String {
        [s.stability.map { "stability \(Output.decimal($0))" },
         s.similarityBoost.map { "similarity boost \(Output.decimal($0))" },
         s.style.map { "style \(Output.decimal($0))" },
         s.speed.map { "speed \(Output.decimal($0))" },
         s.useSpeakerBoost.map { "speaker boost \($0 ? "on" : "off")" }].compactMap { $0 }.joined(separator: ", ")
    }

    struct SettingsOut: Encodable {
        let voice_id: String
        let settings: VoiceSettings
        let defaults: VoiceSettings
    }

    /// `voices settings NAME|ID`: shows; with setting options, changes only those and shows the result.
    static func settings(_ inv: Invocation, _ context: Context) throws {
        guard inv.operands.count == 2 else {
            throw UsageError("'voices settings' needs one voice name or id", command: "voices")
        }
        let change = try SpeakOptions.voiceSettings(inv)
        let session = try Session(inv, context)
        // Showing may match loosely; changing must name the voice exactly.
        let voice = change.isEmpty ? try session.voiceResolver.resolve(inv.operands[1])
            : try session.voiceResolver.resolveExact(inv.operands[1], action: "change the settings of")
        if !change.isEmpty {
            var merged = try session.client.voiceSettings(id: voice.voice_id)
            merged.stability = change.stability ?? merged.stability
            merged.similarityBoost = change.similarityBoost ?? merged.similarityBoost
            merged.style = change.style ?? merged.style
            merged.useSpeakerBoost = change.useSpeakerBoost ?? merged.useSpeakerBoost
            merged.speed = change.speed ?? merged.speed
            try session.client.editVoiceSettings(id: voice.voice_id, merged)
        }
        let current = try session.client.voiceSettings(id: voice.voice_id)
        let defaults = try session.client.defaultVoiceSettings()
        if session.json { try context.out(JSONFields.render(SettingsOut(voice_id: voice.voice_id, settings: current, defaults: defaults), inv)); return }
        try context.out("\(Output.clean(voice.name)) (\(voice.voice_id))\n  settings  \(settingsLine(current))\n  defaults  \(settingsLine(defaults))\n")
    }

    /// `voices delete NAME|ID`: asks first on a terminal; scripts must pass --yes.
    static func delete(_ inv: Invocation, _ context: Context) throws {
        guard inv.operands.count == 2 else {
            throw UsageError("'voices delete' needs one voice name or id", command: "voices")
        }
        let session = try Session(inv, context)
        let voice = try session.voiceResolver.resolveExact(inv.operands[1], action: "delete")
        try VoiceResolver.refusePremade(voice, "deleted")
        guard try Prompt.confirm(delete: "the voice '\(voice.name)' (\(voice.voice_id))", inv, context) else {
            throw CLIError("nothing deleted", exit: .failure)
        }
        try session.client.deleteVoice(id: voice.voice_id)
        session.cache.store("voices", [VoiceRef]())
        if session.json {
            struct Out: Encodable { let voice_id: String; let status: String }
            try context.out(Output.json(Out(voice_id: voice.voice_id, status: "deleted")))
        } else if !inv.flag(.quiet) {
            context.err("elevenlabs: deleted voice '\(Output.clean(voice.name))' (\(voice.voice_id))\n")
        }
    }

    /// `voices preview NAME`: the voice's own sample, played through the same player as speak, or
    /// written with -o. Free: it is a public file, fetched without the key.
    static func preview(_ inv: Invocation, _ context: Context) throws {
        guard inv.operands.count == 2 else {
            throw UsageError("'voices preview' needs one voice name or id", command: "voices")
        }
        let output = inv.value(.output)
        if let output {
            if output == "-" && context.stdoutIsTerminal {
                throw UsageError("refusing to write audio to a terminal", hint: "redirect it to a file", command: "voices")
            }
            if output != "-" { try AtomicFile.check(output, createDirs: inv.flag(.createDirs)) }
        }
        let config = try Resolve.config(inv, context)
        let player = output == nil ? SpeechPipeline.player(device: Resolve.device(inv, context, config: config), input: .mp3, context) : nil
        let session = try Session(inv, context, config: config)
        let voice = try session.voiceResolver.resolve(inv.operands[1])
        guard let url = try session.client.voice(id: voice.voice_id).previewURL, !url.isEmpty else {
            throw CLIError("'\(voice.name)' has no preview", exit: .failure)
        }
        let out = try AudioOutput(format: OutputFormat.safeDefault, path: output, wrapWAV: false, player: player, context: context)
        var done = false
        defer { if !done { out.discard() } }
        try player?.waitUntilReady()
        try out.beginPart()
        try session.client.publicAudio(url: url) { bytes in
            try Signals.check()
            try out.write(bytes)
        }
        try out.finish()
        done = true
    }

    static func show(_ inv: Invocation, _ context: Context) throws {
        guard inv.operands.count == 2 else {
            throw UsageError("'voices show' needs one voice name or id", command: "voices")
        }
        let session = try Session(inv, context)
        let voice = try session.voiceResolver.resolve(inv.operands[1])
        let full = try session.client.voice(id: voice.voice_id)
        if session.json { try context.out(JSONFields.render(row(full, withSettings: true), inv)); return }
        var lines: [[String]] = [["Name", full.name], ["Voice ID", full.voiceID], ["Category", full.category ?? ""]]
        if let d = full.description, !d.isEmpty { lines.append(["Description", d]) }
        for (k, v) in (full.labels ?? [:]).sorted(by: { $0.key < $1.key }) { lines.append(["Label \(k)", v]) }
        if let s = full.settings, !s.isEmpty { lines.append(["Settings", settingsLine(s)]) }
        if let p = full.previewURL { lines.append(["Preview", p]) }
        let w = lines.map { $0[0].count }.max() ?? 0
        try context.out(lines.map { "\($0[0].padding(w))  \(Output.clean($0[1]))\n" }.joined())
    }
}
