// HTTP over one reused libcurl handle: the status and headers reach the caller before any body byte,
// and bodies are handed over chunk by chunk as they arrive. Blocking: run it on a dedicated thread.
import CCurl
import ThreadSupport
#if canImport(Glibc)
import Glibc
#endif

public struct HTTPHeaderField: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) { self.name = name; self.value = value }
}

/// One part of a multipart/form-data body (voice cloning uploads).
public struct MultipartPart: Sendable {
    public enum Content: Sendable {
        case text(String)
        case file(path: String, filename: String, contentType: String?)
        /// A file's bytes, already read (libcurl copies them).
        case data([UInt8], filename: String, contentType: String?)
    }
    public var name: String
    public var content: Content
    public init(name: String, content: Content) { self.name = name; self.content = content }
}

public struct HTTPRequest: Sendable {
    public enum Body: Sendable {
        case none
        case bytes([UInt8], contentType: String)
        case multipart([MultipartPart])
    }
    public var method: String
    public var url: String
    public var headers: [HTTPHeaderField]
    public var body: Body
    /// Runs after the connection is made and the headers are sent, before the first body byte; an
    /// error aborts the request. The server then never has the body, so it cannot act on it: local
    /// preparation (opening the audio device) overlaps connecting without risking a charged request.
    public var beforeBody: (@Sendable () throws -> Void)?
    /// The most the whole exchange may take, in seconds; nil for none (audio streams, which may be
    /// long and are guarded by the stall timeout instead).
    public var timeout: Double?
    public init(method: String, url: String, headers: [HTTPHeaderField] = [], body: Body = .none,
                beforeBody: (@Sendable () throws -> Void)? = nil) {
        self.method = method; self.url = url; self.headers = headers; self.body = body; self.beforeBody = beforeBody
    }
}

extension HTTPHeaderField {
    /// `Name: value` from a response head, the name lower-cased; nil for anything else.
    static func parse(_ line: some StringProtocol) -> HTTPHeaderField? {
        var text = String(line)
        return text.withUTF8 { parse(utf8: $0) }
    }

    /// The same from the line's bytes: the name ends at the first colon, the value loses the spaces
    /// and tabs around it. Worked on bytes, not Characters: a response's head is read while its first
    /// audio waits, and a Character search cost 7,000 instructions a line.
    static func parse(utf8 b: UnsafeBufferPointer<UInt8>) -> HTTPHeaderField? {
        guard let colon = b.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        var start = colon + 1
        var end = b.count
        while start < end, b[start] == 0x20 || b[start] == 0x09 { start += 1 }
        while end > start, b[end - 1] == 0x20 || b[end - 1] == 0x09 { end -= 1 }
        let nameBytes = UnsafeBufferPointer(rebasing: b[..<colon])
        // Names are ASCII tokens; anything else is lower-cased as text.
        let name = nameBytes.allSatisfy { $0 < 0x80 }
            ? String(decoding: nameBytes.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
            : String(decoding: nameBytes, as: UTF8.self).lowercased()
        return HTTPHeaderField(name, String(decoding: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self))
    }
}

public struct ResponseHead: Sendable {
    /// The status of an `HTTP/1.1 200 OK` line (0 when there is none).
    static func status(ofStatusLine line: some StringProtocol) -> Int {
        Int(line.split(separator: " ", maxSplits: 2).dropFirst().first ?? "") ?? 0
    }

    public var status: Int
    /// Names are lower-cased; HTTP/2 sends them that way and HTTP/1.1 names are case-insensitive.
    public var headers: [HTTPHeaderField]
    public func value(for name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name == lower }?.value
    }
    public var contentType: String? { value(for: "content-type") }
}

