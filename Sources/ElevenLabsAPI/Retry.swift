// When and how long to wait before trying a request again: 408, 429 and 5xx answers and connection
// failures, with exponential backoff, jitter and Retry-After, bounded in attempts and in total wait.
// The official SDK never retries audio requests; this client does, but only while no audio byte has
// been used, so nothing is heard or written twice.
#if canImport(Glibc)
import Glibc
#endif
import CCurl
import ThreadSupport

public struct RetryPolicy: Sendable {
    /// Retries after the first attempt (so attempts = retries + 1).
    public var maxRetries = 3
    public var initialDelay = 0.5
    public var maxDelay = 20.0
    /// The sum of all waits never exceeds this, whatever Retry-After says.
    public var maxTotalWait = 60.0
    /// ± this fraction of random spread, so many clients do not retry in step.
    public var jitter = 0.2
    public init() {}

    /// The wait before retry number `retry` (0-based): Retry-After when the server sent one,
    /// else exponential from `initialDelay`, capped, with jitter.
    public func delay(forRetry retry: Int, retryAfter: Double?, unit: Double) -> Double {
        if let retryAfter { return min(maxDelay, max(0, retryAfter)) }
        let base = min(maxDelay, initialDelay * Double(1 << min(retry, 20)))
        return max(0, base * (1 + jitter * (2 * unit - 1)))
    }
}

/// Said before each retry, for the user (stderr) or a trace.
public struct RetryNotice: Sendable {
    public let attempt: Int      // the attempt about to be made, 2-based
    public let attempts: Int     // the most there will be
    public let delay: Double
    public let reason: String
}

extension ElevenLabsClient {
    /// How safe a request is to send twice.
    public enum Repeatable: Sendable {
        /// Reading or deleting: the same again changes nothing.
        case idempotent
        /// Creating or changing something: only when the server said it did nothing (429, 503) or
        /// the request never left.
        case once
        /// Generating audio, which is billed: only 429 and 5xx answers, which the service does not
        /// charge (contract §0.1, §9), and requests that never left this machine.
        case billed
    }

    /// Why `error` is worth another attempt, or nil.
    static func retryReason(_ error: Error, _ repeatable: Repeatable) -> String? {
        switch error {
        case let e as APIError where e.isTransient:
            if repeatable == .once && e.httpStatus != 429 && e.httpStatus != 503 { return nil }
            return e.code.map { "\(e.httpStatus) \($0)" } ?? "HTTP \(e.httpStatus)"
        case let e as CurlError:
            if e.isConnectFailure || !e.requestSent { return "cannot connect: \(e.message)" }
            guard repeatable == .idempotent else { return nil }
            let transient: [CURLcode] = [CURLE_OPERATION_TIMEDOUT, CURLE_GOT_NOTHING, CURLE_SEND_ERROR,
                                         CURLE_RECV_ERROR, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM]
            return transient.map { Int32($0.rawValue) }.contains(e.code) ? e.message : nil
        default:
            return nil
        }
    }

    /// Runs `body` until it succeeds, fails for good, or the policy is spent.
    func retrying<T>(_ repeatable: Repeatable, _ body: () throws -> T) throws -> T {
        let policy = configuration.retry
        var retry = 0
        var waited = 0.0
        var rng = SystemRandomNumberGenerator()
        while true {
            do {
                return try body()
            } catch {
                guard retry < policy.maxRetries, let reason = Self.retryReason(error, repeatable) else { throw error }
                // Nothing listening on this machine (a sandbox not started, a wrong port) will not
                // be listening in a second either: say so at once, as curl does.
                if let e = error as? CurlError, e.code == Int32(CURLE_COULDNT_CONNECT.rawValue), configuration.isLoopback { throw error }
                let delay = policy.delay(forRetry: retry, retryAfter: (error as? APIError)?.retryAfter,
                                         unit: Double.random(in: 0...1, using: &rng))
                guard waited + delay <= policy.maxTotalWait else { throw error }
                onRetry?(RetryNotice(attempt: retry + 2, attempts: policy.maxRetries + 1, delay: delay, reason: reason))
                try sleep(seconds: delay)
                waited += delay
                retry += 1
            }
        }
    }

    /// Waits for the backoff; a signal wakes the wait (every Monitor is woken), ending it at once.
    private func sleep(seconds: Double) throws {
        let end = monotonicSeconds() + seconds
        let shouldAbort = configuration.transport.shouldAbort
        let aborted = Monitor(()).wait(until: end) { _ in shouldAbort?() == true ? true : nil } ?? false
        if aborted || shouldAbort?() == true { throw TransferAborted() }
    }
}
