// Owns one libcurl easy handle. Each setter wraps exactly one CURLOPT so the C surface stays visible
// and auditable; nothing here knows about ElevenLabs.
import CCurl
import ThreadSupport

/// A libcurl failure: the CURLcode and the most specific text libcurl gave for it.
public struct CurlError: Error, Sendable, CustomStringConvertible {
    /// Which of the transport's three time limits ran out.
    public enum Timeout: Sendable, Equatable { case connect, firstByte, stall }

    public let code: Int32
    public let message: String
    /// False only when the request, body included, certainly did not all leave this machine: the
    /// server cannot have acted on it (or billed it), so it is safe to send again.
    public var requestSent = true
    public var timeout: Timeout? = nil
    public var description: String { message }

    public init(code: Int32, message: String, requestSent: Bool = true, timeout: Timeout? = nil) {
        self.code = code; self.message = message; self.requestSent = requestSent; self.timeout = timeout
    }

    /// True for failures that happen before a response could exist (resolve, connect, TLS handshake).
    public var isConnectFailure: Bool {
        [CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT,
         CURLE_SSL_CONNECT_ERROR].map { Int32($0.rawValue) }.contains(code)
    }
    public var isTimeout: Bool { code == Int32(CURLE_OPERATION_TIMEDOUT.rawValue) }
}

final class CurlEasy {
    let handle: UnsafeMutableRawPointer
    /// CURLOPT_ERRORBUFFER: libcurl writes a sentence that is more specific than curl_easy_strerror.
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    private var headerList: UnsafeMutablePointer<curl_slist>?

    /// Throws when libcurl cannot be loaded (CurlRuntime.ready).
    init() throws {
        try CurlRuntime.ready()
        guard let h = ccurl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        handle = h
        errorBuffer[0] = 0
        _ = ccurl_easy_setopt_ptr(h, CURLOPT_ERRORBUFFER, errorBuffer)
    }