public struct TransportOptions: Sendable {
    public var connectTimeout: Double = 10
    /// Abort when the server has not begun to answer after this long. Generous: the whole-file
    /// endpoints answer only once the generation is done.
    public var firstByteTimeout: Double = 120
    /// Once the answer has begun, abort when no byte arrives for this long. There is deliberately no
    /// overall timeout: a long generation that keeps sending is healthy.
    public var stallTimeout: Double = 30
    public var caFile: String?
    public var userAgent: String = "elevenlabs-cli"
    /// Polled while a transfer runs (at least once a second); true aborts it with `TransferAborted`.
    /// The CLI points it at its SIGINT/SIGTERM flag.
    public var shouldAbort: (@Sendable () -> Bool)?
    /// Told how much of an upload has been sent (sent, total), for a progress display.
    public var onUploadProgress: (@Sendable (Int64, Int64) -> Void)?
    /// Connect directly, whatever the proxy variables say: set for loopback hosts, so a local
    /// proxy never sees the key.
    public var bypassProxy = false
    /// An end to everything this transport does, on the monotonic clock: for answers a person waits
    /// on at a prompt (shell completion), where a server trickling a byte a second must not hold the
    /// prompt past a few seconds however the requests add up.
    public var deadline: Double?
    public init() {}
}

public final class HTTPTransport {
    /// When the current transfer must be over (options.deadline or the request's timeout), to word the error.
    private var transferDeadline: Double?
    /// Made at the first request, not with the transport: making it waits for libcurl's
    /// initialisation (CurlRuntime.warmUp, a millisecond of OpenSSL), and what a command does between
    /// making its client and its first request (the voice and model from the metadata cache, the
    /// audio cache's lookup, the device list) then runs meanwhile instead of after it.
    private var made: CurlEasy?
    /// Only after `perform` has made it (every use below is inside a transfer).
    private var easy: CurlEasy { made! }
    public var options: TransportOptions
    /// Receives request and response lines for a trace; the API key header is masked before it gets here.
    public var trace: ((String) -> Void)?

    public init(options: TransportOptions = TransportOptions()) {
        self.options = options
    }

    /// Performs a request. `onHead` runs once, after the final header block and before any body byte;
    /// `onBody` receives each body chunk as libcurl delivers it. Errors thrown by either abort the
    /// transfer and are rethrown here. Returns the response head.
    @discardableResult
    public func perform(_ request: HTTPRequest,
                        onHead: (ResponseHead) throws -> Void = { _ in },
                        onBody: (UnsafeRawBufferPointer) throws -> Void) throws -> ResponseHead {
        if made == nil { made = try CurlEasy() }
        easy.reset()
        try configure(request)
        var mime: OpaquePointer?
        defer { if let m = mime { ccurl_mime_free(m) } }
        switch request.body {
        case .none:
            if request.method == "GET" { try easy.setGet() } else { try easy.setCustomMethod(request.method) }
        case .bytes(let bytes, _):
            if request.beforeBody == nil { try easy.setPostBody(bytes) } else { try easy.setPostSize(bytes.count) }
            if request.method != "POST" { try easy.setCustomMethod(request.method) }
        case .multipart(let parts):
            mime = try makeMime(parts)
            try easy.setMime(mime!)
            if request.method != "POST" { try easy.setCustomMethod(request.method) }
        }

        return try withoutActuallyEscaping(onHead) { onHead in
            try withoutActuallyEscaping(onBody) { onBody in
                let context = TransferContext(onHead: onHead, onBody: onBody, trace: trace,
                                              stallTimeout: options.stallTimeout, firstByteTimeout: options.firstByteTimeout,
                                              shouldAbort: options.shouldAbort)
                if case .multipart = request.body { context.onUpload = options.onUploadProgress }
                let opaque = Unmanaged.passUnretained(context).toOpaque()
                if let gate = request.beforeBody, case .bytes(let bytes, _) = request.body {
                    context.upload = bytes
                    context.beforeBody = gate
                    try easy.setReadFunction(readCallback, context: opaque)
                }
                try easy.setHeaderFunction(headerCallback, context: opaque)
                try easy.setWriteFunction(writeCallback, context: opaque)
                try easy.setProgressFunction(progressCallback, context: opaque)
                Timeline.mark("request handed to libcurl")
                let performStart = monotonicSeconds()
                let rc = withExtendedLifetime(context) { easy.perform() }
                for (phase, seconds) in easy.phaseTimes where seconds > 0 {
                    Timeline.mark(phase, at: performStart + seconds, thread: "libcurl")
                }
                if context.aborted { throw TransferAborted() }
                if let error = context.failure { throw error }
                // Whether the whole request left this machine decides whether it may be sent again.
                let headersSent = easy.requestHeaderBytes > 0
                let sent: Bool
                switch request.body {
                case .bytes(let bytes, _): sent = headersSent && easy.uploadedBytes >= Int64(bytes.count)
                default: sent = headersSent
                }
                if context.stalled {
                    let message = context.answered ? "no data received for \(Int(options.stallTimeout)) seconds"
                        : "no answer from the server within \(Int(options.firstByteTimeout)) seconds"
                    throw CurlError(code: Int32(CURLE_OPERATION_TIMEDOUT.rawValue), message: message, requestSent: sent,
                                    timeout: context.answered ? .stall : .firstByte)
                }
                if rc != CURLE_OK {
                    var error = easy.error(for: rc)
                    if rc == CURLE_OUT_OF_MEMORY && !context.headDelivered {
                        // libcurl refuses a single header line over 100 KiB this way.
                        error = CurlError(code: Int32(rc.rawValue), message: "the response header is too large (a line over 100 KiB)")
                    }
                    error.requestSent = sent && !error.isConnectFailure
                    if rc == CURLE_OPERATION_TIMEDOUT { error.timeout = headersSent ? .firstByte : .connect }
                    if rc == CURLE_OPERATION_TIMEDOUT, let deadline = transferDeadline, monotonicSeconds() >= deadline - 0.05 {
                        error = CurlError(code: Int32(rc.rawValue), message: "the server did not finish answering in the time allowed",
                                          requestSent: error.requestSent, timeout: .stall)
                    }
                    throw error
                }
                if !context.headDelivered { try context.deliverHead() }
                if let error = context.failure { throw error }
                return context.head
            }
        }
    }

