// The stream-input WebSocket against CONTRACT.md §7, driven by the core's RFC 6455 client.
import Testing
import Foundation
import ElevenLabsAPI
import ElevenLabsSandbox
import TestSupport

private let george = "JBFqnCBsd6RMkjVDRZzb"

private func open(_ sandbox: Sandbox, key: String? = sandboxKey, query: [(String, String)] = [("model_id", "eleven_flash_v2_5")]) throws -> WebSocketClient {
    try client(for: sandbox, key: key).openWebSocket(path: "/v1/text-to-speech/\(george)/stream-input", query: query)
}

private func object(_ event: WebSocketEvent) -> [String: Any]? {
    guard case .text(let s) = event else { return nil }
    return try? JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any]
}

@Suite struct StreamInputTests {
    @Test func aWholeSessionFollowsTheProtocol() async throws {
        try await withSandbox({ $0.faults.chunkSize = 2000 }) { sandbox in
            let (audio, final, close, alignments) = try await onThread { () -> ([UInt8], Bool, WebSocketEvent, Int) in
                let ws = try open(sandbox)
                try ws.sendText(#"{"text":" ","voice_settings":{"stability":0.5,"similarity_boost":0.8},"generation_config":{"chunk_length_schedule":[50]}}"#)
                try ws.sendText(#"{"text":"Hello world, this sentence is long enough to start a generation. "}"#)
                try ws.sendText(#"{"text":"And a short tail. "}"#)
                try ws.sendText(#"{"text":""}"#)
                var audio: [UInt8] = []
                var final = false
                var alignments = 0
                while true {
                    let event = try ws.receive(timeout: 10)
                    if case .closed = event { return (audio, final, event, alignments) }
                    let obj = try #require(object(event))
                    if obj["isFinal"] as? Bool == true { final = true; continue }
                    let b64 = try #require(obj["audio"] as? String)
                    audio += Array(try #require(Data(base64Encoded: b64)))
                    if let a = obj["alignment"] as? [String: Any] {
                        #expect(a["chars"] is [String] && a["charStartTimesMs"] is [Int] && a["charDurationsMs"] is [Int])
                        alignments += 1
                    }
                }
            }
            #expect(final)
            #expect(close == .closed(code: 1000, reason: ""))
            #expect(audio.count > 4000 && audio[0] == 0xFF)
            #expect(alignments >= 2) // the first chunk of each generation carries alignment
            let session = try #require(sandbox.requests.first { $0.path.hasSuffix("/stream-input") })
            #expect(session.messages.count == 4)
            #expect(session.headers["xi-api-key"] == "sk_...cdef")
            #expect(session.queryValue("model_id") == "eleven_flash_v2_5")
        }
    }

    @Test func largeAudioMessagesArriveFragmentedAndAreReassembled() async throws {
        // 30 kB of audio per message is 40 kB of base64: the server splits it into 16 kB frames.
        try await withSandbox({ $0.faults.chunkSize = 30_000 }) { sandbox in
            let sizes = try await onThread { () -> [Int] in
                let ws = try open(sandbox)
                try ws.sendText(#"{"text":" "}"#)
                try ws.sendText(#"{"text":"\#(String(repeating: "A long sentence for a lot of audio. ", count: 10))","flush":true}"#)
                try ws.sendText(#"{"text":""}"#)
                var sizes: [Int] = []
                while true {
                    let event = try ws.receive(timeout: 10)
                    if case .closed = event { return sizes }
                    if let b64 = object(event)?["audio"] as? String, let d = Data(base64Encoded: b64) { sizes.append(d.count) }
                }
            }
            #expect(sizes.contains { $0 > 20_000 })
        }
    }

    @Test func changedVoiceSettingsClose1008WithTheRealReason() async throws {
        try await withSandbox { sandbox in
            let event = try await onThread { () -> WebSocketEvent in
                let ws = try open(sandbox)
                try ws.sendText(#"{"text":" ","voice_settings":{"stability":0.5}}"#)
                try ws.sendText(#"{"text":"Hi. ","voice_settings":{"stability":0.9}}"#)
                while true { let e = try ws.receive(timeout: 30); if case .closed = e { return e } }
            }
            #expect(event == .closed(code: 1008, reason: "voice_settings field must be provided in the first message and then either be not provided or not change."))
        }
    }

    @Test func inactivityCloses1008WithTheReasonWithinAControlFrame() async throws {
        try await withSandbox { sandbox in
            let (events, close) = try await onThread { () -> ([WebSocketEvent], WebSocketEvent) in
                let ws = try open(sandbox, query: [("model_id", "eleven_flash_v2_5"), ("inactivity_timeout", "1")])
                try ws.sendText(#"{"text":" "}"#)
                var seen: [WebSocketEvent] = []
                while true { let e = try ws.receive(timeout: 30); if case .closed = e { return (seen, e) }; seen.append(e) }
            }
            guard case .closed(let code, let reason) = close else { Issue.record("not closed"); return }
            #expect(code == 1008)
            // RFC 6455 §5.5: a close reason fits in 123 bytes; the whole sentence came first, as JSON.
            #expect(reason.utf8.count <= 123 && reason.hasPrefix("Have not received a new text input within the timeout of 1 seconds."))
            #expect(object(events.last ?? .text(""))?["message"] as? String == "Have not received a new text input within the timeout of 1 seconds. Streaming input terminated. Please make sure to either feed the input in the timely manner, or to send the end of input text (empty string \"\") when done.")
        }
    }

    // ASSUMED (contract §7.3, UNCONFIRMED): the error message's shape is the sandbox's best guess.
    @Test("A wrong key gets an error message, then close 1008 (assumed shape, contract §7.3)")
    func aWrongKeyGetsAnErrorMessageThen1008_assumedShape() async throws {
        try await withSandbox { sandbox in
            let (first, last) = try await onThread { () -> (WebSocketEvent, WebSocketEvent) in
                let ws = try open(sandbox, key: "sk_wrong_key_99999999")
                try ws.sendText(#"{"text":" "}"#)
                let first = try ws.receive(timeout: 30)
                return (first, try ws.receive(timeout: 30))
            }
            #expect(object(first)?["error"] as? String == "invalid_api_key")
            #expect(last == .closed(code: 1008, reason: "Invalid API key"))
        }
    }

    @Test func theFirstMessageMustBeOneSpace() async throws {
        try await withSandbox { sandbox in
            let last = try await onThread { () -> WebSocketEvent in
                let ws = try open(sandbox)
                try ws.sendText(#"{"text":"Hello "}"#)
                while true { let e = try ws.receive(timeout: 30); if case .closed = e { return e } }
            }
            guard case .closed(let code, _) = last else { Issue.record("not closed"); return }
            #expect(code == 1008)
        }
    }

    @Test func modelsNotOnTheSocketAreRefusedAtUpgrade() async throws {
        try await withSandbox { sandbox in
            let e = try await onThread { () -> APIError? in
                do { _ = try open(sandbox, query: [("model_id", "eleven_v3")]); return nil } catch let e as APIError { return e }
            }
            #expect(e?.httpStatus == 403)
        }
    }
}
