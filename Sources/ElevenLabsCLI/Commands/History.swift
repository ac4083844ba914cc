// `elevenlabs history`: generations already paid for — listed newest first across pages, shown,
// played or saved again without spending credits, downloaded under names made here (never paths
// from the server), and deleted.
#if canImport(Glibc)
import Glibc
#endif
import ElevenLabsAPI
import AudioPlayback

enum HistoryCommand {
    struct Row: Encodable {
        let history_item_id: String
        let date_unix: Int
        let voice_id: String?
        let voice_name: String?
        let model_id: String?
        let text: String?
        let characters: Int?
        let content_type: String?
        let request_id: String?
        /// A dialogue's lines, as the service gave them (text, voice_id, voice_name).
        let dialogue: [HistoryItem.DialogueLine]?

        init(_ h: HistoryItem) {
            history_item_id = h.historyItemID; date_unix = h.dateUnix; voice_id = h.voiceID; voice_name = h.shownVoiceName
            model_id = h.modelID; text = h.shownText; content_type = h.contentType; request_id = h.requestID; dialogue = h.dialogue
            // The credits this generation took; nil when the server's numbers make no sense.
            characters = h.characterCountChangeTo.flatMap { to in h.characterCountChangeFrom.flatMap { from in
                let (d, overflow) = to.subtractingReportingOverflow(from)
                return overflow || d < 0 ? nil : d
            } }
        }
    }

    static func run(_ inv: Invocation, _ context: Context) throws {
        switch inv.operands.first {
        case nil, "list", "ls": try list(inv, context) // list verbs, as dictionaries has
        case "search": try list(try VoicesCommand.searching(inv), context)
        case "show": try show(inv, context)
        case "play": try play(inv, context)
        case "save": try save(inv, context)
        case "download": try download(inv, context)
        case "delete": try delete(inv, context)
        case let verb?:
            let verbs = ["list", "search", "show", "play", "save", "download", "delete"]
            let near = nearest(verb, in: verbs).map { "; did you mean '\($0)'?" } ?? ""
            throw UsageError("unknown action 'history \(verb)'\(near)", command: "history")
        }
    }

    static func ids(_ inv: Invocation, exactly one: Bool = false) throws -> [String] {
        let ids = Array(inv.operands.dropFirst())
        for id in ids { _ = try pathID(id) } // `..` must never reach a URL, nor a question about deleting it
        if ids.isEmpty || (one && ids.count != 1) {
            throw UsageError("'history \(inv.operands[0])' needs \(one ? "one history item id" : "one or more history item ids")",
                             hint: "'elevenlabs history' lists them", command: "history")
        }
        return ids
    }

    /// YYYY-MM-DD (UTC midnight) or a unix time.
    static func date(_ inv: Invocation, _ option: OptionName) throws -> Int? {
        let name = option.rawValue
        guard let raw = inv.value(option) else { return nil }
        // Years 1970 to 9999 (a larger one would not fit the C calendar's Int32 and trap).
        if let n = Int(raw), n >= 0 {
            guard n <= 253_402_300_799 else { throw UsageError("--\(name) \(raw) is past the year 9999", command: "history") }
            return n
        }
        let parts = raw.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, (1970...9999).contains(parts[0]), (1...12).contains(parts[1]), (1...31).contains(parts[2]) else {
            throw UsageError("--\(name) needs a date as YYYY-MM-DD or a unix time, not '\(raw)'", command: "history")
        }
        var t = tm()
        t.tm_year = Int32(parts[0] - 1900); t.tm_mon = Int32(parts[1] - 1); t.tm_mday = Int32(parts[2])
        return Int(timegm(&t))
    }

    static func list(_ inv: Invocation, _ context: Context) throws {
        let limit = try inv.integer(.limit, in: 1...100_000) ?? 20
        var q = ElevenLabsClient.HistoryQuery()
        q.after = try date(inv, .after)
        q.before = try date(inv, .before)
        q.search = inv.value(.search)
        q.modelID = inv.value(.model)
        let session = try Session(inv, context)
        if let v = inv.value(.voice) {
            q.voiceID = VoiceResolver.looksLikeID(v) ? v : try session.voiceResolver.resolve(v).voice_id
        }
        var items: [HistoryItem] = []
        var paging = PageGuard(endpoint: "GET /v1/history", maxPages: limit + 1) // each page brings at least one item
        repeat {
            q.pageSize = min(1000, limit - items.count)
            let page = try session.client.history(q)
            items += page.history
            q.startAfter = items.count < limit ? try paging.next(page.lastHistoryItemID, hasMore: page.hasMore, count: page.history.count) : nil
        } while q.startAfter != nil
        let rows = items.prefix(limit).map(Row.init)
        if session.json { try context.out(JSONFields.render(Array(rows), inv)); return }
        if rows.isEmpty { context.err("elevenlabs: no generations match\n"); return }
        let table = rows.map { r -> [String] in
            // The voice's whole name, less a premade voice's description ("Roger - Laid-Back, ...").
            [r.history_item_id, Output.dateTime(r.date_unix), (r.voice_name ?? "").prefixBefore(" - "),
             r.characters.map(String.init) ?? "", (r.text ?? "").replacingNewlines()]
        }
        try context.out(Output.table(["HISTORY ID", "DATE (UTC)", "VOICE", "CHARS", "TEXT"], table, kinds: [.fixed, .fixed, .name, .fixed, .text], context: context))
    }