    private func configure(_ request: HTTPRequest) throws {
        try easy.setURL(request.url)
        try easy.restrictToHTTP()
        try easy.setNoSignal()
        try easy.requireTLSVerification()
        try easy.acceptAnyEncoding()
        try easy.setUserAgent(options.userAgent)
        try easy.setConnectTimeout(milliseconds: max(1, Int(options.connectTimeout * 1000)))
        let now = monotonicSeconds()
        transferDeadline = [options.deadline, request.timeout.map { now + $0 }].compactMap({ $0 }).min()
        if let deadline = transferDeadline {
            let left = deadline - now
            guard left > 0 else {
                throw CurlError(code: Int32(CURLE_OPERATION_TIMEDOUT.rawValue), message: "out of time before the request was sent", timeout: .stall)
            }
            try easy.setTimeout(milliseconds: max(1, Int(left * 1000)))
        }
        if options.bypassProxy { try easy.setNoProxy("*") }
        if let ca = options.caFile { try easy.setCAFile(ca) }
        var headers = request.headers
        if case .bytes(_, let type) = request.body { headers.append(HTTPHeaderField("Content-Type", type)) }
        try easy.setHeaders(headers.map { ($0.name, $0.value) })
        if let trace {
            trace("> \(request.method) \(request.url)")
            trace("> User-Agent: \(options.userAgent)")
            for h in headers { trace("> \(h.name): \(Redaction.headerValue(name: h.name, value: h.value))") }
        }
    }

    private func makeMime(_ parts: [MultipartPart]) throws -> OpaquePointer {
        guard let mime = ccurl_mime_init(easy.handle) else { throw CurlError(code: -1, message: "out of memory") }
        for part in parts {
            let p = ccurl_mime_addpart(mime)
            ccurl_mime_name(p, part.name)
            switch part.content {
            case .text(let s):
                ccurl_mime_data(p, s, ccurl_zero_terminated())
            case .file(let path, let filename, let type):
                let rc = ccurl_mime_filedata(p, path)
                if rc != CURLE_OK {
                    ccurl_mime_free(mime)
                    throw CurlError(code: Int32(rc.rawValue), message: "cannot read \(path)")
                }
                ccurl_mime_filename(p, filename)
                if let type { ccurl_mime_type(p, type) }
            case .data(let bytes, let filename, let type):
                let rc = bytes.withUnsafeBufferPointer { b in
                    b.withMemoryRebound(to: CChar.self) { ccurl_mime_data(p, $0.baseAddress, b.count) }
                }
                if rc != CURLE_OK {
                    ccurl_mime_free(mime)
                    throw CurlError(code: Int32(rc.rawValue), message: "cannot attach \(filename)")
                }
                ccurl_mime_filename(p, filename)
                if let type { ccurl_mime_type(p, type) }
            }
        }
        return mime
    }
}

