// The audio cache's keys come from the request's identity (#27) and still name the entries that 0.3
// wrote: audio already bought stays found after an upgrade.
import Testing
import Foundation
import ElevenLabsAPI
@testable import ElevenLabsCLI

@Suite struct AudioCacheKeyTests {
    @Test func keysMatchTheEntriesEarlierVersionsWrote() throws {
        var r = SpeechRequest(voiceID: "JBFqnCBsd6RMkjVDRZzb", text: "Hello / world.", modelID: "eleven_multilingual_v2",
                              outputFormat: .safeDefault, seed: 42)
        r.nextText = "Next."
        r.previousRequestIDs = ["req_1"]
        let keys = try SpeechJob.cacheKeys(r, previous: "Before.", server: "http://127.0.0.1:1")
        // The key material of 0.3 (AudioCache.KeyMaterial), as its encoder wrote it.
        let old = #"{"model_id":"eleven_multilingual_v2","next_text":"Next.","output_format":"mp3_44100_128","previous_text":"Before.","seed":42,"server":"http://127.0.0.1:1","text":"Hello / world.","voice_id":"JBFqnCBsd6RMkjVDRZzb"}"#
        #expect(keys.plain == Digest.sha256Hex(old))
        #expect(keys.timed == Digest.sha256Hex(old.replacingOccurrences(of: #""text":"Hello / world.","#, with: #""text":"Hello / world.","timings":true,"#)))
        // Another server never shares an entry.
        #expect(try SpeechJob.cacheKeys(r, previous: "Before.", server: "https://api.elevenlabs.io").plain != keys.plain)
    }
}
