// Trust, round three (money, data, the key, hangs), through the real binary against the sandbox or
// small hostile servers: each test reproduces a defect an adversarial or new-user run found, and
// proves what reached the server (the sandbox's log) as well as what the user saw.
import Testing
import Foundation
import ElevenLabsAPI
import ElevenLabsSandbox
import TestSupport

@Suite struct TrustRoundThreeTests {
    let dir: URL
    init() throws { dir = try temporaryDirectory() }
    func env(_ sandbox: Sandbox) -> [String: String] { sandboxEnv(sandbox, cacheIn: dir) }
    func ttsTexts(_ sandbox: Sandbox) -> [String] {
        sandbox.requests.filter { $0.path.hasPrefix("/v1/text-to-speech/") }.compactMap { $0.jsonObject?["text"] as? String }
    }

    // MARK: Money: the unit the service counts

    /// Scripts where a reader's characters and the service's code points differ most.
    static let heavyScripts: [(String, String)] = [
        ("Devanagari conjuncts", "क्ष्म्य त्र्य स्त्र्य ज्ञ। "),
        ("Thai with tone marks", "ที่นี่มีน้ำใส่ขวดแก้ว "),
        ("emoji ZWJ sequences", "👩‍👩‍👧‍👦 👨🏽‍💻 🏳️‍🌈 family. "),
        ("combining marks", "e\u{301}\u{302}\u{303}\u{304}\u{305}\u{306} a\u{308}\u{30A}\u{30B}. "),
    ]

    @Test(arguments: heavyScripts.map(\.0))
    func longTextsArePlannedCutAndPricedInCodePoints(script: String) async throws {
        let unit = Self.heavyScripts.first { $0.0 == script }!.1
        var text = ""
        while text.unicodeScalars.count < 9_000 { text += unit }
        let file = dir.appendingPathComponent("heavy.txt")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let scalars = text.trimmingCharacters(in: .whitespacesAndNewlines).unicodeScalars.count
        #expect(text.count * 5 < text.unicodeScalars.count * 4, "the fixture must differ")
        try await withSandbox { sandbox in
            // The estimate counts code points, for speak -f and for a batch alike.
            let dry = try await run("elevenlabs", ["speak", "-m", "eleven_v3", "-f", file.path, "--dry-run"], env: env(sandbox))
            #expect(dry.status == 0, "\(dry.err)")
            // (Counted before or after white space is trimmed; either way in code points, never graphemes.)
            let said = (dry.out + dry.err).firstMatch(of: /would speak ([0-9,]+) characters.*about ([0-9,]+) credits/)
            for number in [said?.1, said?.2] {
                let n = Int((number ?? "").replacingOccurrences(of: ",", with: "")) ?? 0
                #expect(abs(n - scalars) <= 16, "\(script): \(dry.out) \(dry.err)")
            }
            let batch = try await run("elevenlabs", ["speak", "-m", "eleven_v3", "--out-dir", dir.appendingPathComponent("b").path,
                                                     "--dry-run", "--json", file.path], env: env(sandbox))
            let plan = try JSONSerialization.jsonObject(with: batch.stdout) as? [String: Any]
            let items = plan?["items"] as? [[String: Any]]
            #expect(abs((items?.first?["characters"] as? Int ?? 0) - scalars) <= 16, "\(batch.out) \(batch.err)")
            #expect(sandbox.requests.allSatisfy { $0.method == "GET" })

            // Every request fits eleven_v3's 3,000 as the service counts, and nothing is lost.
            let out = dir.appendingPathComponent("heavy.mp3")
            let r = try await run("elevenlabs", ["speak", "-m", "eleven_v3", "-f", file.path, "-o", out.path, "--yes"], env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            let texts = ttsTexts(sandbox)
            #expect(texts.count >= 3)
            #expect(texts.allSatisfy { $0.unicodeScalars.count <= 3_000 }, "\(texts.map { $0.unicodeScalars.count })")
            #expect(sandbox.requests.allSatisfy { $0.status < 400 })
            let squash = { (s: String) in s.unicodeScalars.filter { !$0.properties.isWhitespace }.count }
            #expect(texts.reduce(0) { $0 + squash($1) } == squash(text))
        }
    }

    @Test func chunkerNeverPassesTheLimitInCodePoints() {
        for (name, unit) in Self.heavyScripts {
            let text = String(repeating: unit, count: 400)
            for limit in [50, 333, 1000] {
                let parts = TextChunker.split(text, limit: limit)
                #expect(parts.allSatisfy { $0.unicodeScalars.count <= limit }, "\(name) \(limit)")
                #expect(parts.joined().unicodeScalars.filter { !$0.properties.isWhitespace }.count
                        == text.unicodeScalars.filter { !$0.properties.isWhitespace }.count, "\(name) \(limit)")
            }
        }
        // One grapheme longer than the limit (a stack of combining marks) is cut rather than sent whole.
        let zalgo = "a" + String(repeating: "\u{301}", count: 500)
        #expect(TextChunker.split(zalgo + " b", limit: 100).allSatisfy { $0.unicodeScalars.count <= 100 })
    }

    // MARK: Money: typos are not spoken