/// The transfer was stopped on request (`TransportOptions.shouldAbort`), e.g. by Ctrl-C.
public struct TransferAborted: Error, Sendable {}

/// Masks secrets in anything that is printed: `sk_...abcd` shows which key without revealing it.
public enum Redaction {
    public static func mask(_ key: String) -> String {
        guard key.count >= 12 else { return "***" }
        let prefix = key.hasPrefix("sk_") ? "sk_" : ""
        return "\(prefix)...\(key.suffix(4))"
    }
    static func headerValue(name: String, value: String) -> String {
        let lower = name.lowercased()
        return (lower == "xi-api-key" || lower == "authorization") ? mask(value) : value
    }
}

private final class TransferContext {
    let onHead: (ResponseHead) throws -> Void
    let onBody: (UnsafeRawBufferPointer) throws -> Void
    let trace: ((String) -> Void)?
    var head = ResponseHead(status: 0, headers: [])
    var headDelivered = false
    var failure: Error?
    /// All header lines of the answer so far, and the most allowed.
    var headerBytes = 0
    static let maxHeaderBytes = 64 << 10
    /// Stall detection: the time the byte count last moved. libcurl's own low-speed check averages
    /// over several seconds, so it fires late; the progress callback sees every second.
    let stallTimeout: Double
    let firstByteTimeout: Double
    let started = monotonicSeconds()
    /// The server has begun its answer (a status line arrived).
    var answered = false
    var lastProgress = monotonicSeconds()
    var lastBytes: Int64 = -1
    var stalled = false
    let shouldAbort: (@Sendable () -> Bool)?
    var aborted = false
    var onUpload: (@Sendable (Int64, Int64) -> Void)?
    var upload: [UInt8] = []
    var uploaded = 0
    var beforeBody: (@Sendable () throws -> Void)?
    var bodyStarted = false

    init(onHead: @escaping (ResponseHead) throws -> Void,
         onBody: @escaping (UnsafeRawBufferPointer) throws -> Void,
         trace: ((String) -> Void)?, stallTimeout: Double, firstByteTimeout: Double, shouldAbort: (@Sendable () -> Bool)?) {
        self.onHead = onHead; self.onBody = onBody; self.trace = trace; self.stallTimeout = stallTimeout
        self.firstByteTimeout = firstByteTimeout
        self.shouldAbort = shouldAbort
    }

    func deliverHead() throws {
        headDelivered = true
        try onHead(head)
    }

    /// One line of a response head as libcurl hands it over, line ending included.
    func headerLine(_ raw: UnsafeBufferPointer<UInt8>) {
        var n = raw.count
        while n > 0, raw[n - 1] == 0x0A || raw[n - 1] == 0x0D { n -= 1 }
        let line = UnsafeBufferPointer(rebasing: raw[..<n])
        if line.starts(with: "HTTP/".utf8) {
            answered = true
            let text = String(decoding: line, as: UTF8.self)
            // A new header block: an interim 1xx, or the final response.
            head = ResponseHead(status: ResponseHead.status(ofStatusLine: text), headers: [])
            trace?("< \(text)")
        } else if line.isEmpty {
            if head.status >= 200 && !headDelivered {
                do { try deliverHead() } catch { failure = error }
            }
        } else if let field = HTTPHeaderField.parse(utf8: line) {
            head.headers.append(field)
            trace?("< \(field.name): \(field.value)")
        }
    }
}

