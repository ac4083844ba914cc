// What every API command needs, resolved once from options, environment and config file in the
// documented order: base URL, API key (and where it came from), timeouts, and the client.
import ElevenLabsAPI

final class Session {
    let config: ConfigFile?
    let keySource: KeySource
    let client: ElevenLabsClient
    let context: Context
    let invocation: Invocation

    init(_ inv: Invocation, _ context: Context) throws {
        self.context = context
        self.invocation = inv
        let env = context.environment
        let config = try ConfigFile.defaultPath(environment: env).flatMap { try ConfigFile.load(path: $0) }
        self.config = config
        if let config, config.isExposed, !inv.flag("quiet") {
            context.err("elevenlabs: warning: \(config.path) holds an API key and others can read it; run: chmod 600 \(config.path)\n")
        }
        let base = try ClientConfiguration.validateBaseURL(
            inv.value("base-url") ?? env["ELEVENLABS_BASE_URL"] ?? config?["base_url"] ?? ClientConfiguration.defaultBaseURL)
        let (key, source) = try Credentials.resolve(keyFileOption: inv.value("api-key-file"), environment: env, config: config)
        self.keySource = source

        var transport = TransportOptions()
        if let t = try inv.double("connect-timeout", in: 0.1...600) { transport.connectTimeout = t }
        if let t = try inv.double("stall-timeout", in: 1...3600) { transport.stallTimeout = t }
        if let ca = inv.value("cacert") {
            guard FileIO.exists(ca) else {
                throw CLIError("--cacert \(ca): no such file", hint: "give a PEM file of CA certificates", exit: .input)
            }
            transport.caFile = ca
        }
        client = ElevenLabsClient(ClientConfiguration(baseURL: base, apiKey: key, transport: transport))
        if inv.flag("verbose") {
            client.trace = { line in context.err("elevenlabs: \(line)\n") }
        }
    }

    var json: Bool { invocation.flag("json") }
}
