// The thin core client: one method per endpoint the CLI uses, over one HTTPTransport (so one
// keep-alive connection). No argv, no stdout, no audio. Blocking: call it from a dedicated thread.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

public let cliVersion = "0.1.0"

public struct ClientConfiguration: Sendable {
    public static let defaultBaseURL = "https://api.elevenlabs.io"
    public var baseURL: String
    public var apiKey: String?
    public var transport: TransportOptions
    public var retry = RetryPolicy()

    public init(baseURL: String = ClientConfiguration.defaultBaseURL, apiKey: String?,
                transport: TransportOptions = TransportOptions()) {
        self.baseURL = baseURL; self.apiKey = apiKey; self.transport = transport
        self.transport.userAgent = "elevenlabs-cli/\(cliVersion)"
    }

    /// Accepts `https://host[:port][/prefix]`, or plain http only for loopback hosts (the sandbox):
    /// the key must never cross a network in clear text. Returns the URL without a trailing slash.
    public static func validateBaseURL(_ raw: String) throws -> String {
        let url = raw.trimmingCharacters(in: " \t")
        guard let schemeEnd = url.firstRange(of: "://") else {
            throw ConfigurationError("invalid base URL '\(raw)'", hint: "use a URL such as https://api.elevenlabs.io")
        }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let host = hostOf(authority: String(authority))
        guard !host.isEmpty else {
            throw ConfigurationError("invalid base URL '\(raw)': no host", hint: "use a URL such as https://api.elevenlabs.io")
        }
        switch scheme {
        case "https": break
        case "http":
            guard isLoopback(host) else {
                throw ConfigurationError("refusing plain http to \(host): the API key would travel unencrypted",
                                         hint: "use https://, or http:// only for a sandbox on 127.0.0.1 or localhost")
            }
        default:
            throw ConfigurationError("unsupported scheme '\(scheme)' in base URL '\(raw)'", hint: "use https://")
        }
        var normalized = url
        while normalized.hasSuffix("/") { normalized.removeLast() }
        return normalized
    }

    static func hostOf(authority: String) -> String {
        var a = Substring(authority)
        if let at = a.lastIndex(of: "@") { a = a[a.index(after: at)...] }
        if a.hasPrefix("[") , let close = a.firstIndex(of: "]") { return String(a[a.index(after: a.startIndex)..<close]).lowercased() }
        if let colon = a.firstIndex(of: ":") { a = a[..<colon] }
        return a.lowercased()
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
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
    private let transport: HTTPTransport
    public var trace: ((String) -> Void)? {
        get { transport.trace }
        set { transport.trace = newValue }
    }
    /// Told before each retry (the CLI says it on stderr).
    public var onRetry: ((RetryNotice) -> Void)?

    /// Batches ride out longer storms of 429s: more retries and more total waiting, because an item
    /// must not fail for a transient reason. An explicit --retries still wins (set afterwards).
    public func configurationRetryForBatch() {
        if configuration.retry.maxRetries == RetryPolicy().maxRetries {
            configuration.retry.maxRetries = 10
            configuration.retry.maxTotalWait = 300
        }
    }

    /// Reports upload progress of multipart requests (sample uploads).
    public func setUploadProgress(_ report: @escaping @Sendable (Int64, Int64) -> Void) {
        transport.options.onUploadProgress = report
    }

    public init(_ configuration: ClientConfiguration) {
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
            return try JSONDecoder().decode(T.self, from: Data(bytes))
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

    /// Sends a request and returns whatever came back, whatever the status.
    public func send(method: String, path: String, query: [(String, String)] = [],
                     body: HTTPRequest.Body = .none) throws -> (ResponseHead, [UInt8]) {
        var bytes: [UInt8] = []
        let head = try transport.perform(request(method, path, query, body)) { chunk in
            bytes.append(contentsOf: chunk)
        }
        return (head, bytes)
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
        var req = request(method, path, query, body)
        req.beforeBody = beforeBody
        let head = try transport.perform(req, onHead: { head in
            let type = head.contentType?.lowercased() ?? ""
            // The with-timestamps endpoints answer JSON lines carrying the audio; the others, audio itself.
            if !(200..<300).contains(head.status) || (!timed && type.hasPrefix("application/json")) || type.hasPrefix("text/html") {
                errorBody = []
            } else {
                try onHead(head)
            }
        }, onBody: { chunk in
            if errorBody != nil {
                if errorBody!.count < 1 << 20 { errorBody!.append(contentsOf: chunk) }
            } else {
                try onAudio(chunk)
            }
        })
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
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return .bytes(Array(try encoder.encode(value)), contentType: "application/json")
    }

    /// Opens a WebSocket on the API host (the `wss://` form of the base URL), sending the key as the
    /// `xi-api-key` handshake header rather than inside a message.
    public func openWebSocket(path: String, query: [(String, String)] = []) throws -> WebSocketClient {
        let ws = WebSocketClient()
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
    public func subscription() throws -> Subscription { try json(Subscription.self, path: "/v1/user/subscription") }

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
        repeat {
            let page = try voices(search: search, category: category, pageSize: 100, pageToken: token,
                                  filters: filters + [("include_total_count", "false")])
            out += page.voices
            token = page.hasMore ? page.nextPageToken : nil
        } while token != nil
        return out
    }

    /// `GET /v1/voices/{voice_id}`.
    public func voice(id: String) throws -> Voice {
        try json(Voice.self, path: "/v1/voices/\(percentEncode(id))")
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
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