private let headerCallback: curl_write_callback = { ptr, size, count, userdata in
    let total = size * count
    guard let ptr, let userdata else { return 0 }
    let ctx = Unmanaged<TransferContext>.fromOpaque(userdata).takeUnretainedValue()
    let bytes = UnsafeRawBufferPointer(start: ptr, count: total)
    // A head that never ends is a hostile or broken server: stop before it costs memory.
    ctx.headerBytes += total
    if ctx.headerBytes > TransferContext.maxHeaderBytes {
        ctx.failure = CurlError(code: Int32(CURLE_RECV_ERROR.rawValue),
                                message: "the response header is too large (over \(TransferContext.maxHeaderBytes >> 10) KiB)")
        return 0
    }
    ctx.headerLine(bytes.assumingMemoryBound(to: UInt8.self))
    return ctx.failure == nil ? total : 0
}

private let readCallback: curl_read_callback = { buffer, size, count, userdata in
    guard let buffer, let userdata else { return ccurl_readfunc_abort() }
    let ctx = Unmanaged<TransferContext>.fromOpaque(userdata).takeUnretainedValue()
    if let gate = ctx.beforeBody {
        ctx.beforeBody = nil
        do { try gate() } catch {
            ctx.failure = error
            return ccurl_readfunc_abort()
        }
    }
    let n = min(size * count, ctx.upload.count - ctx.uploaded)
    ctx.upload.withUnsafeBytes { src in
        UnsafeMutableRawPointer(buffer).copyMemory(from: src.baseAddress! + ctx.uploaded, byteCount: n)
    }
    ctx.uploaded += n
    return n
}

private let progressCallback: curl_xferinfo_callback = { userdata, dltotal, dlnow, ultotal, ulnow in
    guard let userdata else { return 0 }
    let ctx = Unmanaged<TransferContext>.fromOpaque(userdata).takeUnretainedValue()
    if ctx.shouldAbort?() == true {
        ctx.aborted = true
        return 1
    }
    if ultotal > 0, let report = ctx.onUpload { report(Int64(ulnow), Int64(ultotal)) }
    let now = monotonicSeconds()
    guard ctx.answered else {
        // Waiting for the answer to begin: only the first-byte timeout applies.
        if ctx.firstByteTimeout > 0 && now - ctx.started > ctx.firstByteTimeout {
            ctx.stalled = true
            return 1
        }
        ctx.lastProgress = now
        return 0
    }
    let moved = Int64(dlnow)
    if moved != ctx.lastBytes {
        ctx.lastBytes = moved
        ctx.lastProgress = now
        return 0
    }
    if ctx.stallTimeout > 0 && now - ctx.lastProgress > ctx.stallTimeout {
        ctx.stalled = true
        return 1 // non-zero aborts the transfer (CURLE_ABORTED_BY_CALLBACK)
    }
    return 0
}


private let writeCallback: curl_write_callback = { ptr, size, count, userdata in
    let total = size * count
    guard let userdata else { return 0 }
    let ctx = Unmanaged<TransferContext>.fromOpaque(userdata).takeUnretainedValue()
    do {
        if !ctx.headDelivered { try ctx.deliverHead() }
        if !ctx.bodyStarted {
            ctx.bodyStarted = true
            Timeline.mark("first body bytes (\(total))")
        }
        try ctx.onBody(UnsafeRawBufferPointer(start: ptr, count: total))
        // Time spent in the consumer (a full playback queue) is not the server stalling.
        ctx.lastProgress = monotonicSeconds()
        return total
    } catch {
        ctx.failure = error
        return 0 // a short count makes libcurl abort with CURLE_WRITE_ERROR
    }
}

public extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        // Compare scalars: "\r\n" is one Character, so Character membership would miss it.
        func strip(_ c: Character) -> Bool { c.unicodeScalars.allSatisfy { set.unicodeScalars.contains($0) } }
        var s = Substring(self)
        while let f = s.first, strip(f) { s.removeFirst() }
        while let l = s.last, strip(l) { s.removeLast() }
        return String(s)
    }
}
