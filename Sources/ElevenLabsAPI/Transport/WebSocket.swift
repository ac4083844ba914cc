// An RFC 6455 WebSocket client over libcurl. Debian 12's libcurl (7.88) has no WebSocket support,
// so curl only opens the connection (CONNECT_ONLY: TCP, TLS, proxies) and this file does the
// handshake (Sec-WebSocket-Key/Accept checked with libcrypto's SHA-1) and the framing: masked client
// frames, fragmented and 64-bit-length server frames, ping/pong, and the close handshake.
// Blocking: run it on a dedicated thread.
#if canImport(Glibc)
import Glibc
#endif
import CCurl
import CCrypto
import ThreadSupport

public enum WebSocketEvent: Sendable, Equatable {
    case text(String)
    case binary([UInt8])
    /// The server's close frame (code 1005 when it sent none), or 1006 when the connection dropped
    /// without one.
    case closed(code: UInt16, reason: String)
}

public struct WebSocketError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// The stream-input socket refused the stream: an error message (shape UNCONFIRMED, contract §7.3)
/// followed by a close frame. Not an HTTP answer, so it carries the close code, not a status.
public struct StreamInputError: Error, Sendable, CustomStringConvertible {
    public let code: String
    public let message: String
    public let closeCode: UInt16
    public init(code: String, message: String, closeCode: UInt16) {
        self.code = code; self.message = message; self.closeCode = closeCode
    }
    /// Classified like the REST codes of the same name (§0.1).
    public var kind: APIError.Kind {
        switch code {
        case "invalid_api_key", "needs_authorization": return .authentication
        case "missing_permissions": return .permission
        case "quota_exceeded": return .quota
        default: return .other
        }
    }
    public var description: String { "\(message) (stream-input \(code), close \(closeCode))" }
}

public final class WebSocketClient {
    private let easy: CurlEasy
    /// Bytes before the handshake's end; after it, everything goes to `reader`.
    private var inbox: [UInt8] = []
    private var reader = WebSocketReader()
    private var closeSent = false
    public private(set) var isOpen = false
    public var trace: ((String) -> Void)?
    /// A file descriptor that ends a `poll` early (returning nil) when it becomes readable: the
    /// owner's other events (input arrived, a signal) wake the wait instead of being polled for.
    /// The owner drains it.
    public var wakeFD: Int32 = -1
    /// Asked between waits while the handshake is read (Ctrl-C, from TransportOptions.shouldAbort).
    private var shouldAbort: (@Sendable () -> Bool)?
    /// The most a handshake's response head may hold, as for HTTP (TransferContext.maxHeaderBytes).
    static let maxHeadBytes = 64 << 10
    private struct Woken: Error {}

    /// Throws when libcurl cannot be loaded.
    public init() throws { easy = try CurlEasy() }

    /// Opens `url` (http/https; ws/wss are accepted and mapped) and performs the upgrade. A non-101
    /// answer throws the API's error (`APIError`) when the body is one.
    public func connect(url rawURL: String, headers: [HTTPHeaderField], options: TransportOptions) throws {
        var url = rawURL
        if url.hasPrefix("ws://") { url = "http://" + url.dropFirst(5) }
        if url.hasPrefix("wss://") { url = "https://" + url.dropFirst(6) }
        guard let schemeEnd = url.firstRange(of: "://") else { throw WebSocketError(message: "invalid URL \(rawURL)") }
        let afterScheme = url[schemeEnd.upperBound...]
        let slash = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
        let hostPort = String(afterScheme[..<slash])
        let target = slash == afterScheme.endIndex ? "/" : String(afterScheme[slash...])

        try openConnection(url, options: options)
        var keyBytes = [UInt8](repeating: 0, count: 16)
        var rng = SystemRandomNumberGenerator()
        for i in keyBytes.indices { keyBytes[i] = UInt8.random(in: 0...255, using: &rng) }
        let key = Base64.encode(keyBytes)
        var request = "GET \(target) HTTP/1.1\r\nHost: \(hostPort)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        request += "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\nUser-Agent: \(options.userAgent)\r\n"
        for h in headers { request += "\(h.name): \(h.value)\r\n" }
        request += "\r\n"
        trace?("> GET \(url) (WebSocket upgrade)")
        for h in headers { trace?("> \(h.name): \(Redaction.headerValue(name: h.name, value: h.value))") }
        try sendAll(Array(request.utf8), timeout: options.connectTimeout)
        try readUpgrade(key: key, options: options)
        isOpen = true
        reader.feed(inbox[...]) // frames that came with the head
        inbox = []
    }