    deinit {
        if let list = headerList { ccurl_slist_free_all(list) }
        ccurl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Clears per-request options while keeping the connection cache, so keep-alive works across requests.
    /// - SeeAlso: curl_easy_reset
    func reset() {
        ccurl_easy_reset(handle)
        if let list = headerList { ccurl_slist_free_all(list); headerList = nil }
        errorBuffer[0] = 0
        _ = ccurl_easy_setopt_ptr(handle, CURLOPT_ERRORBUFFER, errorBuffer)
    }

    private func check(_ code: CURLcode) throws {
        if code != CURLE_OK { throw error(for: code) }
    }

    func error(for code: CURLcode) -> CurlError {
        let specific = String(cString: errorBuffer)
        let text = specific.isEmpty ? String(cString: ccurl_easy_strerror(code)) : specific
        return CurlError(code: Int32(code.rawValue), message: text.trimmingTrailingNewlines())
    }

    /// - SeeAlso: CURLOPT_URL
    func setURL(_ url: String) throws { try check(ccurl_easy_setopt_str(handle, CURLOPT_URL, url)) }
    /// - SeeAlso: CURLOPT_CUSTOMREQUEST (GET/POST are set through CURLOPT_HTTPGET/CURLOPT_POST instead)
    func setCustomMethod(_ method: String) throws { try check(ccurl_easy_setopt_str(handle, CURLOPT_CUSTOMREQUEST, method)) }
    /// - SeeAlso: CURLOPT_HTTPGET
    func setGet() throws { try check(ccurl_easy_setopt_long(handle, CURLOPT_HTTPGET, 1)) }
    /// - SeeAlso: CURLOPT_POSTFIELDSIZE_LARGE, CURLOPT_COPYPOSTFIELDS
    func setPostBody(_ body: [UInt8]) throws {
        try check(ccurl_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
        try body.withUnsafeBufferPointer { buf in
            // COPYPOSTFIELDS copies, so the Swift array may go away before the transfer runs.
            let p = UnsafeMutableRawPointer(mutating: buf.baseAddress ?? UnsafePointer<UInt8>(bitPattern: 1)!)
            try check(ccurl_easy_setopt_ptr(handle, CURLOPT_COPYPOSTFIELDS, p))
        }
    }
    /// A POST whose body comes from the read callback, with its length announced up front.
    /// - SeeAlso: CURLOPT_POST, CURLOPT_POSTFIELDSIZE_LARGE
    func setPostSize(_ count: Int) throws {
        try check(ccurl_easy_setopt_long(handle, CURLOPT_POST, 1))
        try check(ccurl_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(count)))
    }
    /// - SeeAlso: CURLOPT_READFUNCTION, CURLOPT_READDATA
    func setReadFunction(_ fn: curl_read_callback, context: UnsafeMutableRawPointer) throws {
        try check(ccurl_easy_setopt_readfn(handle, CURLOPT_READFUNCTION, fn))
        try check(ccurl_easy_setopt_ptr(handle, CURLOPT_READDATA, context))
    }
    /// - SeeAlso: CURLOPT_MIMEPOST
    func setMime(_ mime: OpaquePointer) throws { try check(ccurl_easy_setopt_mime(handle, CURLOPT_MIMEPOST, mime)) }
    /// - SeeAlso: CURLOPT_HTTPHEADER
    func setHeaders(_ headers: [(String, String)]) throws {
        if let list = headerList { ccurl_slist_free_all(list); headerList = nil }
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for (name, value) in headers { list = ccurl_slist_append(list, "\(name): \(value)") }
        // An empty "Expect:" stops libcurl from waiting for 100-continue on larger uploads.
        list = ccurl_slist_append(list, "Expect:")
        headerList = list
        try check(ccurl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, list))
    }
    /// - SeeAlso: CURLOPT_USERAGENT
    func setUserAgent(_ ua: String) throws { try check(ccurl_easy_setopt_str(handle, CURLOPT_USERAGENT, ua)) }
    /// - SeeAlso: CURLOPT_WRITEFUNCTION, CURLOPT_WRITEDATA
    func setWriteFunction(_ fn: curl_write_callback, context: UnsafeMutableRawPointer) throws {
        try check(ccurl_easy_setopt_writefn(handle, CURLOPT_WRITEFUNCTION, fn))
        try check(ccurl_easy_setopt_ptr(handle, CURLOPT_WRITEDATA, context))
    }
    /// - SeeAlso: CURLOPT_HEADERFUNCTION, CURLOPT_HEADERDATA
    func setHeaderFunction(_ fn: curl_write_callback, context: UnsafeMutableRawPointer) throws {
        try check(ccurl_easy_setopt_writefn(handle, CURLOPT_HEADERFUNCTION, fn))
        try check(ccurl_easy_setopt_ptr(handle, CURLOPT_HEADERDATA, context))
    }
    /// - SeeAlso: CURLOPT_XFERINFOFUNCTION, CURLOPT_XFERINFODATA, CURLOPT_NOPROGRESS
    func setProgressFunction(_ fn: curl_xferinfo_callback, context: UnsafeMutableRawPointer) throws {
        try check(ccurl_easy_setopt_xferinfofn(handle, CURLOPT_XFERINFOFUNCTION, fn))
        try check(ccurl_easy_setopt_ptr(handle, CURLOPT_XFERINFODATA, context))
        try check(ccurl_easy_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
    }
    /// Stops calling the progress function (its context may not outlive the transfer it was for).
    func clearProgressFunction() throws { try check(ccurl_easy_setopt_long(handle, CURLOPT_NOPROGRESS, 1)) }

    /// - SeeAlso: CURLOPT_TIMEOUT_MS (the whole transfer)
    func setTimeout(milliseconds: Int) throws {
        try check(ccurl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, milliseconds))
    }

