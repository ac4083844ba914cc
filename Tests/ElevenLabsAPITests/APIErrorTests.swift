// Error decoding for every shape the contract lists (§0.1), plus bodies that are not the API's.
import Testing
@testable import ElevenLabsAPI

private func head(_ status: Int, _ type: String = "application/json", _ extra: [HTTPHeaderField] = []) -> ResponseHead {
    ResponseHead(status: status, headers: [HTTPHeaderField("content-type", type)] + extra)
}

@Suite struct APIErrorTests {
    @Test func objectDetailCarriesStatusAndMessage() {
        let body = #"{"detail":{"status":"quota_exceeded","message":"This request exceeds your quota of 10000. You have 0 credits remaining, while 91 credits are required for this request."}}"#
        let e = APIError.from(head: head(401), body: Array(body.utf8))
        #expect(e.httpStatus == 401)
        #expect(e.code == "quota_exceeded")
        #expect(e.message.hasPrefix("This request exceeds your quota of 10000."))
        #expect(e.kind == .quota)
    }

    @Test func validationArrayIsJoinedWithLocations() {
        let body = #"{"detail":[{"type":"missing","loc":["body","text"],"msg":"Field required","input":{}},{"type":"less_than_equal","loc":["body","voice_settings","stability"],"msg":"Input should be less than or equal to 1","input":3}]}"#
        let e = APIError.from(head: head(422), body: Array(body.utf8))
        #expect(e.kind == .validation)
        #expect(e.validation.count == 2)
        #expect(e.validation[1].location == ["body", "voice_settings", "stability"])
        #expect(e.message == "the server rejected the request: text: Field required; voice_settings.stability: Input should be less than or equal to 1")
    }

    @Test func plainStringDetail() {
        let e = APIError.from(head: head(404), body: Array(#"{"detail":"Not Found"}"#.utf8))
        #expect(e.message == "Not Found")
        #expect(e.kind == .notFound)
    }

    @Test func gatewayHTMLPageIsDescribed() {
        let html = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
        let e = APIError.from(head: head(502, "text/html"), body: Array(html.utf8))
        #expect(e.message == "HTTP 502 with a non-API answer (text/html): 502 bad gateway; a proxy or gateway may be in the way")
        #expect(e.kind == .server)
        #expect(e.isTransient)
    }

    @Test func plainTextAndEmptyBodies() {
        let e = APIError.from(head: head(503, "text/plain"), body: Array("upstream connect error".utf8))
        #expect(e.message.contains("upstream connect error"))
        let empty = APIError.from(head: ResponseHead(status: 500, headers: []), body: [])
        #expect(empty.message == "HTTP 500 with a non-API answer (no content type); a proxy or gateway may be in the way")
    }

    @Test func retryAfterInSecondsOrMilliseconds() {
        let busy = #"{"detail":{"status":"system_busy","message":"busy"}}"#
        let s = APIError.from(head: head(429, "application/json", [HTTPHeaderField("retry-after", "3")]), body: Array(busy.utf8))
        #expect(s.retryAfter == 3)
        #expect(s.kind == .rateLimited)
        let ms = APIError.from(head: head(429, "application/json", [HTTPHeaderField("retry-after-ms", "1500")]), body: Array(busy.utf8))
        #expect(ms.retryAfter == 1.5)
    }

    @Test func authenticationKindsAreTold() {
        func make(_ code: String, _ message: String) -> APIError {
            APIError.from(head: head(401), body: Array(#"{"detail":{"status":"\#(code)","message":"\#(message)"}}"#.utf8))
        }
        #expect(make("invalid_api_key", "Invalid API key").kind == .authentication)
        #expect(make("needs_authorization", "Neither ...").kind == .authentication)
        let p = make("missing_permissions", "The API key you used is missing the permission user_read to execute this operation.")
        #expect(p.kind == .permission)
        #expect(p.missingPermission == "user_read")
    }

    @Test func formatNotAllowedIsAPlanProblem() {
        let body = #"{"detail":{"status":"output_format_not_allowed","message":"Requested output format pcm_44100 (PCM at 44100hz) is only allowed for Pro tier and above."}}"#
        let e = APIError.from(head: head(403), body: Array(body.utf8))
        #expect(e.kind == .quota)
        #expect(!e.isTransient)
    }

    @Test func keysAreMaskedToTheirLastFourCharacters() {
        #expect(Redaction.mask("sk_0123456789abcdef0123") == "sk_...0123")
        #expect(Redaction.mask("short") == "***")
    }
}
