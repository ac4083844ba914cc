// The core client over a real socket against the in-process sandbox: decoding, the streaming
// callback (head first, then bytes as they arrive), error mapping, and transport failures.
import Testing
import Foundation
import ElevenLabsAPI
import ElevenLabsSandbox
import TestSupport

private let george = "JBFqnCBsd6RMkjVDRZzb"

private func ttsBody(_ text: String) throws -> HTTPRequest.Body {
    try ElevenLabsClient.jsonBody(["text": text, "model_id": "eleven_multilingual_v2"])
}

@Suite struct ClientTests {
    @Test func modelsDecodeFromTheBareArray() async throws {
        try await withSandbox { sandbox in
            let models = try await onThread { try client(for: sandbox, configure: { $0.userAgent = "probe/1.0" }).models() }
            #expect(models.map(\.modelID).contains("eleven_flash_v2_5"))
            let v2 = try #require(models.first { $0.modelID == "eleven_multilingual_v2" })
            #expect(v2.characterLimit() == 10_000)
            #expect(models.first { $0.modelID == "eleven_flash_v2_5" }?.costPerCharacter == 0.5)
            let sent = try #require(sandbox.requests.last)
            #expect(sent.headers["xi-api-key"] == "sk_...cdef")
            #expect(sent.headers["user-agent"] == "probe/1.0") // the caller's, as given
        }
    }

    @Test func streamingDeliversHeadBeforeBytesAndBytesAsTheyArrive() async throws {
        try await withSandbox({ $0.faults.chunkSize = 1000; $0.faults.chunkDelay = 0.01 }) { sandbox in
            final class Log: @unchecked Sendable { var events: [String] = []; var bytes: [UInt8] = [] }
            let log = try await onThread {
                let log = Log()
                let c = client(for: sandbox)
                try c.streamAudio(path: "/v1/text-to-speech/\(george)/stream", body: try ttsBody("A sentence long enough to need several chunks of audio."),
                                  onHead: { head in
                                      log.events.append("head \(head.status) \(head.value(for: "request-id") ?? "-")")
                                  }, onAudio: { chunk in
                                      log.events.append("bytes")
                                      log.bytes += chunk
                                  })
                return log
            }
            #expect(log.events.first?.hasPrefix("head 200 ") == true)
            #expect(log.events.filter { $0 == "bytes" }.count >= 3)
            #expect(log.bytes.count > 10_000)
            #expect(log.bytes[0] == 0xFF && log.bytes[1] & 0xE0 == 0xE0)
        }
    }

    @Test func errorAnswersNeverReachTheAudioCallback() async throws {
        try await withSandbox { sandbox in
            let outcome = try await onThread { () -> (APIError?, Int) in
                var delivered = 0
                do {
                    try client(for: sandbox).streamAudio(path: "/v1/text-to-speech/nosuchvoice/stream", body: try ttsBody("hi"),
                                                         onAudio: { delivered += $0.count })
                    return (nil, delivered)
                } catch let e as APIError { return (e, delivered) }
            }
            #expect(outcome.1 == 0)
            #expect(outcome.0?.code == "voice_not_found")
            #expect(outcome.0?.httpStatus == 404)
        }
    }

    @Test func wrongMissingAndRestrictedKeys() async throws {
        try await withSandbox({ $0.restrictedKeys["sk_scoped_key_0000000"] = ["user_read"] }) { sandbox in
            let codes = try await onThread { () -> [String?] in
                func code(_ key: String?) -> String? {
                    do { _ = try client(for: sandbox, key: key).subscription(); return "ok" } catch let e as APIError { return e.code } catch { return "\(error)" }
                }
                return [code("sk_wrong_key_0000000"), code(nil), code("sk_scoped_key_0000000")]
            }
            #expect(codes == ["invalid_api_key", "needs_authorization", "missing_permissions"])
        }
    }