    /// - SeeAlso: CURLOPT_CONNECTTIMEOUT_MS
    func setConnectTimeout(milliseconds: Int) throws {
        try check(ccurl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, milliseconds))
    }
    /// - SeeAlso: CURLOPT_NOPROXY ("*": no proxy for any host)
    func setNoProxy(_ hosts: String) throws { try check(ccurl_easy_setopt_str(handle, CURLOPT_NOPROXY, hosts)) }
    /// - SeeAlso: CURLOPT_CAINFO
    func setCAFile(_ path: String) throws { try check(ccurl_easy_setopt_str(handle, CURLOPT_CAINFO, path)) }
    /// Verification is never turned off; this only states it so a stray environment cannot.
    /// - SeeAlso: CURLOPT_SSL_VERIFYPEER, CURLOPT_SSL_VERIFYHOST
    func requireTLSVerification() throws {
        try check(ccurl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1))
        try check(ccurl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2))
    }
    /// - SeeAlso: CURLOPT_NOSIGNAL (required for multi-threaded use of libcurl)
    func setNoSignal() throws { try check(ccurl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1)) }
    /// - SeeAlso: CURLOPT_ACCEPT_ENCODING ("" = whatever this libcurl can decode)
    func acceptAnyEncoding() throws { try check(ccurl_easy_setopt_str(handle, CURLOPT_ACCEPT_ENCODING, "")) }
    /// Only http and https (CURLOPT_PROTOCOLS_STR). CURLOPT_PROTOCOLS_STR is libcurl 7.85's; 7.81 (Ubuntu 22.04, which the
    /// tarball supports) refuses it as unknown and has only the bitmask, CURLOPT_PROTOCOLS (named by
    /// its number, 181: the header marks it deprecated since 7.85).
    func restrictToHTTP() throws {
        let rc = ccurl_easy_setopt_str(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        guard rc == CURLE_UNKNOWN_OPTION else { return try check(rc) }
        try check(ccurl_easy_setopt_long(handle, CURLoption(181), Int(CURLPROTO_HTTP | CURLPROTO_HTTPS)))
    }
    /// - SeeAlso: CURLOPT_CONNECT_ONLY
    func setConnectOnly() throws { try check(ccurl_easy_setopt_long(handle, CURLOPT_CONNECT_ONLY, 1)) }

    /// - SeeAlso: curl_easy_perform
    func perform() -> CURLcode { ccurl_easy_perform(handle) }

    /// When the last transfer's phases ended, in seconds from its start (0 for a phase it skipped):
    /// TCP connected, TLS done, request about to go, first response byte.
    /// - SeeAlso: CURLINFO_CONNECT_TIME_T, CURLINFO_APPCONNECT_TIME_T, CURLINFO_PRETRANSFER_TIME_T
    var phaseTimes: [(String, Double)] {
        [("TCP connected", CURLINFO_CONNECT_TIME_T), ("TLS handshake done", CURLINFO_APPCONNECT_TIME_T),
         ("request sending", CURLINFO_PRETRANSFER_TIME_T), ("first response byte", CURLINFO_STARTTRANSFER_TIME_T)].map { name, info in
            var us: curl_off_t = 0
            _ = ccurl_easy_getinfo_off_t(handle, info, &us)
            return (name, Double(us) / 1e6)
        }
    }

    /// - SeeAlso: CURLINFO_RESPONSE_CODE
    var responseCode: Int {
        var code = 0
        _ = ccurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }
    /// Bytes of request headers sent (0: the request never left).
    /// - SeeAlso: CURLINFO_REQUEST_SIZE
    var requestHeaderBytes: Int {
        var n = 0
        _ = ccurl_easy_getinfo_long(handle, CURLINFO_REQUEST_SIZE, &n)
        return n
    }

    /// Body bytes uploaded so far.
    /// - SeeAlso: CURLINFO_SIZE_UPLOAD_T
    var uploadedBytes: Int64 {
        var n: curl_off_t = 0
        _ = ccurl_easy_getinfo_off_t(handle, CURLINFO_SIZE_UPLOAD_T, &n)
        return Int64(n)
    }

    /// - SeeAlso: CURLINFO_ACTIVESOCKET
    var activeSocket: Int32 {
        var fd: curl_socket_t = -1
        _ = ccurl_easy_getinfo_socket(handle, CURLINFO_ACTIVESOCKET, &fd)
        return fd
    }

    /// - SeeAlso: curl_easy_send
    func send(_ bytes: UnsafeRawBufferPointer) -> (CURLcode, Int) {
        var sent = 0
        let rc = ccurl_easy_send(handle, bytes.baseAddress, bytes.count, &sent)
        return (rc, sent)
    }
    /// - SeeAlso: curl_easy_recv
    func recv(into buffer: UnsafeMutableRawBufferPointer) -> (CURLcode, Int) {
        var got = 0
        let rc = ccurl_easy_recv(handle, buffer.baseAddress, buffer.count, &got)
        return (rc, got)
    }
}

