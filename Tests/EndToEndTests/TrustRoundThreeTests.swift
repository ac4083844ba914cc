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
            // `search TEXT` is the listing with --search TEXT (#31).
            let george = try await run("elevenlabs", ["voices", "search", "george"], env: env(sandbox))
            #expect(george.out.contains("George - ") && !george.out.contains("Roger - "), "\(george.out)")
            #expect(try await run("elevenlabs", ["voices", "search"], env: env(sandbox)).status == 2)
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
            // Priced as sent: the parts, whose edges lose their spaces (as --dry-run prices them).
            #expect(r.err.range(of: #"needs about 22,3\d\d credits, but 100 are left"#, options: .regularExpression) != nil, "\(r.err)")
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
        // Over 10,000 credits, a person at the terminal is asked there, though the text is piped.
        try await withSandbox { sandbox in
            try requireTool("script")
            let out = dir.appendingPathComponent("asked.mp3")
            let e = env(sandbox).merging(["LONG": long, "ELEVENLABS": binary("elevenlabs").path, "TERM": "xterm"]) { $1 }
            let r = try await runProcess(URL(fileURLWithPath: "/usr/bin/script"),
                                         ["-q", "-e", "-c", "printf '%s' \"$LONG\" | \"$ELEVENLABS\" -o '\(out.path)'", "/dev/null"],
                                         env: e, stdin: Data("n\n".utf8), timeout: 60)
            #expect(r.out.range(of: #"speak 22,400 characters for about 22,3\d\d credits"#, options: .regularExpression) != nil && r.out.contains("[y/N]"), "\(r.out)")
            #expect(r.status == 1 && r.out.contains("nothing spent"), "\(r.status) \(r.out)")
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

extension TrustRoundThreeTests {
    // MARK: Data

    /// As the kernel's protected_symlinks does for `>`: another user's link in a sticky world-writable
    /// directory is not followed, for -o, --captions and history save alike. (Needs root to give the
    /// link another owner, as CI runs; elsewhere only the links of our own are checked.)
    @Test func anotherUsersLinkInASharedDirectoryIsNotFollowed() async throws {
        let shared = dir.appendingPathComponent("shared-tmp")
        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
        chmod(shared.path, 0o1777)
        let mine = dir.appendingPathComponent("precious.txt")
        try "mine".write(to: mine, atomically: true, encoding: .utf8)
        let planted = shared.appendingPathComponent("out.mp3"), plantedSRT = shared.appendingPathComponent("out.srt")
        symlink(mine.path, planted.path)
        symlink(mine.path, plantedSRT.path)
        let foreign = geteuid() == 0 && lchown(planted.path, 65534, 65534) == 0 && lchown(plantedSRT.path, 65534, 65534) == 0
        try await withSandbox { sandbox in
            let r = try await run("elevenlabs", ["speak", "-o", planted.path, "Hello there."], env: env(sandbox))
            let c = try await run("elevenlabs", ["speak", "-o", dir.appendingPathComponent("ok.mp3").path, "--captions", plantedSRT.path, "Hello there."], env: env(sandbox))
            if foreign {
                #expect(r.status == 3 && r.err.contains("symbolic link of another user's"), "\(r.err)")
                #expect(c.status == 3 && c.err.contains("symbolic link of another user's"), "\(c.err)")
                #expect(try String(contentsOf: mine, encoding: .utf8) == "mine")
                #expect(!sandbox.requests.contains { $0.path.hasPrefix("/v1/text-to-speech") }, "refused after buying")
            }
            // Our own link is followed, as `>` follows it, and stays a link.
            let own = shared.appendingPathComponent("own.mp3"), target = dir.appendingPathComponent("target.mp3")
            symlink(target.path, own.path)
            let o = try await run("elevenlabs", ["speak", "-o", own.path, "Hello there."], env: env(sandbox))
            #expect(o.status == 0, "\(o.err)")
            #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: own.path)) == target.path)
            #expect((try Data(contentsOf: target)).count > 1000)
        }
    }

    @Test func aConfiguredFormatNeverBeatsTheFileName() async throws {
        let config = dir.appendingPathComponent("cfg/elevenlabs/config")
        try FileManager.default.createDirectory(at: config.deletingLastPathComponent(), withIntermediateDirectories: true)
        try await withSandbox { sandbox in
            var e = env(sandbox)
            e["XDG_CONFIG_HOME"] = dir.appendingPathComponent("cfg").path
            try "# mine\nformat = mp3_22050_32\n".write(to: config, atomically: true, encoding: .utf8)
            let wav = dir.appendingPathComponent("x.wav")
            let r = try await run("elevenlabs", ["speak", "-o", wav.path, "Hello there."], env: e)
            #expect(r.status == 0, "\(r.err)")
            #expect(try Data(contentsOf: wav).prefix(4) == Data("RIFF".utf8), "a .wav must be a WAV")
            #expect(r.err.contains("format in \(config.path):2"), "\(r.err)")
            #expect(sandbox.requests.last?.queryValue("output_format") == "pcm_24000")
            // The same codec keeps the configured quality.
            let mp3 = dir.appendingPathComponent("x.mp3")
            _ = try await run("elevenlabs", ["speak", "-o", mp3.path, "Hello there."], env: e)
            #expect(sandbox.requests.last?.queryValue("output_format") == "mp3_22050_32")
            try "format = wav_16000\n".write(to: config, atomically: true, encoding: .utf8)
            let m = try await run("elevenlabs", ["speak", "-o", mp3.path, "Hello again."], env: e)
            #expect(m.status == 0 && sandbox.requests.last?.queryValue("output_format") == "mp3_44100_128", "\(m.err)")
            #expect(try Data(contentsOf: mp3).prefix(4) != Data("RIFF".utf8))
            let played = try await run("elevenlabs", ["speak", "--device", "null", "Hello there."], env: e)
            #expect(played.status == 2 && played.err.contains("format in \(config.path):1"), "\(played.err)")
        }
    }

    @Test func theConfigFileSurvivesTyposLinksAndConcurrentEdits() async throws {
        let home = dir.appendingPathComponent("cfg2")
        let real = dir.appendingPathComponent("dotfiles/elevenlabs-config")
        try FileManager.default.createDirectory(at: real.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: home.appendingPathComponent("elevenlabs"), withIntermediateDirectories: true)
        try "voise = Roger\n".write(to: real, atomically: true, encoding: .utf8)
        let link = home.appendingPathComponent("elevenlabs/config")
        symlink(real.path, link.path)
        try await withSandbox { sandbox in
            var e = env(sandbox)
            e["XDG_CONFIG_HOME"] = home.path
            // A typo warns (naming the line) but stops nothing, and can be removed.
            let models = try await run("elevenlabs", ["models"], env: e)
            #expect(models.status == 0 && models.err.contains("\(link.path):1: unknown setting 'voise'; did you mean 'voice'?"), "\(models.err)")
            let unset = try await run("elevenlabs", ["config", "unset", "voise"], env: e)
            #expect(unset.status == 0 && unset.err.contains("removed voise"), "\(unset.err)")
            let again = try await run("elevenlabs", ["config", "unset", "voise"], env: e)
            #expect(again.status == 2 || again.err.contains("nothing changed"), "\(again.err)") // no longer known, or not set
            // A misspelt voice is refused, a real one saved; through the link, which stays a link.
            let bad = try await run("elevenlabs", ["config", "set", "voice", "Rogr"], env: e)
            #expect(bad.status == 2 && bad.err.contains("no voice is named 'Rogr'"), "\(bad.err)")
            let good = try await run("elevenlabs", ["config", "set", "voice", "Roger"], env: e)
            #expect(good.status == 0, "\(good.err)")
            #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link.path)) == real.path)
            #expect(try String(contentsOf: real, encoding: .utf8) == "voice = Roger\n")
            // Several edits at once lose nothing.
            for round in 0..<6 {
                try "".write(to: real, atomically: false, encoding: .utf8)
                let settings = [("device", "d\(round)"), ("model", "eleven_flash_v2_5"), ("format", "mp3_44100_64"), ("dictionary", "abc\(round)")]
                let shared = e
                try await withThrowingTaskGroup(of: Int32.self) { group in
                    for (k, v) in settings { group.addTask { try await run("elevenlabs", ["config", "set", k, v, "-q"], env: shared).status } }
                    for try await status in group { #expect(status == 0) }
                }
                let lines = try String(contentsOf: real, encoding: .utf8).split(separator: "\n")
                #expect(lines.count == settings.count, "round \(round): \(lines)")
            }
        }
    }

    @Test func apiKeyFilePathsAreReadAsTheConfigMeansThem() async throws {
        let home = dir.appendingPathComponent("home")
        let cfg = home.appendingPathComponent(".config/elevenlabs")
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".secrets"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: cfg.appendingPathComponent("keys"), withIntermediateDirectories: true)
        try (sandboxKey + "\n").write(to: home.appendingPathComponent(".secrets/elevenlabs"), atomically: true, encoding: .utf8)
        try (sandboxKey + "\n").write(to: cfg.appendingPathComponent("keys/key"), atomically: true, encoding: .utf8)
        chmod(home.appendingPathComponent(".secrets/elevenlabs").path, 0o600)
        chmod(cfg.appendingPathComponent("keys/key").path, 0o600)
        // A planted relative file in the working directory is never read.
        let elsewhere = dir.appendingPathComponent("cwd/keys")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        try "sk_attacker_000000000000\n".write(to: elsewhere.appendingPathComponent("key"), atomically: true, encoding: .utf8)
        try await withSandbox { sandbox in
            var e = env(sandbox)
            e.removeValue(forKey: "ELEVENLABS_API_KEY")
            e["HOME"] = home.path
            e["XDG_CONFIG_HOME"] = home.appendingPathComponent(".config").path
            for value in ["~/.secrets/elevenlabs", "keys/key"] {
                try "api_key_file = \(value)\n".write(to: cfg.appendingPathComponent("config"), atomically: true, encoding: .utf8)
                let r = try await runShell("cd '\(dir.appendingPathComponent("cwd").path)' && \"$ELEVENLABS\" user", env: e)
                #expect(r.status == 0, "\(value): \(r.err)")
            }
            #expect(sandbox.requests.count == 2 && sandbox.requests.allSatisfy { $0.status == 200 }, "the planted key was sent")
        }
    }

    @Test func pipedUploadsSendWhatWasChecked() async throws {
        let pls = "<?xml version=\"1.0\"?>\n<lexicon version=\"1.0\" xmlns=\"http://www.w3.org/2005/01/pronunciation-lexicon\" alphabet=\"ipa\" xml:lang=\"en-US\"><lexeme><grapheme>Siobhan</grapheme><alias>Shivawn</alias></lexeme></lexicon>\n"
        let file = dir.appendingPathComponent("names.pls")
        try pls.write(to: file, atomically: true, encoding: .utf8)
        let wav = dir.appendingPathComponent("take.wav")
        try writeSilentWAV(to: wav)
        try await withSandbox { sandbox in
            let d = try await runShell("cat '\(file.path)' | \"$ELEVENLABS\" dictionaries add /dev/stdin --name Names", env: env(sandbox))
            #expect(d.status == 0, "\(d.err)")
            let c = try await runShell("\"$ELEVENLABS\" clone Piped <(cat '\(wav.path)')", env: env(sandbox))
            #expect(c.status == 0, "\(c.err)")
            let uploads = sandbox.requests.filter { $0.method == "POST" }
            #expect(uploads.first { $0.path.hasSuffix("add-from-file") }?.parts.first { $0.name == "file" }?.text == pls)
            #expect(uploads.first { $0.path == "/v1/voices/add" }?.parts.first { $0.name == "files" }?.body.count == 16044)
        }
    }

    @Test func historySavedIntoAFIFOAsWAVIsARealStream() async throws {
        try await withSandbox { sandbox in
            _ = try await run("elevenlabs", ["-o", dir.appendingPathComponent("h.mp3").path, "A generation to save."], env: env(sandbox))
            let listed = try await run("elevenlabs", ["history", "--limit", "1", "--json"], env: env(sandbox))
            let id = try #require((try JSONSerialization.jsonObject(with: listed.stdout) as? [[String: Any]])?.first?["history_item_id"] as? String)
            let fifo = dir.appendingPathComponent("stream.wav")
            mkfifo(fifo.path, 0o600)
            let copy = dir.appendingPathComponent("copy.wav")
            let r = try await runShell("cat '\(fifo.path)' > '\(copy.path)' & \"$ELEVENLABS\" history save \(id) -o '\(fifo.path)'; s=$?; wait; exit $s", env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            let bytes = try Data(contentsOf: copy)
            #expect(bytes.count > 10_000 && bytes.prefix(4) == Data("RIFF".utf8) && bytes[22] == 1, "a header with its format, then the audio")
            #expect(bytes.dropFirst(24).prefix(4) != Data([0, 0, 0, 0]), "the sample rate is set")
            let soxi = try await tool(["soxi", "-t", copy.path])
            #expect(soxi.status == 0 && soxi.output.contains("wav"), "\(soxi.output)")
        }
    }

    @Test func aSecondVoiceOfTheSameNameIsRefusedUnlessAsked() async throws {
        let wav = dir.appendingPathComponent("take2.wav")
        try writeSilentWAV(to: wav)
        try await withSandbox { sandbox in
            let first = try await run("elevenlabs", ["clone", "My Narrator", wav.path], env: env(sandbox))
            #expect(first.status == 0, "\(first.err)")
            let again = try await run("elevenlabs", ["clone", "my narrator", wav.path], env: env(sandbox))
            #expect(again.status == 2 && again.err.contains("a voice named 'my narrator' exists already"), "\(again.err)")
            #expect(sandbox.requests.filter { $0.path == "/v1/voices/add" }.count == 1)
            let allowed = try await run("elevenlabs", ["clone", "My Narrator", wav.path, "--allow-duplicate"], env: env(sandbox))
            #expect(allowed.status == 0, "\(allowed.err)")
            let ambiguous = try await run("elevenlabs", ["speak", "-v", "My Narrator", "--device", "null", "Hello there."], env: env(sandbox))
            #expect(ambiguous.status == 2, "\(ambiguous.err)")
            #expect(ambiguous.err.contains(first.out.trimmingCharacters(in: .whitespacesAndNewlines)) && ambiguous.err.contains("give the voice id"), "\(ambiguous.err)")
        }
    }

    @Test func eachLineRemovesTheClipsOfLinesThatAreGone() async throws {
        let input = dir.appendingPathComponent("prompts.txt"), out = dir.appendingPathComponent("clips")
        try "First prompt.\nSecond prompt.\nThird prompt.\n".write(to: input, atomically: true, encoding: .utf8)
        try await withSandbox { sandbox in
            let r = try await run("elevenlabs", ["speak", "--each-line", "-f", input.path, "--out-dir", out.path], env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".mp3") }.count == 3)
            try "First prompt.\nSecond prompt.\n".write(to: input, atomically: true, encoding: .utf8)
            let dry = try await run("elevenlabs", ["speak", "--each-line", "-f", input.path, "--out-dir", out.path, "--dry-run"], env: env(sandbox))
            #expect(dry.err.contains("would remove 1 clip"), "\(dry.err)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".mp3") }.count == 3)
            let again = try await run("elevenlabs", ["speak", "--each-line", "-f", input.path, "--out-dir", out.path], env: env(sandbox))
            #expect(again.status == 0 && again.err.contains("removed 1 clip of lines no longer in the input"), "\(again.err)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".mp3") }.sorted() == ["prompts-0001.mp3", "prompts-0002.mp3"])
        }
    }

    @Test func aDryRunChangesNothingOnDisk() async throws {
        try await withSandbox { sandbox in
            let r = try await run("elevenlabs", ["speak", "--dry-run", "-o", dir.appendingPathComponent("a/b/c.mp3").path,
                                                 "--captions", dir.appendingPathComponent("x/y/z.srt").path, "--create-dirs", "Hello there."], env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("a").path))
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x").path))
        }
    }
}

