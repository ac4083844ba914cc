// The one error type for answers the API gave (as opposed to transport failures): HTTP status,
// `detail.status`, `detail.message`, 422 validation details and the request id. What to advise is the
// CLI's business (Hints.swift).
// Decodes both error shapes of the contract (§0.1) and non-JSON bodies such as a proxy's HTML page.

public struct APIError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case authentication   // no key or a wrong key
        case permission       // a scoped key lacking a permission
        case quota            // credits used up, or a feature above the plan
        case rateLimited      // 429: concurrency or system busy
        case server           // 5xx
        case notFound
        case validation       // 422
        case other
    }

    public struct ValidationIssue: Sendable, Equatable {
        public var location: [String]
        public var message: String
        public var type: String
    }

    public let httpStatus: Int
    /// `detail.status`, the machine-readable code (`invalid_api_key`, `quota_exceeded`, ...).
    public let code: String?
    public let message: String
    public let validation: [ValidationIssue]
    public let requestID: String?
    /// Seconds from a `Retry-After` (or `retry-after-ms`) header, when the server sent one.
    public let retryAfter: Double?

    public init(httpStatus: Int, code: String?, message: String, validation: [ValidationIssue] = [],
                requestID: String? = nil, retryAfter: Double? = nil) {
        self.httpStatus = httpStatus; self.code = code; self.message = message
        self.validation = validation; self.requestID = requestID; self.retryAfter = retryAfter
    }

    public var kind: Kind {
        switch (httpStatus, code) {
        case (_, "quota_exceeded"?), (_, "output_format_not_allowed"?), (_, "only_for_creator+"?),
             (_, "max_character_limit_exceeded"?) where httpStatus != 400:
            return .quota
        case (_, let c?) where c.hasPrefix("can_not_use") || c.hasPrefix("only_for"): return .quota
        case (401, "missing_permissions"?): return .permission
        case (401, _): return .authentication
        case (403, _): return .quota
        case (404, _): return .notFound
        case (422, _): return .validation
        case (429, _): return .rateLimited
        case (500..., _): return .server
        default: return .other
        }
    }

    /// Worth retrying: the same request can succeed later without any change (contract §0.1, §9).
    public var isTransient: Bool {
        httpStatus == 408 || httpStatus == 429 || httpStatus >= 500
    }

    /// For `missing_permissions`: the permission named in the message ("... the permission user_read ...").
    public var missingPermission: String? {
        guard code == "missing_permissions" else { return nil }
        let words = message.split(separator: " ")
        guard let i = words.firstIndex(of: "permission"), i + 1 < words.count else { return nil }
        return String(words[i + 1])
    }

    public var description: String {
        var s = message
        if let code { s += " (\(httpStatus) \(code))" } else { s += " (HTTP \(httpStatus))" }
        return s
    }

    /// Builds the error from a non-2xx response. Never fails: an unreadable body still yields a message.
    public static func from(head: ResponseHead, body: [UInt8]) -> APIError {
        let requestID = head.value(for: "request-id") ?? head.value(for: "x-trace-id")
        let retry = retryAfterSeconds(head)
        let json = try? JSONReader.decode(JSONValue.self, from: body)
        if let json, let detail = json["detail"] {
            switch detail {
            case .object:
                let code = detail["status"]?.string ?? detail["code"]?.string
                let message = detail["message"]?.display ?? "request failed"
                return APIError(httpStatus: head.status, code: code, message: message,
                                requestID: requestID, retryAfter: retry)
            case .array(let items):
                let issues = items.map { item in
                    ValidationIssue(location: item["loc"]?.array?.map(\.display) ?? [],
                                    message: item["msg"]?.string ?? "invalid",
                                    type: item["type"]?.string ?? "")
                }
                let text = issues.map { issue -> String in
                    let loc = issue.location.filter { $0 != "body" }.joined(separator: ".")
                    return loc.isEmpty ? issue.message : "\(loc): \(issue.message)"
                }.joined(separator: "; ")
                return APIError(httpStatus: head.status, code: nil,
                                message: "the server rejected the request: " + (text.isEmpty ? "invalid input" : text),
                                validation: issues, requestID: requestID, retryAfter: retry)
            case .string(let s):
                return APIError(httpStatus: head.status, code: nil, message: s, requestID: requestID, retryAfter: retry)
            default: break
            }
        }
        if let json, let message = json["message"]?.string ?? json["error"]?.string {
            return APIError(httpStatus: head.status, code: json["code"]?.string, message: message,
                            requestID: requestID, retryAfter: retry)
        }
        return APIError(httpStatus: head.status, code: nil, message: describeForeignBody(head: head, body: body),
                        requestID: requestID, retryAfter: retry)
    }

    /// A body that is not the API's JSON: usually a proxy, gateway or captive portal answering.
    static func describeForeignBody(head: ResponseHead, body: [UInt8]) -> String {
        let type = head.contentType?.split(separator: ";").first.map(String.init) ?? "no content type"
        let text = String(decoding: body.prefix(4096), as: UTF8.self)
        let lower = text.lowercased()
        var summary = ""
        if let open = lower.firstRange(of: "<title>"),
           let close = lower[open.upperBound...].firstRange(of: "</title>") {
            summary = String(lower[open.upperBound..<close.lowerBound])
        } else if !type.contains("html") {
            summary = String(text.prefix(120))
        }
        summary = summary.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: " \t")
        let reason = summary.isEmpty ? "" : ": \(summary)"
        return "HTTP \(head.status) with a non-API answer (\(type))\(reason); a proxy or gateway may be in the way"
    }

    static func retryAfterSeconds(_ head: ResponseHead) -> Double? {
        if let ms = head.value(for: "retry-after-ms"), let v = Double(ms) { return max(0, v / 1000) }
        if let s = head.value(for: "retry-after"), let v = Double(s) { return max(0, v) }
        return nil
    }
}