    /// The TCP (and TLS) connection, made by libcurl and then left to us (CONNECT_ONLY).
    private func openConnection(_ url: String, options: TransportOptions) throws {
        try easy.setURL(url)
        try easy.restrictToHTTP()
        try easy.setNoSignal()
        try easy.requireTLSVerification()
        try easy.setConnectTimeout(milliseconds: max(1, Int(options.connectTimeout * 1000)))
        if options.bypassProxy { try easy.setNoProxy("*") }
        if let ca = options.caFile { try easy.setCAFile(ca) }
        try easy.setConnectOnly()
        shouldAbort = options.shouldAbort
        // Ctrl-C while the TCP and TLS connection is made: libcurl asks the progress function at
        // least once a second, and a signal ends the connect there instead of after its timeout.
        let abort = AbortCheck(options.shouldAbort)
        if options.shouldAbort != nil {
            try easy.setProgressFunction(connectProgress, context: Unmanaged.passUnretained(abort).toOpaque())
        }
        let rc = withExtendedLifetime(abort) { easy.perform() }
        try easy.clearProgressFunction()
        if rc == CURLE_ABORTED_BY_CALLBACK { throw TransferAborted() }
        if rc != CURLE_OK { throw easy.error(for: rc) }
    }

    /// The answer to the upgrade: a 101 that switches to this protocol with the key's accept value,
    /// or the API's error from a refusal's body.
    private func readUpgrade(key: String, options: TransportOptions) throws {
        // One deadline for the whole head, checked on every read (a server trickling or flooding
        // bytes would otherwise hold us for ever); each byte is searched once; the head is capped.
        let deadline = monotonicSeconds() + max(options.connectTimeout, options.stallTimeout)
        var headEnd: Int? = nil
        var searched = 0
        while headEnd == nil {
            try fill(until: deadline)
            headEnd = Self.find([13, 10, 13, 10], in: inbox, from: max(0, searched - 3))
            searched = inbox.count
            if headEnd == nil && inbox.count > Self.maxHeadBytes {
                throw CurlError(code: Int32(CURLE_RECV_ERROR.rawValue),
                                message: "the WebSocket handshake's response header is too large (over \(Self.maxHeadBytes >> 10) KiB)")
            }
        }
        let headText = String(decoding: inbox[..<headEnd!], as: UTF8.self)
        inbox.removeFirst(headEnd! + 4)
        var lines = headText.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let statusLine = lines.removeFirst()
        let status = ResponseHead.status(ofStatusLine: statusLine)
        let head = ResponseHead(status: status, headers: lines.compactMap(HTTPHeaderField.parse))
        trace?("< \(statusLine)")
        guard status == 101 else {
            // The refusal's body, up to its length, at most 1 MiB, within the deadline: a huge
            // Content-Length is not a reason to wait or to hold memory.
            let len = min(head.value(for: "content-length").flatMap(Int.init).map { max(0, $0) } ?? inbox.count, ElevenLabsClient.maxErrorBodyBytes)
            let bodyDeadline = monotonicSeconds() + options.stallTimeout
            while inbox.count < len {
                do { try fill(until: bodyDeadline) } catch is WebSocketError { break } catch let e as CurlError where e.code == Int32(CURLE_OPERATION_TIMEDOUT.rawValue) { break }
            }
            throw APIError.from(head: head, body: Array(inbox.prefix(len)))
        }
        // RFC 6455 §4.1: the 101 must say it switched to this protocol, with the key's accept value.
        guard head.value(for: "upgrade")?.lowercased() == "websocket",
              head.value(for: "connection")?.lowercased().split(separator: ",").contains(where: { $0.trimmingCharacters(in: " ") == "upgrade" }) == true
        else {
            throw WebSocketError(message: "the server's WebSocket handshake is invalid (no 'Upgrade: websocket' and 'Connection: Upgrade')")
        }
        guard head.value(for: "sec-websocket-accept") == Self.acceptValue(for: key) else {
            throw WebSocketError(message: "the server's WebSocket handshake is invalid (Sec-WebSocket-Accept does not match)")
        }
    }