/// libcurl could not be loaded (it is loaded with dlopen, CCurl.h): nothing was sent.
public struct CurlUnavailable: Error, Sendable, CustomStringConvertible {
    public let reason: String
    public var description: String { "cannot load libcurl, which reaching the service needs (\(reason))" }
}

/// Loading libcurl, and its one-time initialisation (OpenSSL's: half a millisecond or more).
/// `warmUp()` loads the library where it is called (3 ms: its 30 libraries), then starts the
/// initialisation on a thread of its own, so that overlaps argument parsing, configuration and the
/// request's encoding instead of delaying the first request.
public enum CurlRuntime {
    private struct State { var started = false; var done = false }
    private static let state = Monitor(State())

    /// `beforeThreads`: the process has no other thread yet (the top of `main`), so the environment
    /// may be changed while the library loads (ccurl_load_before_threads: GnuTLS's start-up skipped).
    public static func warmUp(beforeThreads: Bool = false) {
        let start = state.note { s -> Bool in
            if s.started { return false }
            s.started = true
            return true
        }
        guard start else { return }
        // Loaded here, not on the thread: on this 2-CPU machine the two threads slow each other
        // (like hyperthreads of one core), and loading beside main's work measured 0.2 ms slower than
        // loading first (bench/NOTES.md, "#29, round five").
        let loaded = (beforeThreads ? ccurl_load_before_threads() : ccurl_load()) == nil
        Timeline.mark("libcurl loaded")
        guard loaded else { state.update { $0.done = true }; return }
        // On another CPU: queued behind main, it used to start only when main blocked for it.
        _ = DetachedThread.startDetached(elsewhere: true) {
            ccurl_global_init_announced(Int(CURL_GLOBAL_DEFAULT))
            Timeline.mark("curl_global_init", thread: "warm-up")
            state.update { $0.done = true }
        }
    }

    /// Throws when libcurl cannot be loaded (loading it here if nothing has).
    public static func requireLibrary() throws {
        if let reason = ccurl_load() { throw CurlUnavailable(reason: String(cString: reason)) }
    }

    /// Waits for the initialisation, starting it here when nobody has. Throws, before any request
    /// can start, when libcurl cannot be loaded.
    static func ready() throws {
        warmUp()
        // The first request waits here for the warm-up thread, usually for well under a millisecond:
        // spun for up to 2 ms (the thread runs on another CPU), then slept for. (A library that
        // could not be loaded is done at once, with nothing to spin for.)
        if !state.read({ $0.done }) && ccurl_await_initialised(0.002) == 0 { _ = state.wait { s in s.done ? true : nil } }
        try requireLibrary()
    }
}

/// Versions of libcurl, for version reports.
public enum CurlInfo {
    /// Read without libcurl's global initialisation, so `--version` costs no OpenSSL start-up: with a
    /// single TLS backend (Debian's libcurl4-openssl) the version strings do not depend on it; only a
    /// multi-backend build's feature bits can change at init, and those are not shown.
    public static var version: String {
        if let reason = ccurl_load() { return "not available (\(String(cString: reason)))" }
        guard let info = ccurl_version_info_now() else { return "unknown" }
        return String(cString: info.pointee.version)
    }
    public static var sslVersion: String? {
        guard let info = ccurl_version_info_now(), let ssl = info.pointee.ssl_version else { return nil }
        return String(cString: ssl)
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        // "\r\n" is a single Character in Swift, so test for newlines, not for "\n" or "\r" alone.
        var s = Substring(self)
        while let last = s.last, last.isNewline { s.removeLast() }
        return String(s)
    }
}
