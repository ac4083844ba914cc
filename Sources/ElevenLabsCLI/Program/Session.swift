// What every API command needs, resolved once from options, environment and config file in the
// documented order: base URL, API key (and where it came from), timeouts, and the client.
import ElevenLabsAPI
import ThreadSupport

/// Used by one thread at a time (it holds a libcurl handle): a batch gives each worker its own,
/// made on the worker's thread, so it is not Sendable and the compiler keeps it on one thread.
final class Session {
    let config: ConfigFile?
    let keySource: KeySource
    let client: ElevenLabsClient
    let context: Context
    let invocation: Invocation

    let cache: Cache

    /// Reads the config file (nil when there is none). Commands that validate their input before
    /// contacting the API load it first and pass it on.
    static func loadConfig(_ inv: Invocation, _ context: Context) throws -> ConfigFile? {
        let config = try ConfigFile.defaultPath(environment: context.environment).flatMap { try ConfigFile.load(path: $0) }
        Timeline.mark("config file read")
        // Warnings, which --quiet keeps (it drops notes, retries and progress).
        if let config {
            for (_, message) in config.ignored { context.err("elevenlabs: warning: \(message)\n") }
        }
        if let config, config.isExposed {
            context.err("elevenlabs: warning: \(config.path) holds an API key and others can read it; run: chmod 600 \(config.path)\n")
        }
        if let config, config.isWritableByOthers {
            context.err("elevenlabs: warning: others can change \(config.path) (and so where your key is sent); run: chmod go-w \(config.path)\n")
        }
        return config
    }

    convenience init(_ inv: Invocation, _ context: Context) throws {
        try self.init(inv, context, config: try Session.loadConfig(inv, context))
    }

    /// `deadline`: when everything this session sends must be over (TransportOptions.deadline).
    init(_ inv: Invocation, _ context: Context, config: ConfigFile?, deadline: Double? = nil) throws {
        self.context = context
        self.invocation = inv
        let env = context.environment
        self.config = config
        let base = try ClientConfiguration.validateBaseURL(
            inv.value(.baseURL) ?? env["ELEVENLABS_BASE_URL"] ?? config?["base_url"] ?? ClientConfiguration.defaultBaseURL)
        let (key, source) = try Credentials.resolve(keyFileOption: inv.value(.apiKeyFile), environment: env, config: config)
        Timeline.mark("API key found")
        self.keySource = source
        context.run.keySource.note { $0 = source.description }
        if let exposed = Credentials.exposedKeyFile(source) {
            context.err("elevenlabs: warning: the key file \(exposed) can be read by others; run: chmod 600 \(exposed)\n")
        }

        cache = Cache(context: context, baseURL: base, apiKey: key)
        var transport = TransportOptions()
        transport.shouldAbort = context.isInterrupted
        if let t = try inv.double(.connectTimeout, in: 0.1...600) { transport.connectTimeout = t }
        if let t = try inv.double(.stallTimeout, in: 1...3600) { transport.stallTimeout = t }
        if let t = try inv.double(.firstByteTimeout, in: 1...3600) { transport.firstByteTimeout = t }
        if let ca = inv.value(.cacert) {
            guard FileIO.exists(ca) else {
                throw CLIError("--cacert \(ca): no such file", hint: "give a PEM file of CA certificates", exit: .input)
            }
            transport.caFile = ca
        }
        transport.deadline = deadline
        transport.userAgent = "elevenlabs-cli/\(BuildInfo.version)"
        var configuration = ClientConfiguration(baseURL: base, apiKey: key, transport: transport)
        if let n = try inv.integer(.retries, in: 0...10) { configuration.retry.maxRetries = n }
        client = context.makeClient(configuration)
        Timeline.mark("client ready (metadata cache, transport)")
        if !inv.flag(.quiet) {
            client.onRetry = { notice in
                context.err("elevenlabs: \(Output.clean(notice.reason)); trying again in \(Output.decimal((notice.delay * 10).rounded() / 10)) s (attempt \(notice.attempt) of \(notice.attempts))\n")
            }
        }
        if inv.flag(.verbose) {
            client.trace = { line in context.err("elevenlabs: \(Output.clean(line))\n") }
        }
    }

    var json: Bool { invocation.flag(.json) }

    func setUploadProgress(_ report: @escaping @Sendable (Int64, Int64) -> Void) {
        client.setUploadProgress(report)
    }
    private let voiceMemo = VoiceListMemo()
    var voiceResolver: VoiceResolver { VoiceResolver(client: client, cache: cache, memo: voiceMemo) }

    /// The model list, from the cache when fresh; `refresh` fetches it again.
    func models(refresh: Bool = false) throws -> [CachedModel] {
        if !refresh, let cached = cache.load("models", as: CachedModel.self) { return cached }
        let models = try client.models().map {
            CachedModel(model_id: $0.modelID, name: $0.name, max_characters: $0.characterLimit(), credits_per_character: $0.costPerCharacter,
                        languages: ($0.languages ?? []).map(\.languageID))
        }
        cache.store("models", models)
        return models
    }
}