    /// What the connect's progress function asks (kept alive across the connect by its caller).
    final class AbortCheck: Sendable {
        let shouldAbort: (@Sendable () -> Bool)?
        init(_ shouldAbort: (@Sendable () -> Bool)?) { self.shouldAbort = shouldAbort }
    }

    /// `base64(SHA-1(key + GUID))`, RFC 6455 §4.2.2.
    static func acceptValue(for key: String) -> String {
        let input = Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8)
        var digest = [UInt8](repeating: 0, count: Int(SHA_DIGEST_LENGTH))
        _ = SHA1(input, input.count, &digest)
        return Base64.encode(digest)
    }

    public func sendText(_ text: String) throws { try sendFrame(opcode: 0x1, payload: Array(text.utf8)) }

    /// Sends a close frame once; the server's answering close arrives through `receive`.
    public func close(code: UInt16 = 1000, reason: String = "") throws {
        guard isOpen, !closeSent else { return }
        closeSent = true
        try sendFrame(opcode: 0x8, payload: [UInt8(code >> 8), UInt8(code & 0xFF)] + Array(reason.utf8))
    }

    /// Waits for the next message. Pings are answered and control frames handled on the way; a
    /// silence longer than `timeout` seconds throws a timeout.
    public func receive(timeout: Double) throws -> WebSocketEvent {
        guard let event = try poll(timeout: timeout) else {
            throw CurlError(code: Int32(CURLE_OPERATION_TIMEDOUT.rawValue), message: "no message from the server for \(Int(timeout)) seconds")
        }
        return event
    }

    /// The next message if one arrives within `timeout` seconds, else nil. A server that breaks the
    /// protocol gets the close code RFC 6455 prescribes (1002, or 1007 for bad UTF-8) and an error.
    public func poll(timeout: Double) throws -> WebSocketEvent? {
        let deadline = monotonicSeconds() + timeout
        while true {
            let item: WebSocketReader.Item?
            do { item = try reader.next() } catch let violation as WebSocketReader.Violation {
                try? close(code: violation.closeCode, reason: "")
                isOpen = false
                throw WebSocketError(message: "the server broke the WebSocket protocol: \(violation.message)")
            }
            if let item {
                switch item {
                case .text(let s): return .text(s)
                case .binary(let b): return .binary(b)
                case .ping(let payload): try sendFrame(opcode: 0xA, payload: payload)
                case .pong: continue
                case .close(let code, let reason):
                    if !closeSent { try? close(code: code == 1005 ? 1000 : code) }
                    isOpen = false
                    return .closed(code: code, reason: reason)
                }
                continue
            }
            do {
                if monotonicSeconds() >= deadline { return nil }
                try fill(until: deadline)
            } catch let e as WebSocketError where e.message == Self.eofMessage {
                isOpen = false
                return .closed(code: 1006, reason: "connection closed without a close frame")
            } catch is Woken {
                return nil
            } catch let e as CurlError where e.isTimeout && monotonicSeconds() >= deadline {
                return nil
            }
        }
    }

    // MARK: Framing

    private func sendFrame(opcode: UInt8, payload: [UInt8]) throws {
        var frame: [UInt8] = [0x80 | opcode]
        let n = payload.count
        if n < 126 { frame.append(0x80 | UInt8(n)) }
        else if n < 65536 { frame += [0x80 | 126, UInt8(n >> 8), UInt8(n & 0xFF)] }
        else { frame.append(0x80 | 127); for i in (0..<8).reversed() { frame.append(UInt8((n >> (8 * i)) & 0xFF)) } }
        // Clients must mask every frame (RFC 6455 §5.3).
        var rng = SystemRandomNumberGenerator()
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255, using: &rng) }
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        try sendAll(frame, timeout: 30)
    }

    // MARK: I/O over curl_easy_send/recv with poll

    static let eofMessage = "connection closed"

    private func sendAll(_ bytes: [UInt8], timeout: Double) throws {
        var offset = 0
        let deadline = monotonicSeconds() + timeout
        while offset < bytes.count {
            let (rc, sent) = bytes[offset...].withUnsafeBytes { easy.send($0) }
            if rc == CURLE_AGAIN {
                try wait(events: Int16(POLLOUT), until: deadline)
                continue
            }
            if rc != CURLE_OK { throw easy.error(for: rc) }
            offset += sent
        }
    }

    private func fill(until deadline: Double) throws {
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            if monotonicSeconds() > deadline {
                throw CurlError(code: Int32(CURLE_OPERATION_TIMEDOUT.rawValue), message: "no complete answer from the server in time")
            }
            let (rc, got) = buf.withUnsafeMutableBytes { easy.recv(into: $0) }
            if rc == CURLE_OK {
                if got == 0 { throw WebSocketError(message: Self.eofMessage) }
                if isOpen { reader.feed(buf[0..<got]) } else { inbox += buf[0..<got] }
                return
            }
            if rc != CURLE_AGAIN { throw easy.error(for: rc) }
            try wait(events: Int16(POLLIN), until: deadline)
        }
    }

    private func wait(events: Int16, until deadline: Double) throws {
        let remaining = deadline - monotonicSeconds()
        guard remaining > 0 else {
            throw CurlError(code: Int32(CURLE_OPERATION_TIMEDOUT.rawValue), message: "no data from the server for too long")
        }
        var pfds = [pollfd(fd: easy.activeSocket, events: events, revents: 0), pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
        // Before the session has a wake pipe (the handshake), waits are sliced so Ctrl-C is seen.
        let slice = wakeFD < 0 && shouldAbort != nil ? min(remaining, 0.1) : remaining
        _ = Glibc.poll(&pfds, wakeFD >= 0 ? 2 : 1, Int32((slice * 1000).rounded(.up)))
        if wakeFD >= 0 && pfds[1].revents != 0 { throw Woken() }
        if shouldAbort?() == true { throw TransferAborted() }
    }



    static func find(_ needle: [UInt8], in hay: [UInt8], from start: Int = 0) -> Int? {
        guard hay.count >= needle.count, start <= hay.count - needle.count else { return nil }
        for i in start...(hay.count - needle.count) where hay[i] == needle[0] && Array(hay[i..<(i + needle.count)]) == needle {
            return i
        }
        return nil
    }
}

