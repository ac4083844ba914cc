// The core's speech functions on their own, against the sandbox over a real socket (#27): text to
// speech (plain and with timestamps), text to dialogue, and the stream-input WebSocket, without the
// CLI around them. What reaches the server is what the request says; what comes back is whole MP3
// (mpg123 is the oracle), with timings that cover the text and a receipt from the headers.
import Testing
import Foundation
import ElevenLabsAPI
import ElevenLabsSandbox
import TestSupport

@Suite struct SpeechAPITests {
    static let george = "JBFqnCBsd6RMkjVDRZzb", roger = "CwhRBWXzGAHq8TQ4Fs17"

    @Test func textToSpeechStreamsWholeMP3WithItsReceipt() async throws {
        try await withSandbox { sandbox in
            var request = SpeechRequest(voiceID: Self.george, text: "Straight from the core.", modelID: "eleven_multilingual_v2",
                                        outputFormat: .safeDefault, settings: VoiceSettings(stability: 0.4), seed: 9)
            request.nextText = "What follows."
            let (audio, receipt, status) = try await onThread { [request] () -> ([UInt8], SpeechReceipt, Int) in
                var audio: [UInt8] = []
                var status = 0
                let receipt = try client(for: sandbox).streamSpeech(request, onHead: { status = $0.status }, onAudio: { audio += $0 })
                return (audio, receipt, status)
            }
            #expect(status == 200)
            try await expectWholeMP3(audio, "text to speech")
            #expect(receipt.requestID?.isEmpty == false && receipt.characterCost == 23)
            let sent = try #require(sandbox.requests.last)
            #expect(sent.path == "/v1/text-to-speech/\(Self.george)/stream" && sent.queryValue("output_format") == "mp3_44100_128")
            let body = try #require(sent.jsonObject)
            #expect(body["text"] as? String == "Straight from the core." && body["seed"] as? Int == 9 && body["next_text"] as? String == "What follows.")
            #expect((body["voice_settings"] as? [String: Any])?["stability"] as? Double == 0.4)
        }
    }

    @Test func withTimestampsTheTimingsCoverTheTextAndTheAudioStaysWhole() async throws {
        try await withSandbox({ $0.faults.chunkSize = 700 }) { sandbox in
            var request = SpeechRequest(voiceID: Self.george, text: "Every character is timed.", modelID: "eleven_multilingual_v2",
                                        outputFormat: .safeDefault)
            request.withTimestamps = true
            let (audio, timings) = try await onThread { [request] () -> ([UInt8], [CharacterTimings]) in
                var audio: [UInt8] = [], timings: [CharacterTimings] = []
                _ = try client(for: sandbox).streamSpeech(request, onTimings: { timings.append($0) }, onAudio: { audio += $0 })
                return (audio, timings)
            }
            try await expectWholeMP3(audio, "with timestamps")
            #expect(timings.flatMap(\.characters).joined() == "Every character is timed.")
            let starts = timings.flatMap(\.starts)
            #expect(starts == starts.sorted() && (starts.first ?? -1) >= 0)
            #expect(sandbox.requests.last?.path.hasSuffix("/stream/with-timestamps") == true)
        }
    }

    @Test func textToDialogueSendsTheInputsAndStreamsTheirAudio() async throws {
        try await withSandbox { sandbox in
            var request = DialogueRequest(inputs: [DialogueInput(text: "Hello there.", voiceID: Self.george),
                                                   DialogueInput(text: "Hi back.", voiceID: Self.roger)],
                                          modelID: "eleven_v3", outputFormat: .safeDefault)
            request.stability = 0.5
            request.withTimestamps = true
            let (audio, timings) = try await onThread { [request] () -> ([UInt8], [CharacterTimings]) in
                var audio: [UInt8] = [], timings: [CharacterTimings] = []
                _ = try client(for: sandbox).streamDialogue(request, onTimings: { timings.append($0) }, onAudio: { audio += $0 })
                return (audio, timings)
            }
            try await expectWholeMP3(audio, "text to dialogue")
            // The voice segments say which input each stretch of audio speaks.
            #expect(Set(timings.flatMap(\.segments).map(\.inputIndex)) == [0, 1])
            let body = try #require(sandbox.requests.last?.jsonObject)
            let inputs = try #require(body["inputs"] as? [[String: Any]])
            #expect(inputs.map { $0["voice_id"] as? String } == [Self.george, Self.roger])
            #expect((body["settings"] as? [String: Any])?["stability"] as? Double == 0.5)
        }
    }

    @Test func theStreamInputSessionSpeaksWhatIsSentAndEndsCleanly() async throws {
        try await withSandbox { sandbox in
            var options = StreamInputOptions(voiceID: Self.george, modelID: "eleven_flash_v2_5", outputFormat: .safeDefault)
            options.seed = 5
            let (audio, events) = try await onThread { [options] () -> ([UInt8], [String]) in
                let session = try StreamInputSession(client: client(for: sandbox), options: options, settings: VoiceSettings(stability: 0.6))
                defer { session.close() }
                try session.send(text: "First sentence arrives.", flush: true)
                try session.send(text: "Then the rest", flush: false)
                try session.end()
                var audio: [UInt8] = [], events: [String] = []
                while let event = try session.next(timeout: 30) {
                    switch event {
                    case .audio(let bytes, _): audio += bytes
                    case .final: events.append("final")
                    case .closed(let code, _): events.append("closed \(code)"); return (audio, events)
                    }
                }
                return (audio, events)
            }
            try await expectWholeMP3(audio, "stream input")
            #expect(events.last == "closed 1000")
            let ws = try #require(sandbox.requests.last)
            #expect(ws.queryValue("model_id") == "eleven_flash_v2_5" && ws.queryValue("seed") == "5")
            let first = try #require(ws.messages.first.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
            #expect(first["text"] as? String == " " && (first["voice_settings"] as? [String: Any])?["stability"] as? Double == 0.6)
            // Every text ends with a space; the end of input is the empty text.
            #expect(ws.messages.dropFirst().compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["text"] as? String }
                    == ["First sentence arrives. ", "Then the rest ", ""])
        }
    }
}
