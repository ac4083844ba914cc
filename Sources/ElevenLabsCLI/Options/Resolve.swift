// The one place where the configuration's layers meet: an option wins over its environment variable,
// which wins over the config file, which wins over the default. Voices, models and devices are
// resolved here for every command that takes them.
import ElevenLabsAPI

enum Resolve {
    static let defaultModel = "eleven_multilingual_v2"
    /// The smallest per-request limit of any current model: shorter texts need no model lookup.
    static let smallestModelLimit = 3_000
    /// No real model takes fewer characters per request than this.
    static let minimumModelLimit = 100

    /// Concurrent requests per plan for Multilingual v2 (contract §9); flash/turbo models allow twice as many.
    static let concurrencyByTier: [String: Int] = ["free": 2, "starter": 3, "creator": 5, "pro": 10, "scale": 15, "business": 15]

    static func concurrency(tier: String) -> Int? { concurrencyByTier[tier.lowercased()] }

    /// Requests a batch may run at once with `model` (an unknown plan counts as the smallest).
    static func concurrency(tier: String, model: String) -> Int {
        (concurrency(tier: tier) ?? 2) * (model.contains("flash") || model.contains("turbo") ? 2 : 1)
    }

    /// The config file, with its permission warnings (nil when there is none).
    static func config(_ inv: Invocation, _ context: Context) throws -> ConfigFile? {
        try Session.loadConfig(inv, context)
    }

    /// The voice as given, or nil for the default voice.
    static func voiceSpec(_ inv: Invocation, _ context: Context, config: ConfigFile?) -> String? {
        inv.value(.voice) ?? context.environment["ELEVENLABS_VOICE"] ?? config?["voice"]
    }

    /// Where a setting's value came from, when not from its option: named in errors about it.
    static func source(_ option: OptionName, env: String, configKey: String, _ inv: Invocation, _ context: Context, config: ConfigFile?) -> String? {
        if inv.value(option) != nil { return nil }
        if context.environment[env] != nil { return env }
        if config?[configKey] != nil { return config!.source(of: configKey) }
        return nil
    }

    /// Runs `body`; an error about the value is told where the value came from.
    static func naming<T>(_ source: String?, _ body: () throws -> T) throws -> T {
        guard let source else { return try body() }
        do { return try body() } catch let e as CLIError {
            throw CLIError(e.message + " (from \(source))", hint: e.hint, exit: e.exitCode)
        } catch let e as UsageError {
            throw UsageError(e.message + " (from \(source))", hint: e.hint, command: e.command)
        }
    }

    /// Short names people use for the current models.
    static let modelAliases = ["flash": "eleven_flash_v2_5", "turbo": "eleven_turbo_v2_5", "v3": "eleven_v3",
                               "multilingual": "eleven_multilingual_v2"]

    static func modelSpec(_ inv: Invocation, _ context: Context, config: ConfigFile?) -> (id: String, explicit: Bool) {
        let given = inv.value(.model) ?? context.environment["ELEVENLABS_MODEL"] ?? config?["model"] ?? defaultModel
        return (modelAliases[given.lowercased()] ?? given, inv.value(.model) != nil)
    }

    static func device(_ inv: Invocation, _ context: Context, config: ConfigFile?) -> String {
        inv.value(.device) ?? context.environment["ELEVENLABS_DEVICE"] ?? config?["device"] ?? "default"
    }

    /// The voice's id: an id as it is, a name through the account's (cached) voice list.
    static func voiceID(_ spec: String?, session: Session) throws -> String {
        guard let spec else { return VoiceResolver.defaultVoiceID }
        return VoiceResolver.looksLikeID(spec) ? spec : try session.voiceResolver.resolve(spec).voice_id
    }

    /// The model (its id may differ from what was given: a display name), checked to exist before any
    /// text is sent; nil when the check was skipped (the
    /// default model with a short text needs none, which keeps the common case free of round trips).
    /// With `language`, the model is always looked up, and must speak it.
    static func model(_ id: String, explicit: Bool, characters: Int, language: String? = nil, session: Session) throws -> CachedModel? {
        if !explicit && id == defaultModel && characters <= smallestModelLimit && language == nil { return nil }
        var models = try session.models()
        // An id, or a display name ("Eleven Flash v2.5"), in any case.
        let matches = { (m: CachedModel) in m.model_id == id || m.name?.lowercased() == id.lowercased() }
        // A cached list from before languages were kept is fetched again when a language is to be checked.
        if !models.contains(where: matches) || (language != nil && models.first(where: matches)?.languages == nil) {
            models = try session.models(refresh: true)
        }
        guard let model = models.first(where: matches) else {
            // Slips of the short names too (`flahs` → flash), not only of the full ids.
            let near = (nearest(id, in: Array(modelAliases.keys).sorted(), maxDistance: id.count <= 5 ? 2 : 3)
                        ?? nearest(id, in: models.map(\.model_id), maxDistance: 6)).map { "; did you mean '\($0)'?" } ?? ""
            throw UsageError("unknown model '\(id)'\(near)", hint: "'elevenlabs models' lists them", command: "speak")
        }
        // A limit from the server is used to split the text: an absurd one must not make thousands of
        // requests (or none).
        if let limit = model.max_characters, limit < minimumModelLimit {
            throw CLIError("the server gave '\(id)' an impossible per-request limit (maximum_text_length_per_request \(limit))", exit: .failure)
        }
        if let language, ModelRules.supportsLanguageCode(model.model_id), let spoken = model.languages, !spoken.isEmpty,
           !spoken.contains(language) {
            let near = nearest(language, in: spoken, maxDistance: 1).map { "; did you mean '\($0)'?" } ?? ""
            throw UsageError("\(model.model_id) does not speak '\(Output.clean(language))'\(near)",
                             hint: "its languages: " + spoken.joined(separator: ", "), command: "speak")
        }
        return model
    }

    /// Names the latest version of each dictionary given without one (a request each).
    static func dictionaryVersions(_ locators: [DictionaryLocator], session: Session) throws -> [DictionaryLocator] {
        try locators.map { l in
            guard l.version_id == nil else { return l }
            let d = try session.client.pronunciationDictionary(id: l.pronunciation_dictionary_id)
            return DictionaryLocator(id: l.pronunciation_dictionary_id, version: try pathID(d.latestVersionID))
        }
    }
}