    static func show(_ inv: Invocation, _ context: Context) throws {
        let id = try ids(inv, exactly: true)[0]
        let session = try Session(inv, context)
        let item = try session.client.historyItem(id: id)
        if session.json { try context.out(JSONFields.render(Row(item), inv)); return }
        var lines: [[String]] = [["History ID", item.historyItemID], ["Date (UTC)", Output.dateTime(item.dateUnix)]]
        if let v = item.shownVoiceName { lines.append(["Voice", v + (item.voiceID.map { " (\($0))" } ?? "")]) }
        if let m = item.modelID { lines.append(["Model", m]) }
        if let c = Row(item).characters { lines.append(["Credits", String(c)]) }
        if let f = item.outputFormat ?? item.contentType { lines.append(["Format", f]) }
        if let r = item.requestID { lines.append(["Request ID", r]) }
        if let t = item.shownText { lines.append(["Text", t.replacingNewlines()]) }
        let w = lines.map { $0[0].count }.max() ?? 0
        try context.out(lines.map { "\($0[0].padding(w))  \(Output.clean($0[1]))\n" }.joined())
    }

    /// Replays audio already paid for, through the same player and output as `speak`.
    static func play(_ inv: Invocation, _ context: Context) throws {
        let id = try ids(inv, exactly: true)[0]
        let config = try Resolve.config(inv, context)
        let player = SpeechPipeline.player(device: Resolve.device(inv, context, config: config), input: .mp3, context)
        let session = try Session(inv, context, config: config)
        let out = try AudioOutput(format: OutputFormat.safeDefault, path: nil, wrapWAV: false, player: player, context: context)
        var done = false
        defer { if !done { out.discard() } }
        try player.waitUntilReady()
        try out.beginPart()
        try session.client.historyAudio(id: id, onHead: { head in
            guard head.contentType?.hasPrefix("audio/mpeg") != false else {
                throw CLIError("this generation is \(head.contentType ?? "not MP3") audio, which cannot be played here",
                               hint: "save it with 'elevenlabs history save \(id) -o FILE'", exit: .audio)
            }
        }, onAudio: { bytes in
            try Signals.check()
            try out.write(bytes)
        })
        try out.finish()
        done = true
    }

    static func save(_ inv: Invocation, _ context: Context) throws {
        let id = try ids(inv, exactly: true)[0]
        // Without -o, standard output when it is not a terminal (`history save ID > take.mp3`), as speak does.
        guard let output = inv.value(.output) ?? (context.stdoutIsTerminal ? nil : "-") else {
            throw UsageError("'history save' needs -o FILE, or standard output redirected to a file or a pipe", command: "history")
        }
        if output == "-" && context.stdoutIsTerminal {
            throw UsageError("refusing to write audio to a terminal", hint: "redirect it to a file", command: "history")
        }
        let lower = output.lowercased()
        if output != "-" {
            guard lower.hasSuffix(".mp3") || lower.hasSuffix(".wav") || !output.split(separator: "/").last!.contains(".") else {
                throw UsageError("a generation's audio is MP3: save it as .mp3, or as .wav to have it decoded", command: "history")
            }
            try AtomicFile.check(output, createDirs: inv.flag(.createDirs))
        }
        let session = try Session(inv, context)
        if lower.hasSuffix(".wav") { try saveWAV(id: id, to: output, session: session); return }
        let out = try AudioOutput(format: OutputFormat.safeDefault, path: output, wrapWAV: false, player: nil, context: context)
        var done = false
        defer { if !done { out.discard() } }
        try out.beginPart()
        try session.client.historyAudio(id: id) { bytes in
            try Signals.check()
            try out.write(bytes)
        }
        try out.finish()
        done = true
    }

    /// `.wav`: the MP3 decoded (libmpg123) into 16-bit PCM in a RIFF header, so the name tells the truth.
    /// The header goes first once the first frame tells the format, with the streaming sizes ("until
    /// the end"); a regular file then gets its real sizes patched in, while a FIFO, which cannot be
    /// rewound, keeps the streaming header that players and sox read.
    static func saveWAV(id: String, to output: String, session: Session) throws {
        let file = try AtomicFile(path: output)
        defer { file.discard() }
        let decoder = try MP3Decoder()
        var format: PCMFormat?
        try session.client.historyAudio(id: id) { bytes in
            try Signals.check()
            try decoder.feed(bytes) { f, pcm in
                if format == nil {
                    try AudioFormats.wavHeader(sampleRate: f.sampleRate, channels: f.channels, dataBytes: nil).withUnsafeBytes { try file.write($0) }
                }
                format = f
                try file.write(pcm)
            }
        }
        guard let format else { throw CLIError("the generation's audio could not be decoded", exit: .audio) }
        try file.patch(AudioFormats.wavHeader(sampleRate: format.sampleRate, channels: format.channels, dataBytes: file.bytesWritten - 44), at: 0)
        try file.commit()
    }

