// The thin core client: one method per endpoint the CLI uses (text to speech in Speech.swift, the
// stream-input socket in StreamInput.swift, the rest here and in Endpoints.swift), over one
// HTTPTransport (so one keep-alive connection). No argv, no stdout, no audio, no advice: errors are
// typed and the CLI words them. Blocking: call it from a dedicated thread.

#if canImport(Glibc)
import Glibc
#endif
import CCurl

public struct ClientConfiguration: Sendable {
    public static let defaultBaseURL = "https://api.elevenlabs.io"
    public var baseURL: String
    public var apiKey: String?
    public var transport: TransportOptions
    public var retry = RetryPolicy()

    public init(baseURL: String = ClientConfiguration.defaultBaseURL, apiKey: String?,
                transport: TransportOptions = TransportOptions()) {
        self.baseURL = baseURL; self.apiKey = apiKey; self.transport = transport
    }

    /// Accepts `https://host[:port][/prefix]`, or plain http only when the parsed host is loopback
    /// (127.0.0.0/8, ::1, localhost: the sandbox): the key must never cross a network in clear text.
    /// Parsed by libcurl's own URL parser (the one the transfers use), so what is checked is what is
    /// connected to; user info, a query or a fragment is refused. Returns the URL without a trailing slash.
    public static func validateBaseURL(_ raw: String) throws -> String {
        let text = raw.trimmingCharacters(in: " \t")
        let example = "use a URL such as https://api.elevenlabs.io"
        guard text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw ConfigurationError("invalid base URL: it holds spaces, control characters or non-ASCII", hint: example)
        }
        try CurlRuntime.requireLibrary()
        guard let handle = ccurl_url() else { throw ConfigurationError("cannot parse the base URL (out of memory)") }
        defer { ccurl_url_cleanup(handle) }
        guard ccurl_url_set(handle, CURLUPART_URL, text, 0) == CURLUE_OK else {
            throw ConfigurationError("invalid base URL '\(text)'", hint: example)
        }
        func part(_ which: CURLUPart) -> String? {
            var out: UnsafeMutablePointer<CChar>?
            guard ccurl_url_get(handle, which, &out, 0) == CURLUE_OK, let out else { return nil }
            defer { ccurl_free(out) }
            return String(cString: out)
        }
        let scheme = part(CURLUPART_SCHEME)?.lowercased() ?? ""
        guard let host = part(CURLUPART_HOST)?.lowercased(), !host.isEmpty else {
            throw ConfigurationError("invalid base URL '\(text)': no host", hint: example)
        }
        if part(CURLUPART_USER) != nil || part(CURLUPART_PASSWORD) != nil {
            throw ConfigurationError("refusing a base URL with user info (name@host): the API key is the only credential", hint: example)
        }
        if part(CURLUPART_QUERY) != nil || part(CURLUPART_FRAGMENT) != nil {
            throw ConfigurationError("refusing a base URL with a query (?) or fragment (#)", hint: example)
        }
        switch scheme {
        case "https": break
        case "http":
            guard isLoopback(host) else {
                throw ConfigurationError("refusing plain http to \(host): the API key would travel unencrypted",
                                         hint: "use https://, or http:// only for a sandbox on 127.0.0.1 or localhost")
            }
        default:
            throw ConfigurationError("unsupported scheme '\(scheme)' in the base URL", hint: "use https://")
        }
        var path = part(CURLUPART_PATH) ?? ""
        while path.hasSuffix("/") { path.removeLast() }
        let port = part(CURLUPART_PORT).map { ":\($0)" } ?? ""
        return "\(scheme)://\(host)\(port)\(path)"
    }

    /// The host of a URL this client built (from a validated base URL), as libcurl parses it.
    static func host(of url: String) -> String? {
        guard ccurl_load() == nil, let handle = ccurl_url() else { return nil }
        defer { ccurl_url_cleanup(handle) }
        guard ccurl_url_set(handle, CURLUPART_URL, url, 0) == CURLUE_OK else { return nil }
        var out: UnsafeMutablePointer<CChar>?
        guard ccurl_url_get(handle, CURLUPART_HOST, &out, 0) == CURLUE_OK, let out else { return nil }
        defer { ccurl_free(out) }
        return String(cString: out).lowercased()
    }

    /// Loopback by address, not by spelling: `localhost`, `[::1]`, or an IPv4 literal in 127.0.0.0/8
    /// (`127.0.0.1.evil.example` is a name, not an address).
    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "[::1]" || host == "::1" { return true }
        var address = in_addr()
        guard inet_pton(AF_INET, host, &address) == 1 else { return false }
        return UInt32(bigEndian: address.s_addr) >> 24 == 127
    }

    public var isLoopback: Bool { Self.host(of: baseURL).map(Self.isLoopback) ?? false }
}