    @Test func aWordInTheCommandPositionIsNeverSpoken() async throws {
        try await withSandbox { sandbox in
            let cases: [([String], String)] = [
                (["hlep"], "did you mean 'help'"), (["hepl"], "did you mean 'help'"),
                (["dictionary"], "did you mean 'dictionaries'"), (["dict"], "did you mean 'dictionaries'"),
                (["dictionary", "list"], "did you mean 'dictionaries'"), (["dictionary", "add", "names.pls"], "did you mean 'dictionaries'"),
                (["balance"], "did you mean 'user'"), (["models."], "did you mean 'models'"),
                (["Hello"], "one word alone is not spoken"), (["--device", "null", "Hello."], "one word alone is not spoken"),
            ]
            for (args, says) in cases {
                let r = try await run("elevenlabs", args, env: env(sandbox))
                #expect(r.status == 2, "\(args): \(r.err)")
                #expect(r.err.contains(says), "\(args): \(r.err)")
                #expect(r.err.contains("elevenlabs speak '\(args.last == "Hello." ? "Hello." : args[0])'"), "\(args): \(r.err)")
            }
            #expect(sandbox.requests.isEmpty, "a refused word reached the server")
            // Text that is plainly text is spoken, as say(1) speaks it.
            for args in [["--device", "null", "Hello there."], ["--device", "null", "Hello", "there"], ["speak", "--device", "null", "Hello"],
                         ["--device", "null", "--", "hlep"]] {
                let r = try await run("elevenlabs", args, env: env(sandbox))
                #expect(r.status == 0, "\(args): \(r.err)")
            }
            #expect(ttsTexts(sandbox) == ["Hello there.", "Hello there", "Hello", "hlep"])
        }
    }

    // MARK: Money: invisible text

    @Test func textOfOnlyInvisibleCharactersIsRefusedOnEveryPath() async throws {
        try await withSandbox { sandbox in
            for (i, invisible) in ["\u{00A0}\u{3000}\u{200B}", "\u{200B}\u{200C}\u{200D}\u{FEFF}", "\u{1}\u{7F}\u{85}", " \u{2028}\u{2029}\u{180E}\u{2060}"].enumerated() {
                let file = dir.appendingPathComponent("invisible\(i).txt")
                try (invisible + "\n").write(to: file, atomically: true, encoding: .utf8)
                let out = dir.appendingPathComponent("x\(i).mp3").path
                for args in [["speak", "-f", file.path, "-o", out], ["speak", "-o", out, "--", invisible + " " + invisible],
                             ["speak", "--out-dir", dir.appendingPathComponent("o\(i)").path, file.path]] {
                    let r = try await run("elevenlabs", args, env: env(sandbox))
                    #expect(r.status == 3, "\(i) \(args): \(r.err)")
                    #expect(r.err.contains("nothing to speak") || r.err.contains("invisible"), "\(i) \(args): \(r.err)")
                }
                let piped = try await run("elevenlabs", ["speak", "-o", out], env: env(sandbox), stdin: Data((invisible + "\n").utf8))
                #expect(piped.status == 3, "\(i) piped: \(piped.err)")
                #expect(!FileManager.default.fileExists(atPath: out))
            }
            #expect(ttsTexts(sandbox).isEmpty)
            #expect(!sandbox.requests.contains { $0.path.hasPrefix("/v1/text-to-speech") || $0.path.contains("stream-input") })
        }
    }
}

/// 12345 as 12,345, as the CLI prints counts.
func grouped(_ n: Int) -> String {
    let digits = Array(String(n))
    return String(digits.enumerated().flatMap { i, d in (i > 0 && (digits.count - i) % 3 == 0) ? [",", d] : [d] })
}

extension TrustRoundThreeTests {
    // MARK: Money: piped text into a file is priced

    @Test func pipedTextIntoAFileIsPricedBeforeAnythingIsSent() async throws {
        let long = String(repeating: "A sentence of plain words here. ", count: 700) // 22,400 characters
        try await withSandbox({ $0.characterLimit = 100 }) { sandbox in
            let out = dir.appendingPathComponent("piped.mp3")
            let r = try await run("elevenlabs", ["-o", out.path], env: env(sandbox), stdin: Data(long.utf8))
            #expect(r.status == 5, "\(r.err)")
            #expect(r.err.contains("needs about 22,400 credits, but 100 are left"), "\(r.err)")
            #expect(!FileManager.default.fileExists(atPath: out.path))
            // A pipe that ends at once is a file's text: --dry-run prices it.
            let dry = try await run("elevenlabs", ["-o", out.path, "--dry-run"], env: env(sandbox), stdin: Data(long.utf8))
            #expect(dry.status == 0 && (dry.out + dry.err).contains("would speak 22,400 characters"), "\(dry.out) \(dry.err)")
            #expect(!sandbox.requests.contains { $0.path.hasPrefix("/v1/text-to-speech") }, "text was sent")
        }
        // A slow pipe (a program still writing) stays live, and what it has written so far is priced.
        try await withSandbox({ $0.characterLimit = 100 }) { sandbox in
            let out = dir.appendingPathComponent("slow.mp3")
            let r = try await runShell("{ printf '%s' \"$LONG\"; sleep 3; echo more; } | \"$ELEVENLABS\" -o '\(out.path)'",
                                       env: env(sandbox).merging(["LONG": long]) { $1 })
            #expect(r.status == 5, "\(r.err)")
            #expect(r.err.contains("the text read so far (22,400 characters, and more to come)"), "\(r.err)")
            #expect(!sandbox.requests.contains { $0.path.hasPrefix("/v1/text-to-speech") })
        }
        try await withSandbox { sandbox in
            let out = dir.appendingPathComponent("slow-ok.mp3")
            let r = try await runShell("{ echo 'The first line is here.'; sleep 3; echo 'And then the second.'; } | \"$ELEVENLABS\" -o '\(out.path)'",
                                       env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            #expect(sandbox.requests.contains { $0.path.hasSuffix("/stream-input") }, "a slow pipe is spoken live")
            try await expectWholeMP3(Data(contentsOf: out), "slow pipe")
        }
    }
}
