// Markup against the model through the binary (#20 part 3): what the sandbox receives is the
// converted text, the note is said once on stderr, and --quiet keeps it quiet.
import Testing
import Foundation
import ElevenLabsSandbox
import TestSupport

@Suite struct MarkupEndToEndTests {
    let dir: URL
    init() throws { dir = try temporaryDirectory() }

    func sentText(_ sandbox: Sandbox) throws -> String {
        let tts = try #require(sandbox.requests.last { $0.path.hasPrefix("/v1/text-to-speech/") })
        let body = try #require(try JSONSerialization.jsonObject(with: tts.body) as? [String: Any])
        return try #require(body["text"] as? String)
    }

    @Test func breaksAreConvertedForV3AndPauseTagsForOtherModels() async throws {
        try await withSandbox { sandbox in
            let env = sandboxEnv(sandbox, cacheIn: dir)
            let out = dir.appendingPathComponent("m.mp3").path
            let v3 = try await run("elevenlabs", ["speak", "-m", "eleven_v3", "-o", out, #"Wait <break time="1.5s"/> for it."#], env: env)
            #expect(v3.status == 0, "\(v3.err)")
            #expect(try sentText(sandbox) == "Wait [pause] for it.")
            #expect(v3.err.components(separatedBy: "takes no <break> tags").count == 2, "\(v3.err)")
            let v2 = try await run("elevenlabs", ["speak", "-m", "eleven_multilingual_v2", "-o", out, "Wait [pause] for it [laughs]."], env: env)
            #expect(v2.status == 0, "\(v2.err)")
            #expect(try sentText(sandbox) == #"Wait <break time="1s"/> for it [laughs]."#)
            #expect(v2.err.contains("would read [laughs] aloud"))
            let quiet = try await run("elevenlabs", ["speak", "-q", "-m", "eleven_multilingual_v2", "-o", out, "Again [laughs]."], env: env)
            #expect(quiet.status == 0 && quiet.err.isEmpty, "\(quiet.err)")
        }
    }
}