/// `Servers/hostile_http.py MODE`: a server broken in one way, for one test.
private struct HostileHTTP {
    let process: Child
    let port: Int

    static func start(_ mode: String, in dir: URL) async throws -> HostileHTTP {
        let portFile = dir.appendingPathComponent("http-port-\(mode)")
        let (p, port) = try await startPortFileServer(
            ["python3", repositoryRoot.appendingPathComponent("Tests/EndToEndTests/Servers/hostile_http.py").path, mode, portFile.path],
            portFile: portFile)
        #expect(port > 0, "the hostile server did not start")
        return HostileHTTP(process: p, port: port)
    }

    func stop() { process.terminate() }
    var env: [String: String] { ["ELEVENLABS_BASE_URL": "http://127.0.0.1:\(port)", "ELEVENLABS_API_KEY": sandboxKey] }
}

extension TrustRoundThreeTests {
    // MARK: Hangs: every exchange ends, in bounded time and memory

    static let hostileCases: [(mode: String, args: [String], exit: Int32, says: String)] = [
        ("voices-repeat-token", ["voices"], 1, "the same page token twice"),
        ("voices-new-token", ["speak", "-v", "Nobody", "--device", "null", "Hello there."], 1, "still had more after 100 pages"),
        ("history-empty-more", ["history"], 1, "an empty page that said there were more"),
        ("endless-json", ["models"], 1, "over 16 MiB"),
        ("gzip-bomb", ["models"], 1, "over 16 MiB"),
        ("endless-error", ["models", "--retries", "0"], 6, "HTTP 500"),
        ("ws-endless-header", ["speak", "--live", "--device", "null"], 7, "too large"),
        ("ws-huge-403", ["speak", "--live", "--device", "null"], 5, "403"),
    ]

