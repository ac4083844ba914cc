// Captions through the binary: timed by the with-timestamps endpoint, grouped into readable cues,
// monotonic, and right across the requests of a long text (they end with the audio, within 50 ms).
import Testing
import Foundation
@testable import ElevenLabsSandbox
import TestSupport

@Suite struct CaptionsTests {
    let dir: URL
    init() throws { dir = try temporaryDirectory() }
    func env(_ sandbox: Sandbox) -> [String: String] {
        sandboxEnv(sandbox, cacheIn: dir)
    }

    @Test func aLongTextsCaptionsStayInStepWithItsAudio() async throws {
        let text = (1...80).map { "Sentence \($0) is spoken and captioned in time." }.joined(separator: " ")
        try await withSandbox { sandbox in
            let audio = dir.appendingPathComponent("long.mp3"), captions = dir.appendingPathComponent("long.json")
            let r = try await run("elevenlabs", ["speak", "-m", "eleven_v3", "-o", audio.path, "--captions", captions.path, text], env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            let requests = sandbox.requests.filter { $0.path.hasSuffix("/stream/with-timestamps") }
            #expect(requests.count >= 3)
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: captions)) as? [String: Any])
            let cues = try #require(doc["cues"] as? [[String: Any]])
            let words = try #require(doc["words"] as? [[String: Any]])
            #expect(words.count == text.split(separator: " ").count)
            var last = 0.0
            for cue in cues {
                let start = try #require(cue["start"] as? Double), end = try #require(cue["end"] as? Double)
                #expect(start >= last - 0.0005 && end >= start)
                #expect((cue["text"] as? String ?? "").count <= 42)
                last = end
            }
            // Times in milliseconds, as SRT and WebVTT give them: no number has more than 3 decimals.
            let raw = try String(contentsOf: captions, encoding: .utf8)
            #expect(raw.firstMatch(of: /[0-9]\.[0-9]{4,}/) == nil, "a time with more than 3 decimals")
            let duration = try await mpg123Probe(Data(contentsOf: audio)).seconds // mpg123's length, not the sandbox's
            #expect(abs(last - duration) < 0.05, "captions end at \(last), audio lasts \(duration)")
        }
    }

    @Test func srtAndVttAreWrittenInTheirFormats() async throws {
        try await withSandbox { sandbox in
            let srt = dir.appendingPathComponent("c.srt"), vtt = dir.appendingPathComponent("c.vtt")
            let a = try await run("elevenlabs", ["speak", "--device", "null", "--captions", srt.path, "Hello there. General Kenobi."], env: env(sandbox))
            #expect(a.status == 0, "\(a.err)")
            let s = try String(contentsOf: srt, encoding: .utf8)
            #expect(s.hasPrefix("1\n00:00:00,000 --> 00:00:00,"))
            #expect(s.contains("\n\n2\n") && s.contains("Hello there.") && s.contains("General Kenobi."))
            let b = try await run("elevenlabs", ["speak", "-o", dir.appendingPathComponent("v.mp3").path, "--captions", vtt.path, "Hello again."], env: env(sandbox))
            #expect(b.status == 0, "\(b.err)")
            #expect(try String(contentsOf: vtt, encoding: .utf8).hasPrefix("WEBVTT\n\n00:00:00.000 --> "))
            let bad = try await run("elevenlabs", ["speak", "--captions", dir.appendingPathComponent("c.txt").path, "x"], env: env(sandbox))
            #expect(bad.status == 2)
        }
    }
}

extension CaptionsTests {
    @Test func highlightMarksEachWordInTurnOnATerminal() async throws {
        try await withSandbox({ $0.faults.chunkSize = 2000; $0.faults.chunkDelay = 0.1 }) { sandbox in
            // On a terminal (script(1)); the marks arrive as the audio is "heard".
            let out = try await runShell("\"$ELEVENLABS\" speak --highlight --device null \"One two three, four five.\"",
                                         env: env(sandbox), terminal: true).out
            let marked = out.components(separatedBy: "\u{1B}[7m").dropFirst().compactMap { $0.components(separatedBy: "\u{1B}[0m").first }
            #expect(marked == ["One", "two", "three,", "four", "five."])
            #expect(out.contains("One two three, four five.\r\n") || out.hasSuffix("One two three, four five.\n"))
            #expect(sandbox.requests.last?.path.hasSuffix("/stream/with-timestamps") == true)
        }
        try await withSandbox { sandbox in
            // As say -i: without a terminal to show the text on, it just speaks (and says so).
            let r = try await run("elevenlabs", ["speak", "--highlight", "--device", "null", "x"], env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            #expect(r.err.hasPrefix("elevenlabs: warning: --highlight needs a terminal to show the text on; speaking without it"))
            #expect(sandbox.requests.count == 1)
        }
    }
}