/// Server frames to messages, strictly (RFC 6455 §5.1, 5.2, 5.4, 5.5, 8.1): unmasked frames, no RSV
/// bits (no extension was negotiated), control frames whole and at most 125 bytes, continuations
/// only inside a message, text that is UTF-8. Pings may come between a message's fragments. Pure:
/// fed bytes in any split, it yields what they complete.
struct WebSocketReader {
    enum Item: Equatable {
        case text(String)
        case binary([UInt8])
        case ping([UInt8])
        case pong
        /// 1005 when the close frame had no code.
        case close(code: UInt16, reason: String)
    }

    struct Violation: Error, Equatable {
        let closeCode: UInt16
        let message: String
    }

    static let maxMessage = 256 << 20
    private var inbox: [UInt8] = []
    private var fragments: [UInt8] = []
    private var fragmentOpcode: UInt8? = nil

    mutating func feed<C: Collection>(_ bytes: C) where C.Element == UInt8 { inbox.append(contentsOf: bytes) }

    /// The next item the bytes so far complete, or nil.
    mutating func next() throws -> Item? {
        while true {
            guard inbox.count >= 2 else { return nil }
            let fin = inbox[0] & 0x80 != 0
            let rsv = inbox[0] & 0x70
            let opcode = inbox[0] & 0x0F
            let masked = inbox[1] & 0x80 != 0
            guard rsv == 0 else { throw Violation(closeCode: 1002, message: "a frame sets reserved bits, but no extension was agreed") }
            guard !masked else { throw Violation(closeCode: 1002, message: "a server frame is masked") }
            let control = opcode & 0x08 != 0
            guard [0x0, 0x1, 0x2, 0x8, 0x9, 0xA].contains(opcode) else {
                throw Violation(closeCode: 1002, message: "unknown opcode \(opcode)")
            }
            var length = Int(inbox[1] & 0x7F)
            var offset = 2
            if control && (length > 125 || !fin) {
                throw Violation(closeCode: 1002, message: length > 125 ? "a control frame is over 125 bytes" : "a control frame is fragmented")
            }
            if length == 126 {
                guard inbox.count >= 4 else { return nil }
                length = Int(inbox[2]) << 8 | Int(inbox[3]); offset = 4
            } else if length == 127 {
                guard inbox.count >= 10 else { return nil }
                guard inbox[2] & 0x80 == 0 else { throw Violation(closeCode: 1002, message: "a frame length has its top bit set") }
                var l: UInt64 = 0
                for i in 2..<10 { l = l << 8 | UInt64(inbox[i]) }
                guard l <= UInt64(Self.maxMessage) else { throw Violation(closeCode: 1009, message: "a frame is over 256 MiB") }
                length = Int(l); offset = 10
            }
            guard inbox.count >= offset + length else { return nil }
            let payload = Array(inbox[offset..<(offset + length)])
            inbox.removeFirst(offset + length)
            switch opcode {
            case 0x9: return .ping(payload)
            case 0xA: return .pong
            case 0x8:
                guard payload.count != 1 else { throw Violation(closeCode: 1002, message: "a close frame has a one-byte body") }
                guard payload.count >= 2 else { return .close(code: 1005, reason: "") }
                guard let reason = String(validating: payload.dropFirst(2), as: UTF8.self) else {
                    throw Violation(closeCode: 1007, message: "a close reason is not UTF-8")
                }
                return .close(code: UInt16(payload[0]) << 8 | UInt16(payload[1]), reason: reason)
            default:
                if opcode == 0 {
                    guard fragmentOpcode != nil else { throw Violation(closeCode: 1002, message: "a continuation frame starts no message") }
                } else {
                    guard fragmentOpcode == nil else { throw Violation(closeCode: 1002, message: "a new message starts inside a fragmented one") }
                    fragmentOpcode = opcode
                }
                fragments += payload
                guard fragments.count <= Self.maxMessage else { throw Violation(closeCode: 1009, message: "a message is over 256 MiB") }
                guard fin else { continue }
                let data = fragments
                let kind = fragmentOpcode
                fragments = []
                fragmentOpcode = nil
                if kind == 0x1 {
                    guard let text = String(validating: data, as: UTF8.self) else {
                        throw Violation(closeCode: 1007, message: "a text message is not UTF-8")
                    }
                    return .text(text)
                }
                return .binary(data)
            }
        }
    }
}

/// Stops a connect-only transfer when a signal asked the program to stop (see `connect`).
private let connectProgress: curl_xferinfo_callback = { userdata, _, _, _, _ in
    guard let userdata else { return 0 }
    return Unmanaged<WebSocketClient.AbortCheck>.fromOpaque(userdata).takeUnretainedValue().shouldAbort?() == true ? 1 : 0
}