    @Test(arguments: hostileCases.map { $0.mode })
    func aHostileServerNeverHoldsUsOrOurMemory(mode: String) async throws {
        let c = Self.hostileCases.first { $0.mode == mode }!
        let server = try await HostileHTTP.start(mode, in: dir)
        defer { server.stop() }
        try requireTool("time")
        let env = server.env.merging(["XDG_CACHE_HOME": dir.appendingPathComponent("cache-\(mode)").path]) { $1 }
        let quoted = c.args.map { "'\($0)'" }.joined(separator: " ")
        let started = Date()
        let r = try await runShell("echo 'Hello there.' | /usr/bin/time -f 'peak %M KB' \"$ELEVENLABS\" \(quoted)", env: env, timeout: 60)
        #expect(Date().timeIntervalSince(started) < 30, "\(mode) took \(Date().timeIntervalSince(started)) s")
        #expect(r.status == c.exit, "\(mode): \(r.err)")
        #expect(r.err.contains(c.says), "\(mode): \(r.err)")
        let peak = r.err.firstMatch(of: /peak ([0-9]+) KB/).flatMap { Int($0.1) } ?? Int.max
        #expect(peak < 200_000, "\(mode): peak \(peak) KB")
    }

    @Test func completionEndsWithinItsDeadlineAgainstATricklingServer() async throws {
        let server = try await HostileHTTP.start("trickle", in: dir)
        defer { server.stop() }
        let started = Date()
        let r = try await run("elevenlabs", ["__complete", "voices"], env: server.env.merging(["XDG_CACHE_HOME": dir.path]) { $1 })
        let took = Date().timeIntervalSince(started)
        #expect(r.status == 0 && r.out.isEmpty && r.err.isEmpty)
        // The deadline is 3 s; the bound leaves room for a loaded machine's start-up, far below the
        // 300 s a trickling server would otherwise hold a request.
        #expect(took < 20, "a Tab press waited \(took) s")
    }

