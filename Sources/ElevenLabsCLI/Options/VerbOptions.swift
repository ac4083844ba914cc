// Which options each verb of the other commands honours, in one table, as SpeechPaths does for
// speak: `voices show --device x` or `history play --limit 3` is refused (exit 2, before anything is
// sent), naming the option and the verb and where the option belongs, never silently dropped.
// Global options shape the connection, which every verb makes; --json shapes what is printed, so
// it is the verb's.

enum VerbOptions {
    /// Per command, per verb ("" for a command without verbs), the options it gives a meaning to.
    static let honours: [String: [String: Set<OptionName>]] = [
        "voices": [
            "list": [.search, .category, .gender, .accent, .age, .language, .json],
            "search": [.category, .gender, .accent, .age, .language, .json],
            "show": [.json],
            "settings": [.stability, .similarityBoost, .style, .speakerBoost, .noSpeakerBoost, .speed, .json],
            "delete": [.yes, .json],
            "preview": [.output, .device, .createDirs],
        ],
        "history": [
            "list": [.limit, .search, .model, .voice, .after, .before, .json],
            "search": [.limit, .model, .voice, .after, .before, .json],
            "show": [.json],
            "play": [.device],
            "save": [.output, .createDirs],
            "download": [.outDir, .createDirs, .clobber, .json],
            "delete": [.yes, .json],
        ],
        "clone": [
            "": [.label, .description, .allowDuplicate, .removeBackgroundNoise, .json],
            "edit": [.name, .label, .description, .allowDuplicate, .removeBackgroundNoise, .json],
        ],
        "dictionaries": ["list": [.json], "show": [.json], "add": [.name, .description, .json]],
        "config": ["show": [.json], "set": [], "unset": [], "path": []],
        "models": ["": [.json]],
        "user": ["": [.json]],
        "cache": ["info": [.json], "clear": [.json], "path": []],
        "version": ["": [.json]],
        "completion": ["": []],
    ]

    /// The verb when no verb is named, and the other spellings of verbs.
    static let defaultVerb: [String: String] = ["voices": "list", "history": "list", "dictionaries": "list", "config": "show", "clone": "", "cache": "info"]
    static let aliases: [String: String] = ["ls": "list"]

    /// The verb an invocation names (its first operand, when that is one of the command's verbs),
    /// the command's default verb, or nil for a word that is not a verb (the command says so).
    static func verb(of inv: Invocation) -> String? {
        guard let verbs = honours[inv.command] else { return nil }
        if verbs.count == 1, verbs[""] != nil { return "" }
        if let first = inv.operands.first {
            let verb = aliases[first] ?? first
            if verbs[verb] != nil { return verb }
            // clone's first operand is the new voice's name, not a verb.
            return inv.command == "clone" ? "" : nil
        }
        return defaultVerb[inv.command]
    }

    /// Refuses the first option the invocation's verb does not honour.
    static func check(_ inv: Invocation) throws {
        guard let verb = verb(of: inv), let honoured = honours[inv.command]?[verb] else { return }
        for option in OptionName.allCases where inv.values[option] != nil {
            if OptionTable.spec(option).isGlobal && option != .json { continue }
            if honoured.contains(option) { continue }
            let name = verb.isEmpty ? inv.command : "\(inv.command) \(verb)"
            let owners = (honours[inv.command] ?? [:]).filter { $0.value.contains(option) }.keys.sorted()
                .map { $0.isEmpty ? inv.command : "\(inv.command) \($0)" }
            throw UsageError("\(SpeechPaths.spelled(option)) does not apply to '\(name)'",
                             hint: owners.isEmpty ? "leave it out" : "it is for \(owners.map { "'\($0)'" }.joined(separator: " and "))",
                             command: inv.command)
        }
    }
}
