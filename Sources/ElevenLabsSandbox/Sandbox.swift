// The ElevenLabs emulator: a real HTTP and WebSocket server on a loopback port that answers the
// endpoints this CLI uses exactly as the contract describes, including the service's failures.
// Tests run it in-process on port 0; users run it as `elevenlabs-sandbox` to try the CLI offline.
import Foundation
import FlyingFox
import FlyingSocks

/// Failures and pacing to inject. "First N" counters apply to audio requests (text to speech and
/// history audio) in arrival order.
public struct Faults: Sendable {
    /// Delay before the response head of an audio request, in seconds (the service's latency).
    public var firstByteDelay: Double = 0
    /// Body bytes per chunk of a streamed answer (rounded to whole MP3 frames or samples).
    public var chunkSize: Int = 4096
    /// Pause between streamed chunks, in seconds.
    public var chunkDelay: Double = 0
    /// 429 `too_many_concurrent_requests` for the first N audio requests.
    public var rateLimitFirst: Int = 0
    /// Sends `Retry-After` (seconds) with injected 429s when set.
    public var retryAfter: Int? = nil
    /// 429 `too_many_concurrent_requests` whenever more audio requests than this are in flight.
    public var concurrencyLimit: Int? = nil
    /// 429 `system_busy` for the first N audio requests (after any rate-limited ones).
    public var systemBusyFirst: Int = 0
    /// 5xx for the first N audio requests (after the 429s).
    public var serverErrorFirst: Int = 0
    public var serverErrorStatus: Int = 500
    /// A gateway's HTML 502 page instead of the API for the first N requests of any kind.
    public var htmlErrorFirst: Int = 0
    /// Close the connection after this many body bytes of an audio answer...
    public var cutAfterBytes: Int? = nil
    /// ...for the first N audio answers only (0: every one).
    public var cutFirst: Int = 0
    /// ...after this many audio answers were left whole.
    public var cutSkip: Int = 0
    /// Stop sending, but keep the connection open, after this many body bytes of an audio answer.
    public var stallAfterBytes: Int? = nil
    /// JSON endpoints answer 200 with a truncated document.
    public var malformedJSON: Bool = false
    /// Audio endpoints answer 200 with a JSON body instead of audio (a misbehaving proxy or cache).
    public var jsonInsteadOfAudio: Bool = false
    /// Audio endpoints answer 200 with an empty body.
    public var emptyAudio: Bool = false
    /// Audio answers carry an extra header of this many bytes (a hostile or broken server).
    public var hugeHeaderBytes: Int? = nil
    /// JSON answers carry hostile values: numbers and strings replaced, chosen by this seed (see
    /// HostileValues). For tests that a client never crashes on what a server says.
    public var hostileSeed: UInt64? = nil
    /// History pages hold at most this many items whatever page_size asks (servers may return fewer).
    public var historyPageCap: Int? = nil
    public init() {}
}

public struct SandboxConfiguration: Sendable {
    public static let defaultAPIKey = "sk_sandbox_0123456789abcdef"
    /// Keys the sandbox accepts.
    public var apiKeys: Set<String> = [SandboxConfiguration.defaultAPIKey]
    /// Keys accepted but lacking the listed permissions (401 `missing_permissions`).
    public var restrictedKeys: [String: Set<String>] = [:]
    public var tier: String = "creator"
    /// Credits per period; nil takes the tier's usual amount.
    public var characterLimit: Int? = nil
    public var characterCount: Int = 0
    /// Cloned voices added to the premade ones, for paging tests.
    public var extraVoices: Int = 0
    public var faults = Faults()
    public init() {}
}

/// One request as the sandbox received it. The API key is masked as the CLI masks it.
public struct RecordedRequest: Sendable {
    public struct Part: Sendable {
        public let name: String
        public let filename: String?
        public let contentType: String?
        public let body: Data
        public var text: String { String(decoding: body, as: UTF8.self) }
    }
    public let method: String
    public let path: String
    public let query: [(name: String, value: String)]
    /// Lower-cased names.
    public let headers: [String: String]
    public let body: Data
    public let parts: [Part]
    /// For WebSocket sessions: every text message the client sent, in order.
    public var messages: [String] = []
    /// For WebSocket sessions: every text message the sandbox sent, in order.
    public var replies: [String] = []
    public var status: Int = 0
    public let startedAt: Date
    /// The client's address and port: requests with the same value came over one TCP connection.
    public var connection: String = ""

    public func queryValue(_ name: String) -> String? { query.first { $0.name == name }?.value }
    public func queryValues(_ name: String) -> [String] { query.filter { $0.name == name }.map(\.value) }
    public var json: Any? { try? JSONSerialization.jsonObject(with: body) }
    public var jsonObject: [String: Any]? { json as? [String: Any] }
}

public final class Sandbox: @unchecked Sendable { // server, task and port are set by start() before use; the rest is SandboxState's
    let state: SandboxState
    private var server: HTTPServer?
    private var task: Task<Void, Error>?
    public private(set) var port: UInt16 = 0

    public init(_ configuration: SandboxConfiguration = SandboxConfiguration()) {
        state = SandboxState(configuration)
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts listening on 127.0.0.1 (port 0 picks a free one) and returns once connections are accepted.
    @discardableResult
    public func start(port: UInt16 = 0, host: String = "127.0.0.1") async throws -> UInt16 {
        if port != 0 { try Self.checkFree(host: host, port: port) }
        let address = try sockaddr_in.inet(ip4: host, port: port)
        let server = HTTPServer(address: address, timeout: 600, logger: .disabled, handler: Router(state: state))
        self.server = server
        task = Task { try await server.run() }
        try await server.waitUntilListening(timeout: 10)
        if case .ip4(_, let p)? = await server.listeningAddress { self.port = p }
        let base = "http://\(host):\(self.port)"
        state.locked { $0.publicBase = base }
        return self.port
    }

    /// A port in use is said at once, in words ("address already in use"): the server library would
    /// otherwise retry quietly and give up after its 10 s timeout with a bare `timeout(...)`.
    static func checkFree(host: String, port: UInt16) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var yes: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw StartError(message: "'\(host)' is not an IPv4 address") }
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        if bound != 0 {
            let reason = errno == EADDRINUSE ? "address already in use (another sandbox, or another server, has the port; choose another with --port, or --port 0 for any free one)"
                : String(cString: strerror(errno))
            throw StartError(message: reason)
        }
    }

    public struct StartError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    public func stop() async {
        await server?.stop(timeout: 0)
        task?.cancel()
        _ = try? await task?.value
    }

    /// Blocks until `stop()` or until the server fails.
    public func wait() async throws { try await task?.value }

    // MARK: Inspection and control, safe from any thread.

    public var requests: [RecordedRequest] { state.locked { $0.log } }
    public func clearLog() { state.locked { $0.logBase += $0.log.count; $0.log.removeAll() } }
    public func updateFaults(_ change: (inout Faults) -> Void) { state.locked { change(&$0.config.faults) } }
    public var configuration: SandboxConfiguration { state.locked { $0.config } }
    /// Highest number of audio requests in flight at once since start.
    public var peakConcurrency: Int { state.locked { $0.peakInFlight } }
    public var creditsUsed: Int { state.locked { $0.config.characterCount } }
    /// Called with each finished request (the executable's `--log`).
    public func onRequest(_ observer: @escaping @Sendable (RecordedRequest) -> Void) { state.locked { $0.observer = observer } }
}