    // MARK: Traps: numbers from dates, the environment and the terminal

    @Test func outOfRangeNumbersAreErrorsNotCrashes() async throws {
        try await withSandbox { sandbox in
            for date in ["99999999999-01-01", "2024-13-01", "99999999999999999"] {
                let r = try await run("elevenlabs", ["history", "--after", date], env: env(sandbox))
                #expect(r.status == 2, "\(date): \(r.status) \(r.err)")
            }
            let text = String(repeating: "A sentence for the progress line. ", count: 400)
            for columns in ["-9223372036854775808", "9223372036854775807", "0", "abc"] {
                let out = dir.appendingPathComponent("cols.mp3")
                let r = try await run("elevenlabs", ["speak", "--progress", "-o", out.path, "--", text],
                                      env: env(sandbox).merging(["COLUMNS": columns]) { $1 })
                #expect(r.status == 0, "COLUMNS=\(columns): \(r.status) \(r.err)")
                let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".part") }
                #expect(leftovers.isEmpty)
            }
        }
    }
}

extension TrustRoundThreeTests {
    @Test func listVerbsWorkEverywhere() async throws {
        try await withSandbox { sandbox in
            for args in [["voices", "list"], ["voices", "ls"], ["history", "list"], ["history", "ls"], ["models", "list"],
                         ["dictionaries", "list"], ["dictionaries", "ls"], ["voices", "search", "george"], ["history", "search", "words"]] {
                let r = try await run("elevenlabs", args, env: env(sandbox))
                #expect(r.status == 0, "\(args): \(r.err)")
            }
            // `search TEXT` is the listing with --search TEXT (#31).
            let george = try await run("elevenlabs", ["voices", "search", "george"], env: env(sandbox))
            #expect(george.out.contains("George - ") && !george.out.contains("Roger - "), "\(george.out)")
            #expect(try await run("elevenlabs", ["voices", "search"], env: env(sandbox)).status == 2)
        }
    }