    @Test func validationErrorsComeBackAsTheArrayShape() async throws {
        try await withSandbox { sandbox in
            let e = try await onThread { () -> APIError? in
                do {
                    _ = try client(for: sandbox).collect(method: "POST", path: "/v1/text-to-speech/\(george)",
                                                         body: try ElevenLabsClient.jsonBody(["voice_settings": ["stability": 3]]))
                    return nil
                } catch let e as APIError { return e }
            }
            let error = try #require(e)
            #expect(error.httpStatus == 422)
            #expect(error.validation.map(\.location) == [["body", "text"], ["body", "voice_settings", "stability"]])
        }
    }

    @Test func gatewayPagesAndMalformedJSONAreReportedPlainly() async throws {
        try await withSandbox({ $0.faults.htmlErrorFirst = 1 }) { sandbox in
            let first = try await onThread { () -> String in
                do { _ = try client(for: sandbox).models(); return "ok" } catch { return "\(error)" }
            }
            #expect(first.contains("non-API answer (text/html): 502 bad gateway"))
            sandbox.updateFaults { $0.malformedJSON = true }
            let second = try await onThread { () -> String in
                do { _ = try client(for: sandbox).models(); return "ok" } catch let e as ResponseFormatError { return e.description } catch { return "\(error)" }
            }
            #expect(second.hasPrefix("unexpected answer from GET /v1/models: the body is not the expected JSON (application/json, "))
        }
    }

    @Test func aCutStreamIsATransportError() async throws {
        try await withSandbox({ $0.faults.cutAfterBytes = 5000; $0.faults.chunkSize = 1000 }) { sandbox in
            let result = try await onThread { () -> (Int, AudioStreamBroken?) in
                var got = 0
                do {
                    try client(for: sandbox, retries: 3).streamAudio(path: "/v1/text-to-speech/\(george)/stream", body: try ttsBody(String(repeating: "word ", count: 40)),
                                                                     onAudio: { got += $0.count })
                    return (got, nil)
                } catch let e as AudioStreamBroken { return (got, e) }
            }
            // Once audio was handed over, the failure is the caller's to handle: no retry.
            #expect(result.1?.underlying is CurlError)
            #expect(result.0 <= 5000 && result.0 > 0)
            #expect(sandbox.requests.count == 1)
        }
    }

    @Test func aStalledStreamTimesOut() async throws {
        try await withSandbox({ $0.faults.stallAfterBytes = 2000; $0.faults.chunkSize = 1000 }) { sandbox in
            let error = try await onThread { () -> CurlError? in
                do {
                    try client(for: sandbox, configure: { $0.stallTimeout = 1 }).streamAudio(
                        path: "/v1/text-to-speech/\(george)/stream", body: try ttsBody(String(repeating: "word ", count: 40)), onAudio: { _ in })
                    return nil
                } catch let e as AudioStreamBroken { return e.underlying as? CurlError }
            }
            #expect(error?.isTimeout == true)
            #expect(error?.message == "no data received for 1 seconds")
        }
    }

    @Test func aSlowFirstByteIsNotAStallButHasItsOwnTimeout() async throws {
        try await withSandbox({ $0.faults.firstByteDelay = 1.5 }) { sandbox in
            // Waiting 1.5 s for the answer to begin is fine with a 1 s stall timeout...
            let ok = try await onThread { () -> Int in
                var got = 0
                try client(for: sandbox, configure: { $0.stallTimeout = 1 }).streamAudio(
                    path: "/v1/text-to-speech/\(george)/stream", body: try ttsBody("Slow to start."), onAudio: { got += $0.count })
                return got
            }
            #expect(ok > 0)
            // ...but not with a 1 s first-byte timeout.
            let error = try await onThread { () -> CurlError? in
                do {
                    try client(for: sandbox, configure: { $0.firstByteTimeout = 1 }).streamAudio(
                        path: "/v1/text-to-speech/\(george)/stream", body: try ttsBody("Slow to start."), onAudio: { _ in })
                    return nil
                } catch let e as CurlError { return e }
            }
            #expect(error?.message == "no answer from the server within 1 seconds")
        }
    }

