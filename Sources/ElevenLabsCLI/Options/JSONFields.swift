// What each listing's --json prints, field by field, in the order its table shows them; and the
// selection of fields gh users expect: `--json name,voice_id` prints only those (in this order),
// `--json ?` lists them, plain `--json` prints every field. One table, so `?`, the parser's
// look-ahead and the printed order cannot disagree (a test compares it with what is printed).

enum JSONFields {
    /// By "command verb" (the command alone where it has no verbs): the fields of each object printed.
    /// Objects in a list are printed field by field in this order, then any field not named here.
    static let outputs: [String: [String]] = [
        "voices list": voiceFields,
        "voices search": voiceFields,
        "voices show": ["name", "voice_id", "category", "description", "labels", "settings", "preview_url"],
        "voices settings": ["voice_id", "settings", "defaults"],
        "history list": historyFields,
        "history show": historyFields,
        "history search": historyFields,
        "models": ["model_id", "name", "max_characters_per_request", "credits_per_character", "languages",
                   "description", "can_do_text_to_speech"],
        "dictionaries list": dictionaryFields,
        "dictionaries show": dictionaryFields + ["rule_list"],
        "user": ["tier", "status", "credits_used", "credits_limit", "credits_remaining", "reset_unix",
                 "voice_slots_used", "voice_limit", "concurrency_limit", "api_key", "api_key_source"],
        "config show": ConfigCommand.shownSettings,
        "cache info": ["entries", "bytes", "max_bytes", "directory", "removed"],
        "cache clear": ["entries", "bytes", "directory", "removed"],
        "version": ["version", "commit", "packaging", "libcurl", "tls", "libmpg123", "alsa_lib"],
    ]
    private static let voiceFields = ["voice_id", "name", "category", "labels", "description", "preview_url"]
    private static let historyFields = ["history_item_id", "date_unix", "voice_name", "characters", "text",
                                        "voice_id", "model_id", "content_type", "request_id", "dialogue"]
    private static let dictionaryFields = ["id", "name", "latest_version_id", "rules", "created_unix", "description"]

    /// The key of `outputs` an invocation prints with.
    static func key(_ inv: Invocation) -> String? {
        guard let verb = VerbOptions.verb(of: inv) else { return inv.command == "version" ? "version" : nil }
        return verb.isEmpty ? inv.command : "\(inv.command) \(verb)"
    }

    /// True when `word`, after `--json` on `command`'s line, is a field list rather than an operand:
    /// `?`, or names every one of which some output of the command has. Text and ids never are.
    static func isSelection(_ word: String, command: String?) -> Bool {
        guard let command, word != "" else { return false }
        if word == "?" { return true }
        let known = Set(outputs.filter { $0.key == command || $0.key.hasPrefix(command + " ") }.values.joined())
        guard !known.isEmpty else { return false }
        let parts = word.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        if parts.allSatisfy(known.contains) { return true }
        // A slip in a field list (`name,voise_id`, `nmae`) is taken as one, so the error names the
        // field, not an unknown verb: lower-case field-like words only, and a lone word only when it
        // is near a field and no verb of the command.
        guard parts.allSatisfy({ p in !p.isEmpty && p.allSatisfy { $0 == "_" || ("a"..."z").contains($0) } }) else { return false }
        if parts.count > 1 { return true }
        let verbs = Set(VerbOptions.honours[command]?.keys.map { $0 } ?? []).union(VerbOptions.aliases.keys)
        return !verbs.contains(word) && nearest(word, in: Array(known), maxDistance: 2) != nil
    }

    /// The fields asked for: nil for all of them. Unknown names and a list on an output without
    /// fields are refused (exit 2), before any request.
    static func selection(_ inv: Invocation) throws -> [String]? {
        guard let raw = inv.value(.json), !raw.isEmpty else { return nil }
        let name = key(inv) ?? inv.command
        guard let fields = key(inv).flatMap({ outputs[$0] }) else {
            throw UsageError("'\(name) --json' prints all its fields; it takes no field list", hint: "use --json alone",
                             command: inv.command)
        }
        if raw == "?" { return [] }
        var wanted: [String] = []
        for f in raw.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            guard fields.contains(f) else {
                let near = nearest(f, in: fields).map { "; did you mean '\($0)'?" } ?? ""
                throw UsageError("'\(name) --json' has no field '\(Output.clean(f))'\(near)",
                                 hint: "fields: " + fields.joined(separator: ","), command: inv.command)
            }
            if !wanted.contains(f) { wanted.append(f) }
        }
        // Printed in the table's order, whatever order they were asked in, as gh does.
        return fields.filter(wanted.contains)
    }

    /// `--json ?`: the field names, one per line, and true; false when the run should go on.
    static func answerQuery(_ inv: Invocation, _ context: Context) throws -> Bool {
        guard inv.value(.json) == "?" else { return false }
        _ = try selection(inv) // refuses `?` where there are no fields
        try context.out((key(inv).flatMap { outputs[$0] } ?? []).map { $0 + "\n" }.joined())
        return true
    }

    /// The JSON text of `value` as this invocation asks for it: its objects' fields in table order,
    /// only the selected ones when --json named some.
    static func render<T: Encodable>(_ value: T, _ inv: Invocation) throws -> String {
        let order = key(inv).flatMap { outputs[$0] } ?? []
        return try Output.json(value, order: order, only: try selection(inv))
    }
}