    /// 300 speakers with no voice: the voice list is fetched once for all of them (5,000 took 221 s,
    /// one listing each), and all are named in one refusal before anything is bought.
    @Test func unvoicedSpeakersShareOneLookOfTheVoiceList() async throws {
        let script = dir.appendingPathComponent("crowd.txt")
        try (1...300).map { "SPEAKERNUMBER\($0): Line number \($0).\n" }.joined(separator: "\n").write(to: script, atomically: true, encoding: .utf8)
        try await withSandbox { sandbox in
            let r = try await run("elevenlabs", ["speak", "--dialogue", script.path, "-o", dir.appendingPathComponent("c.mp3").path], env: env(sandbox))
            #expect(r.status == 2, "\(r.err)")
            #expect(sandbox.requests.filter { $0.path.hasPrefix("/v2/voices") }.count == 1, "\(sandbox.requests.map(\.path).prefix(5))")
            #expect(!sandbox.requests.contains { $0.method == "POST" })
        }
    }
}

extension TrustRoundThreeTests {
    /// Ctrl-C while the WebSocket's TCP connection is still being made (a listener whose backlog is
    /// full drops the SYN, so connect() waits): the program stops at once, not after the connect
    /// timeout (10 s).
    @Test func ctrlCEndsAWebSocketConnectThatHangs() async throws {
        try requireTool("python3")
        let portFile = dir.appendingPathComponent("blackhole-port")
        let script = """
        import socket, sys, time
        l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(0)
        port = l.getsockname()[1]
        fill = []
        for i in range(8):
            s = socket.socket(); s.setblocking(False)
            try: s.connect(("127.0.0.1", port))
            except BlockingIOError: pass
            fill.append(s)
        open(sys.argv[1], "w").write(str(port))
        time.sleep(30)
        """
        let py = dir.appendingPathComponent("blackhole.py")
        try script.write(to: py, atomically: true, encoding: .utf8)
        let (server, port) = try await startPortFileServer(["python3", py.path, portFile.path], portFile: portFile)
        defer { server.terminate() }
        #expect(port > 0)
        let r = try await runShell("""
            echo 'Hello there.' | "$ELEVENLABS" --live --device null --connect-timeout 20 & pid=$!
            sleep 1.5; start=$(date +%s%N); kill -INT $pid; wait $pid; s=$?
            echo "status=$s ms=$(( ($(date +%s%N) - start) / 1000000 ))"
            """, env: ["ELEVENLABS_BASE_URL": "http://127.0.0.1:\(port)", "ELEVENLABS_API_KEY": sandboxKey,
                       "XDG_CACHE_HOME": dir.appendingPathComponent("bh-cache").path], timeout: 40)
        #expect(r.out.contains("status=130"), "\(r.out) \(r.err)")
        let ms = r.out.firstMatch(of: /ms=([0-9]+)/).flatMap { Int($0.1) } ?? Int.max
        // Well inside the 20 s connect timeout it would otherwise wait out (loaded machines are slow).
        #expect(ms < 10_000, "Ctrl-C took \(ms) ms to end the connect")
    }
}

