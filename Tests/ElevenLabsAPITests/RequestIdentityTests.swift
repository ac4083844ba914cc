// One request identity (#27): the audio cache's key and a batch item's fingerprint come from the body
// a request sends, so nothing sent can be missing from them.
import Testing
import Foundation
import ElevenLabsAPI

@Suite struct RequestIdentityTests {
    func object(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    /// A JSON value written with sorted keys, so two equal values read the same.
    func canonical(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
    }

    func full() -> SpeechRequest {
        var r = SpeechRequest(voiceID: "JBFqnCBsd6RMkjVDRZzb", text: "Hello / there.", modelID: "eleven_flash_v2_5",
                              outputFormat: OutputFormat("pcm_16000")!, settings: VoiceSettings(stability: 0.4, speed: 1.1),
                              languageCode: "de", seed: 7, textNormalization: "off")
        r.previousRequestIDs = ["req1", "req2"]
        r.nextText = "And then."
        r.dictionaries = [DictionaryLocator(id: "dict1", version: "v1")]
        return r
    }

    @Test func theIdentityHoldsEveryFieldOfTheBodyAndWhatTravelsBesideIt() throws {
        let r = full()
        guard case .bytes(let bytes, _) = try r.body() else { Issue.record("no body"); return }
        let body = try object(bytes)
        let identity = try object(try r.identity(previousText: "Before.").json())
        // Every field sent is in the identity, with the same value; the previous requests' ids
        // (different in every run) are replaced by the text they spoke.
        for (key, value) in body where key != "previous_request_ids" {
            #expect(identity[key] != nil, "\(key) is sent but not in the identity")
            #expect(try canonical(identity[key]!) == (try canonical(value)), "\(key)")
        }
        #expect(body["previous_request_ids"] != nil && identity["previous_request_ids"] == nil)
        #expect(identity["previous_text"] as? String == "Before.")
        #expect(identity["voice_id"] as? String == r.voiceID && identity["output_format"] as? String == "pcm_16000")
        #expect(Set(identity.keys) == Set(body.keys).subtracting(["previous_request_ids"]).union(["previous_text", "voice_id", "output_format"]))
    }

    @Test func changingAnythingSentChangesTheDigest() throws {
        let base = try full().identity(previousText: nil).digest()
        let changes: [(String, (inout SpeechRequest) -> Void)] = [
            ("voice", { $0.voiceID = "CwhRBWXzGAHq8TQ4Fs17" }), ("text", { $0.text += "!" }), ("model", { $0.modelID = "eleven_turbo_v2_5" }),
            ("format", { $0.outputFormat = .safeDefault }), ("settings", { $0.settings?.stability = 0.5 }), ("language", { $0.languageCode = "fr" }),
            ("seed", { $0.seed = 8 }), ("normalisation", { $0.textNormalization = "on" }), ("next text", { $0.nextText = "Else." }),
            ("dictionary", { $0.dictionaries = [] }),
        ]
        var seen: Set<String> = [base]
        for (what, change) in changes {
            var r = full()
            change(&r)
            #expect(seen.insert(try r.identity(previousText: nil).digest()).inserted, "\(what) did not change the identity")
        }
        // What is not sent, or differs run to run, does not.
        var r = full()
        r.previousRequestIDs = ["other"]
        r.withTimestamps = true
        #expect(try r.identity(previousText: nil).digest() == base)
    }

    @Test func aDialogueIdentityIsItsBodyAsSent() throws {
        var d = DialogueRequest(inputs: [DialogueInput(text: "Hi.", voiceID: "a"), DialogueInput(text: "Yo.", voiceID: "b")],
                                modelID: "eleven_v3", outputFormat: .safeDefault)
        d.seed = 3
        guard case .bytes(let bytes, _) = try d.body() else { Issue.record("no body"); return }
        let identity = try object(try d.identity().json())
        #expect(identity["body"] as? String == String(decoding: bytes, as: UTF8.self))
        #expect(identity["output_format"] as? String == "mp3_44100_128" && identity["endpoint"] as? String == "text-to-dialogue")
    }
}