/// An audio stream failed after some of its audio was already used: not retried here, because the
/// caller may have played or written those bytes. `underlying` is the transport's error.
public struct AudioStreamBroken: Error, Sendable, CustomStringConvertible {
    public let underlying: Error
    public var description: String { "the audio stream broke off: \(underlying)" }
}

/// A 2xx answer whose body is not what the endpoint promises (malformed JSON, wrong content type).
public struct ResponseFormatError: Error, Sendable, CustomStringConvertible {
    public let endpoint: String
    public let detail: String
    public init(endpoint: String, detail: String) { self.endpoint = endpoint; self.detail = detail }
    public var description: String { "unexpected answer from \(endpoint): \(detail)" }
}

public final class ElevenLabsClient {
    public private(set) var configuration: ClientConfiguration
    let transport: HTTPTransport
    public var trace: ((String) -> Void)? {
        get { transport.trace }
        set { transport.trace = newValue }
    }
    /// Told before each retry (the CLI says it on stderr).
    public var onRetry: ((RetryNotice) -> Void)?

    /// Changes how transient failures are retried (the caller's policy, e.g. a batch's longer one).
    public func updateRetry(_ change: (inout RetryPolicy) -> Void) { change(&configuration.retry) }

    /// Reports upload progress of multipart requests (sample uploads).
    public func setUploadProgress(_ report: @escaping @Sendable (Int64, Int64) -> Void) {
        transport.options.onUploadProgress = report
    }

    public init(_ configuration: ClientConfiguration) {
        var configuration = configuration
        // The key never goes through a proxy to a loopback server (the sandbox).
        if configuration.isLoopback { configuration.transport.bypassProxy = true }
        self.configuration = configuration
        self.transport = HTTPTransport(options: configuration.transport)
    }

    // MARK: - Generic requests

    public func url(_ path: String, query: [(String, String)] = []) -> String {
        var s = configuration.baseURL + path
        if !query.isEmpty {
            s += "?" + query.map { "\(percentEncode($0.0))=\(percentEncode($0.1))" }.joined(separator: "&")
        }
        return s
    }

    private var authHeaders: [HTTPHeaderField] {
        guard let key = configuration.apiKey else { return [] }
        return [HTTPHeaderField("xi-api-key", key)]
    }

    /// Sends a request and decodes a JSON answer. Non-2xx answers throw `APIError`.
    public func json<T: Decodable>(_ type: T.Type, method: String = "GET", path: String,
                                   query: [(String, String)] = [], body: HTTPRequest.Body = .none) throws -> T {
        let (head, bytes) = try collect(method: method, path: path, query: query, body: body)
        do {
            return try JSONReader.decode(T.self, from: bytes)
        } catch {
            let type = head.contentType ?? "no content type"
            throw ResponseFormatError(endpoint: "\(method) \(path)",
                                      detail: "the body is not the expected JSON (\(type), \(bytes.count) bytes)")
        }
    }

    /// Sends a request and returns the whole body, retrying transient failures (GET and DELETE
    /// always; other methods only when the server cannot have acted). Non-2xx answers throw `APIError`.
    public func collect(method: String, path: String, query: [(String, String)] = [],
                        body: HTTPRequest.Body = .none) throws -> (ResponseHead, [UInt8]) {
        try retrying(method == "GET" || method == "DELETE" ? .idempotent : .once) {
            let (head, bytes) = try send(method: method, path: path, query: query, body: body)
            if !(200..<300).contains(head.status) { throw APIError.from(head: head, body: bytes) }
            return (head, bytes)
        }
    }

    /// The most a body that is not audio may hold, counted after decompression (libcurl hands over
    /// decoded bytes), so neither an endless JSON answer nor a compressed bomb can exhaust memory.
    public static let maxBodyBytes = 16 << 20
    /// The most of an error answer that is kept: enough for any message; the rest is not read.
    public static let maxErrorBodyBytes = 1 << 20
    /// The most a request that is not audio may take in all (listings, account, uploads): a server
    /// trickling a byte a second never trips the stall timeout, so this ends it.
    public static let metadataTimeout = 300.0