extension TrustRoundThreeTests {
    /// Nothing listening on loopback (a sandbox not started): exit 7 at once, not 3 s of retries.
    @Test func aRefusedLoopbackConnectionFailsAtOnce() async throws {
        let r = try await run("elevenlabs", ["models"], env: ["ELEVENLABS_BASE_URL": "http://127.0.0.1:9", "ELEVENLABS_API_KEY": sandboxKey,
                                                           "XDG_CACHE_HOME": dir.appendingPathComponent("refused").path])
        #expect(r.status == 7, "\(r.err)")
        #expect(!r.err.contains("trying again"), "no retries: \(r.err)")
    }
}

extension TrustRoundThreeTests {
    /// Everyday UX: a slip of a model's short name is answered with the short name.
    @Test func aSlipOfAModelsShortNameIsSuggested() async throws {
        try await withSandbox { sandbox in
            let r = try await run("elevenlabs", ["-m", "flahs", "--device", "null", "Hello there."], env: env(sandbox))
            #expect(r.status == 2 && r.err.contains("unknown model 'flahs'; did you mean 'flash'?"), "\(r.err)")
            #expect(!sandbox.requests.contains { $0.method == "POST" })
        }
    }
}

extension TrustRoundThreeTests {
    /// Everyday UX: `history save ID > file` writes to standard output when it is not a terminal.
    @Test func historySaveWritesToARedirectedStandardOutput() async throws {
        try await withSandbox { sandbox in
            _ = try await run("elevenlabs", ["--device", "null", "A take worth keeping."], env: env(sandbox))
            let listed = try await run("elevenlabs", ["history", "--limit", "1", "--json"], env: env(sandbox))
            let id = try #require((try JSONSerialization.jsonObject(with: listed.stdout) as? [[String: Any]])?.first?["history_item_id"] as? String)
            let saved = try await run("elevenlabs", ["history", "save", id], env: env(sandbox))
            #expect(saved.status == 0, "\(saved.err)")
            let audio = try await onThread { Data(try client(for: sandbox).collect(method: "GET", path: "/v1/history/\(id)/audio").1) }
            expectSameBytes(saved.stdout, audio, "history save to standard output")
        }
    }
}

