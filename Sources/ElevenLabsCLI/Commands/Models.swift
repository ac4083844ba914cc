// `elevenlabs models`: the models, with the per-request character limit and the credit cost that
// decide how text is chunked and what it costs.
import ElevenLabsAPI

enum ModelsCommand {
    struct Row: Encodable {
        let model_id: String
        let name: String
        let description: String?
        let can_do_text_to_speech: Bool
        let max_characters_per_request: Int?
        let credits_per_character: Double
        let languages: [String]
    }

    static func run(_ inv: Invocation, _ context: Context) throws {
        // `models list` / `models ls`, as the other listings take them.
        if !(inv.operands.count == 1 && ["list", "ls"].contains(inv.operands[0])) { try CLI.expectNoOperands(inv) }
        let session = try Session(inv, context)
        let models = try session.client.models()
        session.cache.store("models", models.map {
            CachedModel(model_id: $0.modelID, name: $0.name, max_characters: $0.characterLimit(), credits_per_character: $0.costPerCharacter,
                        languages: ($0.languages ?? []).map(\.languageID))
        })
        let rows = models.map { m in
            Row(model_id: m.modelID, name: m.name ?? m.modelID, description: m.description,
                can_do_text_to_speech: m.canDoTextToSpeech ?? true,
                max_characters_per_request: m.characterLimit(),
                credits_per_character: m.costPerCharacter,
                languages: (m.languages ?? []).map(\.languageID))
        }
        if session.json { try context.out(JSONFields.render(rows, inv)); return }
        if rows.isEmpty { context.err("elevenlabs: no models\n"); return }
        let table = rows.map { r -> [String] in
            // Every language, counted when there are many; the table cuts the list on a narrow
            // terminal, never into a pipe.
            let langs = (r.languages.count > 4 ? "\(r.languages.count): " : "") + r.languages.joined(separator: ", ")
            return [r.model_id, r.name, r.max_characters_per_request.map(Output.grouped) ?? "?",
                    Output.decimal(r.credits_per_character), langs]
        }
        try context.out(Output.table(["MODEL", "NAME", "MAX CHARS", "CREDITS/CHAR", "LANGUAGES"], table, kinds: [.fixed, .name, .fixed, .fixed, .text], context: context))
    }
}
