// `elevenlabs dictionaries`: the account's pronunciation dictionaries (names said the same way every
// time), listed, shown, and added from a `.pls` lexicon without the web UI. `speak --dict ID` applies them.
import ElevenLabsAPI

enum DictionariesCommand {
    struct Row: Encodable {
        let id: String
        let name: String
        let latest_version_id: String
        let rules: Int
        let created_unix: Int?
        let description: String?
        /// `show` only: the latest version's rules.
        let rule_list: [PronunciationDictionary.Rule]?
        init(_ d: PronunciationDictionary) {
            id = d.id; name = d.name; latest_version_id = d.latestVersionID; rules = d.latestVersionRulesNum
            created_unix = d.creationTimeUnix; description = d.description; rule_list = d.rules
        }
    }

    static func run(_ inv: Invocation, _ context: Context) throws {
        switch inv.operands.first {
        case nil, "list"?, "ls"?: try list(inv, context)
        case "show"?: try show(inv, context)
        case "add"?: try add(inv, context)
        case let verb?:
            let near = nearest(verb, in: ["list", "show", "add"]).map { "; did you mean '\($0)'?" } ?? ""
            throw UsageError("unknown action 'dictionaries \(verb)'\(near)", command: "dictionaries")
        }
    }

    static func list(_ inv: Invocation, _ context: Context) throws {
        if inv.operands.count > 1 { throw UsageError("'dictionaries list' takes no arguments", command: "dictionaries") }
        let session = try Session(inv, context)
        let rows = try session.client.pronunciationDictionaries().map(Row.init)
        if session.json { try context.out(JSONFields.render(rows, inv)); return }
        if rows.isEmpty {
            context.err("elevenlabs: no pronunciation dictionaries yet; add one with: elevenlabs dictionaries add FILE.pls --name NAME\n")
            return
        }
        try context.out(Output.table(["ID", "NAME", "VERSION", "RULES", "CREATED"], rows.map {
            [$0.id, $0.name, $0.latest_version_id, Output.grouped($0.rules), $0.created_unix.map(Output.date) ?? "unknown"]
        }, kinds: [.fixed, .name, .fixed, .fixed, .fixed], context: context))
    }

    static func show(_ inv: Invocation, _ context: Context) throws {
        guard inv.operands.count == 2 else {
            throw UsageError("'dictionaries show' needs one dictionary id", hint: "elevenlabs dictionaries show ID", command: "dictionaries")
        }
        let id = inv.operands[1]
        guard (try? pathID(id)) != nil else {
            throw UsageError("'\(Output.clean(id))' is not a dictionary id (letters, digits, - and _)", command: "dictionaries")
        }
        let session = try Session(inv, context)
        let row = Row(try session.client.pronunciationDictionary(id: id))
        if session.json { try context.out(JSONFields.render(row, inv)); return }
        var lines = [("id", row.id), ("name", row.name), ("latest version", row.latest_version_id),
                     ("rules", Output.grouped(row.rules)), ("created", row.created_unix.map(Output.dateTime) ?? "unknown")]
        if let d = row.description, !d.isEmpty { lines.append(("description", d)) }
        var text = lines.map { "\($0.0): \(Output.clean($0.1))\n" }.joined()
        // Each rule on its line: what is replaced, and how it is said.
        for r in row.rule_list ?? [] {
            let said = r.type == "phoneme" ? "/\(r.phoneme ?? "")/ (\(r.alphabet ?? "?"))" : "\"\(r.alias ?? "")\""
            text += "  \(Output.clean(r.string_to_replace)) -> \(Output.clean(said))\n"
        }
        try context.out(text)
    }

    /// A `.pls` file (W3C Pronunciation Lexicon) is checked locally first, so a wrong file costs no request.
    static func add(_ inv: Invocation, _ context: Context) throws {
        guard inv.operands.count == 2 else {
            throw UsageError("'dictionaries add' needs one .pls file", hint: "elevenlabs dictionaries add names.pls --name Names", command: "dictionaries")
        }
        let file = inv.operands[1]
        guard let name = inv.value(.name), !name.isEmpty else {
            throw UsageError("'dictionaries add' needs --name NAME", hint: "elevenlabs dictionaries add \(file) --name Names", command: "dictionaries")
        }
        guard let head = try? FileIO.read(file, limit: 64 << 20) else {
            throw CLIError("cannot read \(file)", hint: "give the path of a .pls lexicon file", exit: .input)
        }
        guard String(decoding: head.prefix(4096), as: UTF8.self).contains("<lexicon") else {
            throw CLIError("\(file) is not a pronunciation lexicon (no <lexicon> element)",
                           hint: "a .pls file is XML: <lexicon version=\"1.0\" ...><lexeme><grapheme>...", exit: .input)
        }
        let session = try Session(inv, context)
        let added = try session.client.addPronunciationDictionary(name: name, file: file, bytes: head, description: inv.value(.description))
        if session.json {
            struct Added: Encodable { let id: String; let name: String; let version_id: String; let rules: Int }
            try context.out(Output.json(Added(id: added.id, name: added.name, version_id: added.versionID, rules: added.versionRulesNum)))
            return
        }
        try context.out("added '\(Output.clean(added.name))': id \(Output.clean(added.id)), version \(Output.clean(added.versionID)), \(Output.grouped(added.versionRulesNum)) rule\(added.versionRulesNum == 1 ? "" : "s")\n")
        if !inv.flag(.quiet) {
            context.err("elevenlabs: use it with: elevenlabs speak --dict \(Output.clean(added.id)) \"...\"\n")
        }
    }
}