    @Test func transientFailuresAreRetriedWithBackoffAndRetryAfter() async throws {
        try await withSandbox({ $0.faults.rateLimitFirst = 1; $0.faults.systemBusyFirst = 1; $0.faults.serverErrorFirst = 1
                                $0.faults.serverErrorStatus = 503; $0.faults.retryAfter = 1 }) { sandbox in
            final class Notes: @unchecked Sendable { var list: [RetryNotice] = [] }
            let notes = Notes()
            let bytes = try await onThread { () -> Int in
                let c = client(for: sandbox, retries: 3)
                c.onRetry = { notes.list.append($0) }
                var got = 0
                try c.streamAudio(path: "/v1/text-to-speech/\(george)/stream", body: try ttsBody("Retry me."), onAudio: { got += $0.count })
                return got
            }
            #expect(bytes > 0)
            #expect(notes.list.map(\.reason) == ["429 too_many_concurrent_requests", "429 system_busy", "503 something_went_wrong"])
            #expect(notes.list.map(\.attempt) == [2, 3, 4])
            #expect(notes.list[0].delay == 1 && notes.list[1].delay == 1) // Retry-After honoured
            #expect(notes.list[2].delay < 0.1)                               // backoff when there is none
            #expect(sandbox.requests.count == 4)
            #expect(sandbox.creditsUsed == 9) // only the successful attempt was charged
        }
    }

    @Test func retriesAreBoundedAndOtherClientErrorsAreNeverRetried() async throws {
        try await withSandbox({ $0.faults.rateLimitFirst = 10 }) { sandbox in
            let error = try await onThread { () -> APIError? in
                do { _ = try client(for: sandbox, retries: 2).streamAudio(path: "/v1/text-to-speech/\(george)/stream", body: try ttsBody("x"), onAudio: { _ in }); return nil }
                catch let e as APIError { return e }
            }
            #expect(error?.httpStatus == 429)
            #expect(sandbox.requests.count == 3)
            sandbox.clearLog()
            let notFound = try await onThread { () -> APIError? in
                do { _ = try client(for: sandbox, retries: 3).voice(id: "nosuchvoice"); return nil } catch let e as APIError { return e }
            }
            #expect(notFound?.httpStatus == 404)
            #expect(sandbox.requests.count == 1)
        }
    }

    @Test func connectionRefusedIsAConnectFailure() async throws {
        let error = try await onThread { () -> CurlError? in
            let c = ElevenLabsClient(ClientConfiguration(baseURL: "http://127.0.0.1:9", apiKey: "k"))
            do { _ = try c.models(); return nil } catch let e as CurlError { return e }
        }
        #expect(error?.isConnectFailure == true)
    }

    @Test func oneClientReusesOneConnectionForManyRequests() async throws {
        try await withSandbox { sandbox in
            let count = try await onThread { () -> Int in
                let c = client(for: sandbox)
                for _ in 0..<5 { _ = try c.models() }
                return try c.allVoices().count
            }
            #expect(count == 18)
            #expect(sandbox.requests.count == 6)
            // The server saw every request arrive from the same client port: one TCP connection.
            let connections = Set(sandbox.requests.map(\.connection))
            #expect(connections.count == 1 && connections.first?.isEmpty == false, "\(connections)")
        }
    }

    @Test func pagesAreFollowedToTheEnd() async throws {
        try await withSandbox({ $0.extraVoices = 230 }) { sandbox in
            let voices = try await onThread { try client(for: sandbox).allVoices() }
            #expect(voices.count == 248)
            #expect(Set(voices.map(\.voiceID)).count == 248)
            let pages = sandbox.requests.filter { $0.path == "/v2/voices" }
            #expect(pages.count == 3)
            #expect(pages.dropFirst().allSatisfy { $0.queryValue("next_page_token") != nil })
        }
    }
}