    /// One file per generation, named here from its date, voice, text and id; the server names
    /// nothing. Idempotent, as gh's `release download --skip-existing`: a file already there (the
    /// name is the same each time) is kept and skipped unless --clobber; DIR is made when missing,
    /// by the rule every --out-dir follows.
    static func download(_ inv: Invocation, _ context: Context) throws {
        let list = try ids(inv)
        guard let given = inv.value(.outDir) else {
            throw UsageError("'history download' needs --out-dir DIR", command: "history")
        }
        let dir = given.hasSuffix("/") && given.count > 1 ? String(given.dropLast()) : given
        var st = stat()
        if stat(dir, &st) == 0 && st.st_mode & S_IFMT != S_IFDIR {
            throw CLIError("--out-dir \(given) is not a directory", hint: "name a directory (it is created when missing)", exit: .input)
        }
        try AtomicFile.checkDirectory(dir, for: "into --out-dir \(given)", createDirs: inv.flag(.createDirs))
        let session = try Session(inv, context)
        try AtomicFile.makeDirectories(dir, for: "--out-dir \(given)")
        var written: [String] = [], skipped = 0
        for id in list {
            try Signals.check()
            let item = try session.client.historyItem(id: id)
            let path = "\(dir)/\(fileName(item)).\(fileExtension(item))"
            if FileIO.exists(path) && !inv.flag(.clobber) {
                skipped += 1
            } else {
                let file = try AtomicFile(path: path)
                defer { file.discard() }
                try session.client.historyAudio(id: id) { bytes in try file.write(bytes) }
                try file.commit()
            }
            written.append(path)
            // Each path as it completes (or is found already there), so scripts can pipe the list on.
            if !session.json { try context.out(path + "\n") }
        }
        if skipped > 0 && !inv.flag(.quiet) {
            context.err("elevenlabs: \(skipped) of \(list.count) already in \(given), kept (--clobber downloads them again)\n")
        }
        if session.json { try context.out(Output.json(written)) }
    }

    /// `DATE_VOICE_TEXT_ID`: the same name every time for the same generation (so a second download
    /// finds it), and never the same for two (the id's first characters tell them apart).
    static func fileName(_ item: HistoryItem) -> String {
        let date = Output.dateTime(item.dateUnix).replacingOccurrences(" ", "_").replacingOccurrences(":", "")
        let voice = slug(item.shownVoiceName?.split(separator: " ").first.map(String.init) ?? "voice", max: 20)
        let words = slug((item.text?.isEmpty == false ? item.text : item.dialogue?.first?.text) ?? "", max: 40)
        let id = slug(item.historyItemID, max: 8, lowercase: false)
        return [date, voice, words, id].filter { !$0.isEmpty }.joined(separator: "_")
    }

    /// Letters (of any script: Siobhán stays Siobhán), digits and dashes only: nothing from the
    /// server can make a path, a hidden file or a terminal escape.
    static func slug(_ s: String, max: Int, lowercase: Bool = true) -> String {
        var out = ""
        var dash = false
        for c in lowercase ? s.lowercased() : s {
            if c.isLetter || c.isNumber { out.append(c); dash = false }
            else if !dash && !out.isEmpty { out.append("-"); dash = true }
            if out.count >= max { break }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out
    }

    static func fileExtension(_ item: HistoryItem) -> String {
        if let known = item.outputFormat.flatMap(OutputFormat.init) { return known.fileExtension }
        if item.contentType == "audio/wav" { return "wav" }
        // A format name this tool does not know (the server's may be newer): its codec, if it names one.
        let codec = (item.outputFormat ?? "").prefix { $0 != "_" }
        return OutputFormat.Codec(rawValue: String(codec))?.rawValue ?? "mp3"
    }

    static func delete(_ inv: Invocation, _ context: Context) throws {
        let list = try ids(inv)
        let what = list.count == 1 ? "the history item \(list[0])" : "\(list.count) history items (\(list.joined(separator: ", ")))"
        guard try Prompt.confirm(delete: what, inv, context) else { throw CLIError("nothing deleted", exit: .failure) }
        let session = try Session(inv, context)
        for id in list {
            try session.client.deleteHistoryItem(id: id)
            if !inv.flag(.quiet) && !session.json { context.err("elevenlabs: deleted \(id)\n") }
        }
        if session.json { try context.out(Output.json(list)) }
    }
}

extension String {
    func replacingOccurrences(_ a: Character, _ b: String) -> String {
        var out = ""
        for c in self { if c == a { out += b } else { out.append(c) } }
        return out
    }
}