extension TrustRoundThreeTests {
    /// Everyday UX: `-o - --format wav_16000 > s.wav` into a regular file gets real sizes (sox reads
    /// it without "premature EOF"); into a pipe the header still says "until the end".
    @Test func aWAVOnStandardOutputRedirectedToAFileGetsItsSizes() async throws {
        try requireTool("soxi")
        try await withSandbox { sandbox in
            let wav = dir.appendingPathComponent("stdout.wav")
            let r = try await runShell("\"$ELEVENLABS\" speak -o - --format wav_16000 'Hello there, a WAV.' > '\(wav.path)'", env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            let bytes = [UInt8](try Data(contentsOf: wav))
            func le32(_ at: Int) -> Int { (0..<4).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
            #expect(bytes.count > 1000 && le32(4) == bytes.count - 8 && le32(40) == bytes.count - 44, "RIFF \(le32(4)), data \(le32(40)), file \(bytes.count)")
            let piped = try await runShell("\"$ELEVENLABS\" speak -o - --format wav_16000 'Hello there, a WAV.' | cat > '\(wav.path)'", env: env(sandbox))
            #expect(piped.status == 0)
            let streamed = [UInt8](try Data(contentsOf: wav))
            #expect(Array(streamed[40..<44]) == [0xFF, 0xFF, 0xFF, 0xFF], "a pipe cannot be rewound: the header says until the end")
        }
    }
}

extension TrustRoundThreeTests {
    /// Markup adapted to the model can lengthen a part (`[pause]`, 7 code points, becomes
    /// `<break time="1s"/>`, 18, on models without v3 tags): a text planned within the limit is cut
    /// further, so no request the limit refuses is ever sent.
    @Test func markupThatGrowsStillFitsTheLimit() async throws {
        var text = ""
        while text.unicodeScalars.count < 9_900 { text += "Wait [pause] then. " }
        let file = dir.appendingPathComponent("pauses.txt")
        try text.write(to: file, atomically: true, encoding: .utf8)
        try await withSandbox { sandbox in
            let out = dir.appendingPathComponent("pauses.mp3")
            let r = try await run("elevenlabs", ["speak", "-m", "eleven_multilingual_v2", "-f", file.path, "-o", out.path, "--yes", "-q"], env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            let texts = ttsTexts(sandbox)
            #expect(texts.count >= 2, "\(texts.count) requests")
            #expect(texts.allSatisfy { $0.unicodeScalars.count <= 10_000 }, "\(texts.map { $0.unicodeScalars.count })")
            #expect(texts.allSatisfy { !$0.contains("[pause]") } && texts.joined().contains("<break time=\"1s\"/>"))
            #expect(sandbox.requests.allSatisfy { $0.status < 400 })
        }
    }
}

extension TrustRoundThreeTests {
    /// Everyday UX: `-o DIR` is one error, not a note about the missing extension and then an error.
    @Test func anOutputThatIsADirectoryIsOneError() async throws {
        try await withSandbox { sandbox in
            let r = try await run("elevenlabs", ["speak", "-o", dir.path, "Hello there."], env: env(sandbox))
            #expect(r.status == 2 && r.err.contains("it is a directory") && !r.err.contains("note:"), "\(r.err)")
            #expect(sandbox.requests.isEmpty)
        }
    }
}