    /// Thrown from a body callback to stop reading an answer past its cap.
    struct BodyLimitReached: Error {}

    /// Sends a request and returns whatever came back, whatever the status (bounded, see maxBodyBytes):
    /// an error answer past its cap is cut there (its status still decides what happens next); a
    /// successful one past its cap is an error, as no answer of the API is that large.
    public func send(method: String, path: String, query: [(String, String)] = [],
                     body: HTTPRequest.Body = .none) throws -> (ResponseHead, [UInt8]) {
        var bytes: [UInt8] = []
        var answered: ResponseHead? = nil
        do {
            var req = request(method, path, query, body)
            req.timeout = Self.metadataTimeout
            let head = try transport.perform(req, onHead: { answered = $0 }) { chunk in
                let ok = (200..<300).contains(answered?.status ?? 200)
                guard bytes.count + chunk.count <= (ok ? Self.maxBodyBytes : Self.maxErrorBodyBytes) else { throw BodyLimitReached() }
                bytes.append(contentsOf: chunk)
            }
            return (head, bytes)
        } catch is BodyLimitReached {
            guard let head = answered, (200..<300).contains(head.status) else { return (answered!, bytes) }
            throw ResponseFormatError(endpoint: "\(method) \(path)",
                                      detail: "the answer is over \(Self.maxBodyBytes >> 20) MiB, which no answer of the API is")
        }
    }

    /// Streams an audio answer: `onHead` sees the status and headers of a successful answer before the
    /// first byte, then `onAudio` receives bytes as they arrive. Error answers are collected and thrown
    /// as `APIError` without a single byte reaching `onAudio`; so is a 200 whose body is JSON.
    ///
    /// `timed` is for the with-timestamps endpoints, whose body is JSON lines with base64 audio.
    /// Transient failures are retried while no audio byte has reached `onAudio` (429 and 5xx answers
    /// are not charged); after that a failure is thrown, and the caller decides.
    @discardableResult
    public func streamAudio(method: String = "POST", path: String, query: [(String, String)] = [],
                            body: HTTPRequest.Body = .none, beforeBody: (@Sendable () throws -> Void)? = nil,
                            timed: Bool = false,
                            onHead: (ResponseHead) throws -> Void = { _ in },
                            onAudio: (UnsafeRawBufferPointer) throws -> Void) throws -> ResponseHead {
        var delivered = false
        // GETs (history audio) are free to repeat; a POST generates audio and is billed once it arrives.
        return try retrying(method == "GET" ? .idempotent : .billed) {
            do {
                return try streamAudioOnce(method: method, path: path, query: query, body: body, beforeBody: beforeBody,
                                           timed: timed, onHead: onHead, onAudio: { chunk in
                                               delivered = true
                                               try onAudio(chunk)
                                           })
            } catch let error as CurlError where delivered {
                throw AudioStreamBroken(underlying: error)
            }
        }
    }

    private func streamAudioOnce(method: String, path: String, query: [(String, String)],
                                 body: HTTPRequest.Body, beforeBody: (@Sendable () throws -> Void)?, timed: Bool,
                                 onHead: (ResponseHead) throws -> Void,
                                 onAudio: (UnsafeRawBufferPointer) throws -> Void) throws -> ResponseHead {
        var errorBody: [UInt8]? = nil
        var errorHead: ResponseHead? = nil
        var req = request(method, path, query, body)
        req.beforeBody = beforeBody
        let head: ResponseHead
        do {
            head = try transport.perform(req, onHead: { head in
                let type = head.contentType?.lowercased() ?? ""
                // The with-timestamps endpoints answer JSON lines carrying the audio; the others, audio itself.
                if !(200..<300).contains(head.status) || (!timed && type.hasPrefix("application/json")) || type.hasPrefix("text/html") {
                    errorBody = []
                    errorHead = head
                } else {
                    try onHead(head)
                }
            }, onBody: { chunk in
                if errorBody != nil {
                    // An error answer is read up to its cap and no further: an endless one would never end.
                    guard errorBody!.count + chunk.count <= Self.maxErrorBodyBytes else { throw BodyLimitReached() }
                    errorBody!.append(contentsOf: chunk)
                } else {
                    try onAudio(chunk)
                }
            })
        } catch is BodyLimitReached {
            head = errorHead!
        }
        if let errorBody {
            if (200..<300).contains(head.status) {
                throw ResponseFormatError(endpoint: "\(method) \(path)",
                                          detail: "expected audio but got \(head.contentType ?? "no content type")")
            }
            throw APIError.from(head: head, body: errorBody)
        }
        return head
    }

