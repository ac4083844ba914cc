// `elevenlabs __complete KIND`: the values the shell completions offer, one per line as
// "VALUE<TAB>DESCRIPTION". The shells quote what they insert; this only has to be right and fast.
// Voices and models come from the account's cache, fetched once (short timeouts) when it is missing;
// history ids need the network (one page). It never prints an error: a Tab must not spill text.
import ElevenLabsAPI
import ThreadSupport
import AudioPlayback

enum CompleteCommand {
    static let kinds = ["voices", "models", "history", "formats", "devices", "settings"]

    static func run(_ args: [String], _ shown: Context) {
        guard args.count == 1 else { return }
        // A Tab must not spill text: warnings (which --quiet keeps) go nowhere here.
        let context = Context(stdout: shown.stdout, stderr: OutputStream(capturing: ()), stdinFD: shown.stdinFD,
                              environment: shown.environment, stdoutIsTerminal: shown.stdoutIsTerminal, stderrIsTerminal: false,
                              stdinIsTerminal: shown.stdinIsTerminal, terminalWidth: shown.terminalWidth, startTime: shown.startTime,
                              makeSink: shown.makeSink, makeClient: shown.makeClient, isInterrupted: shown.isInterrupted)
        let lines = (try? values(args[0], context)) ?? []
        // A value goes onto the command line as it is: one with control or direction-changing
        // characters (or a tab or newline, which would split the line) is left out, never altered.
        let text = lines.filter { !$0.value.isEmpty && Output.clean($0.value) == $0.value && !hasShellSyntax($0.value) }
            .map { $0.description.isEmpty ? $0.value : "\($0.value)\t\(Output.clean($0.description))" }.joined(separator: "\n")
        if !text.isEmpty { try? context.out(text + "\n") }
    }

    /// Characters that mean something to a shell inside double quotes, single quotes or none (`$`,
    /// backquote, quotes, backslash, `!` for history expansion): a completion inserted into an open
    /// quote is not escaped, so a value holding one could end the quote and run what follows.
    static let shellSpecial: Set<Character> = ["$", "`", "\"", "'", "\\", "!"]
    static func hasShellSyntax(_ value: String) -> Bool { value.contains { shellSpecial.contains($0) } }

    static func values(_ kind: String, _ context: Context) throws -> [(value: String, description: String)] {
        switch kind {
        case "formats":
            return AudioFormats.names.map { ($0, "") }
        case "devices":
            return ALSASink.devices().map { ($0.name, $0.description) }
        case "settings":
            return ConfigFile.knownKeys.map { ($0, "") }
        case "voices":
            let session = try quickSession(context)
            // An empty list is how clone and delete mark the cache stale.
            let cached = session.cache.load("voices", as: VoiceRef.self) ?? []
            let voices = cached.isEmpty ? try session.voiceResolver.fetchAll() : cached
            // The short name when it is the only one of its kind (what people type), else the full name.
            var count: [String: Int] = [:]
            for v in voices { count[v.shortName.lowercased(), default: 0] += 1 }
            return voices.sorted { $0.name.lowercased() < $1.name.lowercased() }.map { v in
                // A name that cannot go onto a command line safely is offered by its id (which is
                // letters and digits: checked as any id that goes into a URL).
                if Output.clean(v.name) != v.name || hasShellSyntax(v.name) {
                    return ((try? pathID(v.voice_id)) ?? "", v.name)
                }
                return count[v.shortName.lowercased()] == 1 ? (v.shortName, v.name == v.shortName ? (v.category ?? "") : v.name) : (v.name, v.category ?? "")
            }
        case "models":
            let session = try quickSession(context)
            let models = try session.models()
            var out = models.map { ($0.model_id, $0.name ?? "") }
            for (alias, id) in Resolve.modelAliases.sorted(by: { $0.key < $1.key }) where models.contains(where: { $0.model_id == id }) {
                out.append((alias, id))
            }
            return out
        case "history":
            let session = try quickSession(context)
            var q = ElevenLabsClient.HistoryQuery()
            q.pageSize = 50
            return try session.client.history(q).history.map { item in
                let voice = item.voiceName ?? ""
                let text = (item.text ?? "").prefix(40)
                return ((try? pathID(item.historyItemID)) ?? "", "\(voice): \(text)")
            }
        default:
            return []
        }
    }

    /// A session for a Tab press: no retries and short timeouts, so an unreachable API costs a
    /// second or two, never a hung prompt; no warnings. However the requests add up (pages of
    /// voices, a server trickling bytes), 3 s in all, unless ELEVENLABS_COMPLETE_TIMEOUT gives a slow
    /// link (or a loaded machine) longer: each request's own limits grow with it.
    static func quickSession(_ context: Context) throws -> Session {
        let allowed = context.environment["ELEVENLABS_COMPLETE_TIMEOUT"].flatMap(Double.init).flatMap { (0.5...60).contains($0) ? $0 : nil } ?? 3
        let each = Output.decimal(max(1, allowed)), connect = Output.decimal(max(1, min(allowed, 10) * 2 / 3))
        guard case .run(let inv) = try CommandLineParser.parse(["user", "--quiet", "--retries", "0", "--connect-timeout", connect,
                                                                  "--first-byte-timeout", each, "--stall-timeout", each]) else {
            throw CLIError("unreachable", exit: .failure)
        }
        return try Session(inv, context, config: try Session.loadConfig(inv, context), deadline: monotonicSeconds() + allowed)
    }
}
