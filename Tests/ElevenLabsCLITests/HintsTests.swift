// Advice is the CLI's: the core's and the audio layer's errors say what happened, and Hints turns
// them into the next step in the CLI's own terms.
import Testing
@testable import ElevenLabsAPI
import AudioPlayback
@testable import ElevenLabsCLI

@Suite struct HintsTests {
    @Test func apiErrorsGetTheirNextStep() {
        func advice(_ code: String, _ message: String = "x", status: Int = 401) -> String? {
            Hints.advice(for: APIError.from(head: ResponseHead(status: status, headers: [HTTPHeaderField("content-type", "application/json")]),
                                            body: Array(#"{"detail":{"status":"\#(code)","message":"\#(message)"}}"#.utf8)))
        }
        #expect(advice("quota_exceeded")?.contains("'elevenlabs user'") == true)
        #expect(advice("missing_permissions", "The API key you used is missing the permission user_read to execute this operation.")?.contains("'user_read'") == true)
        #expect(advice("output_format_not_allowed", status: 403)?.contains("--format") == true)
        #expect(advice("whatever", status: 503)?.contains("try again") == true)
        #expect(advice("whatever", status: 400) == nil)
    }

    @Test func audioErrorsNameTheOptionThatHelps() {
        #expect(Hints.advice(for: AudioError(.deviceUnavailable, "cannot open"))?.contains("--device") == true)
        #expect(Hints.advice(for: AudioError(.formatRejected, "no"))?.contains("plughw") == true)
        #expect(Hints.advice(for: AudioError(.decode, "bad")) == nil)
    }
}