    private func request(_ method: String, _ path: String, _ query: [(String, String)], _ body: HTTPRequest.Body) -> HTTPRequest {
        var headers = authHeaders
        if case .multipart = body {} else { headers.append(HTTPHeaderField("Accept", "application/json, audio/*")) }
        return HTTPRequest(method: method, url: url(path, query: query), headers: headers, body: body)
    }

    public static func jsonBody<T: Encodable>(_ value: T) throws -> HTTPRequest.Body {
        .bytes(try CanonicalJSON.encode(value), contentType: "application/json")
    }

    /// Opens a WebSocket on the API host (the `wss://` form of the base URL), sending the key as the
    /// `xi-api-key` handshake header rather than inside a message.
    public func openWebSocket(path: String, query: [(String, String)] = []) throws -> WebSocketClient {
        let ws = try WebSocketClient()
        ws.trace = transport.trace
        try ws.connect(url: url(path, query: query), headers: authHeaders, options: configuration.transport)
        return ws
    }

    // MARK: - Endpoints

    /// `GET /v1/models` (a bare array).
    public func models() throws -> [Model] { try json([Model].self, path: "/v1/models") }

    /// `GET /v1/user`.
    public func user() throws -> User { try json(User.self, path: "/v1/user") }

    /// `GET /v1/user/subscription`.
    public func subscription() throws -> Subscription {
        let s = try json(Subscription.self, path: "/v1/user/subscription")
        try s.check(endpoint: "GET /v1/user/subscription")
        return s
    }

    /// `GET /v2/voices`: one page. `/v1/voices` ignores `search`, which is why names resolve here.
    public func voices(search: String? = nil, category: String? = nil, pageSize: Int = 100,
                       pageToken: String? = nil, filters: [(String, String)] = []) throws -> VoicesPage {
        var q: [(String, String)] = [("page_size", String(pageSize))]
        if let search { q.append(("search", search)) }
        if let category { q.append(("category", category)) }
        if let pageToken { q.append(("next_page_token", pageToken)) }
        q += filters
        return try json(VoicesPage.self, path: "/v2/voices", query: q)
    }

    /// All pages of `GET /v2/voices`. `include_total_count=false` because counting costs the server.
    public func allVoices(search: String? = nil, category: String? = nil,
                          filters: [(String, String)] = []) throws -> [Voice] {
        var out: [Voice] = []
        var token: String? = nil
        var paging = PageGuard(endpoint: "GET /v2/voices", maxPages: 100) // 10,000 voices
        repeat {
            let page = try voices(search: search, category: category, pageSize: 100, pageToken: token,
                                  filters: filters + [("include_total_count", "false")])
            out += page.voices
            token = try paging.next(page.nextPageToken, hasMore: page.hasMore, count: page.voices.count)
        } while token != nil
        return out
    }

    /// `GET /v1/voices/{voice_id}`.
    public func voice(id: String) throws -> Voice {
        try json(Voice.self, path: "/v1/voices/\(try pathID(id))")
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
/// An id the user or a server gave, made safe to put in a URL path: letters, digits, `-` and `_`
/// only, so never `.` or `..` (which a server would read as a step up the path, whatever encoding).
public func pathID(_ id: String) throws -> String {
    guard (1...128).contains(id.utf8.count),
          id.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F })
    else { throw InvalidID(id: id) }
    return id
}

/// An id that cannot be one (see `pathID`).
public struct InvalidID: Error, Sendable, CustomStringConvertible {
    public let id: String
    public var description: String { "'\(id)' is not a valid id (ids are letters, digits, - and _)" }
}

public func percentEncode(_ s: String) -> String {
    var out = ""
    for byte in s.utf8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "_"), UInt8(ascii: "~"):
            out.unicodeScalars.append(UnicodeScalar(byte))
        default:
            let hex = Array("0123456789ABCDEF")
            out += "%\(hex[Int(byte >> 4)])\(hex[Int(byte & 15)])"
        }
    }
    return out
}
