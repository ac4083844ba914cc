// Money and data safety through the binary (README "What it spends and what it protects"): each
// refusal is shown to send no text-to-speech request (counted in the sandbox's log), and every file
// the tool writes or replaces behaves as the shell's `>` would, without half-written files.
import Testing
import Foundation
import ElevenLabsAPI
import ElevenLabsSandbox
import TestSupport

@Suite struct SafetyTests {
    let dir: URL
    init() throws { dir = try temporaryDirectory() }
    func env(_ sandbox: Sandbox) -> [String: String] { sandboxEnv(sandbox, cacheIn: dir) }
    func tts(_ sandbox: Sandbox) -> Int { sandbox.requests.filter { $0.path.hasPrefix("/v1/text-to-speech/") }.count }

    /// A voice of the account's own, made through the CLI from a real WAV.
    func clone(_ name: String, _ sandbox: Sandbox) async throws {
        let wav = dir.appendingPathComponent("take.wav")
        let pcm = [UInt8](repeating: 0, count: 16000)
        func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        let header = Array("RIFF".utf8) + le32(36 + pcm.count) + Array("WAVEfmt ".utf8) + le32(16) + [1, 0, 1, 0] + le32(8000) + le32(16000) + [2, 0, 16, 0]
            + Array("data".utf8) + le32(pcm.count)
        try Data(header + pcm).write(to: wav)
        let r = try await run("elevenlabs", ["clone", name, wav.path], env: env(sandbox))
        #expect(r.status == 0, "\(r.err)")
    }

    // MARK: Destructive commands never guess

    @Test func destructiveCommandsTakeOnlyExactNamesOrIds() async throws {
        try await withSandbox { sandbox in
            try await clone("My Narrator", sandbox)
            sandbox.clearLog()
            for args in [["voices", "delete", "rrat", "--yes"], ["voices", "delete", "My", "--yes"],
                         ["voices", "settings", "rrat", "--stability", "0.3"], ["clone", "edit", "Narr", "--name", "X"]] {
                let r = try await run("elevenlabs", args, env: env(sandbox))
                #expect(r.status == 2, "\(args): \(r.err)")
                #expect(r.err.contains("no voice is named exactly") && r.err.contains("'My Narrator'"), "\(args): \(r.err)")
            }
            #expect(!sandbox.requests.contains { $0.method != "GET" }, "a refused command changed something")
            // Showing still matches loosely; the exact name, in any case, works.
            let shown = try await run("elevenlabs", ["voices", "show", "rrat"], env: env(sandbox))
            #expect(shown.status == 0 && shown.out.contains("My Narrator"))
            let deleted = try await run("elevenlabs", ["voices", "delete", "my narrator", "--yes"], env: env(sandbox))
            #expect(deleted.status == 0, "\(deleted.err)")
            #expect(sandbox.requests.filter { $0.method == "DELETE" }.count == 1)
            // A premade voice is refused before asking or sending anything, by name or by id.
            for target in ["Roger", "CwhRBWXzGAHq8TQ4Fs17"] {
                let r = try await run("elevenlabs", ["voices", "delete", target], env: env(sandbox))
                #expect(r.status == 2 && r.err.contains("is a premade ElevenLabs voice; it cannot be deleted"), "\(r.err)")
                let e = try await run("elevenlabs", ["clone", "edit", target, "--name", "Mine"], env: env(sandbox))
                #expect(e.status == 2 && e.err.contains("it cannot be edited"), "\(e.err)")
            }
            #expect(sandbox.requests.filter { $0.method != "GET" }.count == 1)
        }
    }

    // MARK: No request for text that is really a mistake

    @Test func commandLikeWordsAndFileNamesAreNotSpoken() async throws {
        try await withSandbox { sandbox in
            for word in ["login", "auth", "cahce", "list", "status", "formats", "versoin", "Stats", "configure"] {
                let r = try await run("elevenlabs", [word], env: env(sandbox))
                #expect(r.status == 2, "\(word): \(r.err)")
                #expect(r.err.contains("to speak it: elevenlabs speak '\(word)'"), "\(word): \(r.err)")
            }
            let file = dir.appendingPathComponent("chapter1.txt")
            try "Once upon a time.".write(to: file, atomically: true, encoding: .utf8)
            let named = try await run("elevenlabs", [file.path], env: env(sandbox))
            #expect(named.status == 2)
            #expect(named.err.contains("is a file; to speak what it holds: elevenlabs -f '\(file.path)'"), "\(named.err)")
            #expect(tts(sandbox) == 0 && sandbox.requests.isEmpty)

            // The everyday words that are commands do their job, for free.
            let version = try await run("elevenlabs", ["version"], env: env(sandbox))
            #expect(version.status == 0 && version.out.hasPrefix("elevenlabs "))
            let config = try await run("elevenlabs", ["config"], env: env(sandbox))
            #expect(config.status == 0 && config.out.contains("SETTING"), "\(config.err)")
            let completion = try await run("elevenlabs", ["completion", "bash"], env: env(sandbox))
            #expect(completion.status == 0 && completion.out.contains("complete ") && completion.out.contains("_elevenlabs"))
            let script = dir.appendingPathComponent("c.bash")
            try completion.stdout.write(to: script)
            #expect(try await tool(["bash", "-n", script.path]).status == 0)
            #expect(sandbox.requests.isEmpty)

            // Speaking on purpose still works: an explicit speak, `--`, or an ordinary word.
            for args in [["speak", "--device", "null", "config"], ["--device", "null", "--", "status"], ["--device", "null", "Hello", "there"],
                         ["speak", "--device", "null", file.path]] {
                let r = try await run("elevenlabs", args, env: env(sandbox))
                #expect(r.status == 0, "\(args): \(r.err)")
            }
            let texts = sandbox.requests.compactMap { $0.jsonObject?["text"] as? String }
            #expect(texts == ["config", "status", "Hello there", file.path])
        }
    }

    // MARK: Checked before the first request

    @Test func outputPathsAreCheckedBeforeBuying() async throws {
        try await withSandbox { sandbox in
            let isDir = dir.appendingPathComponent("isdir.mp3")
            try FileManager.default.createDirectory(at: isDir, withIntermediateDirectories: true)
            let r = try await run("elevenlabs", ["speak", "-o", isDir.path, "Costly words."], env: env(sandbox))
            #expect(r.status == 2)
            #expect(r.err.hasPrefix("elevenlabs: cannot write \(isDir.path): it is a directory"), "\(r.err)")
            let asDir = try await run("elevenlabs", ["speak", "-o", dir.path + "/", "Costly words."], env: env(sandbox))
            #expect(asDir.status != 0)
            let captions = try await run("elevenlabs", ["speak", "-o", dir.appendingPathComponent("ok.mp3").path, "--captions", isDir.path + "/x.srt/", "Hi."], env: env(sandbox))
            #expect(captions.status != 0)
            #expect(tts(sandbox) == 0)
            // Missing directories are created, as the output needs them (a deep path with --create-dirs).
            let nested = dir.appendingPathComponent("new/deeper/out.mp3")
            let made = try await run("elevenlabs", ["speak", "-o", nested.path, "--create-dirs", "Into a new directory."], env: env(sandbox))
            #expect(made.status == 0, "\(made.err)")
            #expect(FileManager.default.fileExists(atPath: nested.path))
        }
    }

    /// The credits left are asked for while the text is planned (SpeechPipeline.creditsRemaining):
    /// when that question fails, the failure is the error, after the plan, and nothing is bought.
    @Test func aLongTextWhoseBalanceCannotBeReadBuysNothing() async throws {
        let text = (1...250).map { "Sentence number \(1000 + $0) costs its characters." }.joined(separator: " ")
        let key = "sk_scoped_key_0000000"
        try await withSandbox({ $0.restrictedKeys[key] = ["user_read"] }) { sandbox in
            let out = dir.appendingPathComponent("scoped.mp3")
            let r = try await run("elevenlabs", ["speak", "-o", out.path, "-m", "eleven_multilingual_v2", text],
                                  env: env(sandbox).merging(["ELEVENLABS_API_KEY": key]) { $1 })
            #expect(r.status == 4, "\(r.err)")
            #expect(r.err.contains("user_read"), "\(r.err)")
            #expect(tts(sandbox) == 0 && sandbox.creditsUsed == 0)
            #expect(!FileManager.default.fileExists(atPath: out.path))
        }
    }

    @Test func aLongTextIsPricedBeforeItIsBought() async throws {
        // Two requests of eleven_multilingual_v2 (10,000 characters each) at one credit a character.
        let text = (1...250).map { "Sentence number \(1000 + $0) costs its characters." }.joined(separator: " ")
        #expect(text.count > 10_000 && text.count < 12_000)
        try await withSandbox({ $0.characterLimit = 10_000 }) { sandbox in
            let out = dir.appendingPathComponent("q.mp3")
            let r = try await run("elevenlabs", ["speak", "-o", out.path, "-m", "eleven_multilingual_v2", text], env: env(sandbox))
            #expect(r.status == 5)
            #expect(r.err.contains("needs about") && r.err.contains("credits, but 10,000 are left"), "\(r.err)")
            #expect(tts(sandbox) == 0 && sandbox.creditsUsed == 0)
            #expect(!FileManager.default.fileExists(atPath: out.path))
        }
        try await withSandbox({ $0.characterLimit = 100_000 }) { sandbox in
            // Over 10,000 credits on a terminal: asked first, and "n" spends nothing.
            let args = ["speak", "-o", dir.appendingPathComponent("a.mp3").path, text].map { "'\($0)'" }.joined(separator: " ")
            let asked = try await runShell("printf 'n\\n' | script -q -e -c \"$ELEVENLABS \(args)\" /dev/null", env: env(sandbox))
            #expect(asked.out.contains("credits of 100,000 left? [y/N]"), "\(asked.out)")
            #expect(tts(sandbox) == 0)
            // In a script nothing asks (there is no one to answer); --yes is implied by the pipe.
            let bought = try await run("elevenlabs", ["speak", "-o", dir.appendingPathComponent("b.mp3").path, text], env: env(sandbox), timeout: 120)
            #expect(bought.status == 0, "\(bought.err)")
            #expect(tts(sandbox) > 1)
        }
        try await withSandbox { sandbox in
            // A sentence pays no extra round trip for the check.
            let r = try await run("elevenlabs", ["speak", "-o", dir.appendingPathComponent("s.mp3").path, "Short and cheap."], env: env(sandbox))
            #expect(r.status == 0)
            #expect(sandbox.requests.map(\.path) == ["/v1/text-to-speech/JBFqnCBsd6RMkjVDRZzb/stream"])
        }
    }

    // MARK: A request that may have been billed is never sent again

    @Test func aDryRunNeverBuysAndBatchOnlyOptionsAreRefusedElsewhere() async throws {
        try await withSandbox { sandbox in
            let out = dir.appendingPathComponent("dry.mp3")
            // Before, --dry-run on plain text was ignored and the audio bought.
            let dry = try await run("elevenlabs", ["speak", "--dry-run", "-v", "Roger", "-o", out.path, "Would this be bought?"], env: env(sandbox))
            #expect(dry.status == 0, "\(dry.err)")
            #expect(dry.out.hasPrefix("elevenlabs: would speak 21 characters in 1 request (0 cached) with Roger (CwhRBWXzGAHq8TQ4Fs17)"), "\(dry.out)")
            #expect(tts(sandbox) == 0 && !FileManager.default.fileExists(atPath: out.path))
            // Bought once, the same text is priced at nothing: the cache holds it.
            let bought = try await run("elevenlabs", ["speak", "-v", "Roger", "-o", out.path, "Would this be bought?"], env: env(sandbox))
            #expect(bought.status == 0)
            let again = try await run("elevenlabs", ["speak", "--dry-run", "--json", "-v", "Roger", "Would this be bought?"], env: env(sandbox))
            let plan = try #require(try JSONSerialization.jsonObject(with: again.stdout) as? [String: Any])
            #expect(plan["cached_requests"] as? Int == 1 && plan["credits"] as? Int == 0 && plan["requests"] as? Int == 1)
            // A long text: its requests counted and priced, none made.
            let long = String(repeating: "A sentence that goes on for a while. ", count: 1_000)
            let big = try await run("elevenlabs", ["speak", "--dry-run", "--json", "--no-live", long], env: env(sandbox))
            let bigPlan = try #require(try JSONSerialization.jsonObject(with: big.stdout) as? [String: Any])
            #expect((bigPlan["requests"] as? Int ?? 0) >= 4 && (bigPlan["credits"] as? Int ?? 0) > 35_000)
            #expect(tts(sandbox) == 1)
            for (args, message) in [(["--dry-run", "--live"], "--dry-run cannot be used with live input"), (["--jobs", "2", "hi"], "--jobs (-j) is for batches"),
                                    (["--force", "hi"], "--force is for batches")] {
                let r = try await run("elevenlabs", ["speak"] + args, env: env(sandbox), stdin: Data("piped".utf8))
                #expect(r.status == 2 && r.err.contains(message), "\(args): \(r.err)")
            }
            #expect(tts(sandbox) == 1)
        }
    }

    @Test func aSlowFirstByteIsNotRetriedAndTheHintNamesItsOption() async throws {
        try await withSandbox({ $0.faults.firstByteDelay = 3 }) { sandbox in
            let r = try await run("elevenlabs", ["speak", "--first-byte-timeout", "1", "-o", dir.appendingPathComponent("t.mp3").path, "Slow."],
                                  env: env(sandbox))
            #expect(r.status == 7)
            #expect(r.err.contains("--first-byte-timeout"), "\(r.err)")
            #expect(!r.err.contains("--stall-timeout") && !r.err.contains("--connect-timeout"), "\(r.err)")
            // The in-process server may log the request after the client gave up: give it time,
            // then count (a retry would be a second one).
            for _ in 0..<40 where tts(sandbox) == 0 { try await Task.sleep(nanoseconds: 50_000_000) }
            #expect(tts(sandbox) == 1)
        }
        try await withSandbox({ $0.faults.serverErrorFirst = 1; $0.faults.rateLimitFirst = 1; $0.faults.retryAfter = 0 }) { sandbox in
            // What the service says it did not charge is retried.
            let r = try await run("elevenlabs", ["speak", "-o", dir.appendingPathComponent("u.mp3").path, "Busy, then fine."], env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            #expect(sandbox.requests.map(\.status) == [429, 500, 200])
        }
    }

    // MARK: -o behaves like shell redirection

    @Test func outputsAreWrittenThroughLinksFIFOsAndDevicesKeepingModes() async throws {
        try await withSandbox { sandbox in
            // A symlink stays a link; its target gets the audio.
            let target = dir.appendingPathComponent("target.mp3"), link = dir.appendingPathComponent("link.mp3")
            try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "target.mp3")
            let viaLink = try await run("elevenlabs", ["speak", "-o", link.path, "Through the link."], env: env(sandbox))
            #expect(viaLink.status == 0, "\(viaLink.err)")
            #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link.path)) == "target.mp3")
            try await expectWholeMP3(Data(contentsOf: target), "the link's target")
            // An existing 0600 file keeps its mode.
            chmod(target.path, 0o600)
            _ = try await run("elevenlabs", ["speak", "-o", target.path, "Private again."], env: env(sandbox))
            let mode = (try FileManager.default.attributesOfItem(atPath: target.path)[.posixPermissions] as? Int) ?? 0
            #expect(mode == 0o600, "mode \(String(mode, radix: 8))")
            // A FIFO is written as a stream, and stays a FIFO.
            let fifo = dir.appendingPathComponent("pipe.mp3"), caught = dir.appendingPathComponent("caught.mp3")
            #expect(mkfifo(fifo.path, 0o644) == 0)
            let viaFIFO = try await runShell("cat '\(fifo.path)' > '\(caught.path)' & \"$ELEVENLABS\" speak -o '\(fifo.path)' 'Into a pipe.'; s=$?; wait; exit $s",
                                             env: env(sandbox))
            #expect(viaFIFO.status == 0, "\(viaFIFO.err)")
            var st = stat()
            #expect(stat(fifo.path, &st) == 0 && st.st_mode & S_IFMT == S_IFIFO)
            try await expectWholeMP3(Data(contentsOf: caught), "what came out of the FIFO")
            // A character device is written, not replaced.
            let null = try await run("elevenlabs", ["speak", "-o", "/dev/null", "--format", "mp3_44100_128", "Into nothing."], env: env(sandbox))
            #expect(null.status == 0, "\(null.err)")
            #expect(stat("/dev/null", &st) == 0 && st.st_mode & S_IFMT == S_IFCHR)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".part") }.isEmpty)
        }
    }

    @Test func closedStandardStreamsNeverReceiveAudioOrMessages() async throws {
        try await withSandbox({ $0.faults.rateLimitFirst = 1; $0.faults.retryAfter = 0 }) { sandbox in
            let out = dir.appendingPathComponent("o/e.mp3")
            let r = try await runShell("\"$ELEVENLABS\" speak -o '\(out.path)' 'Closed streams.' 2>&- <&-", env: env(sandbox))
            #expect(r.status == 0)
            let bytes = try Data(contentsOf: out)
            #expect(bytes.range(of: Data("elevenlabs:".utf8)) == nil, "a message went into the audio file")
            try await expectWholeMP3(bytes, "the file written with stderr closed")
            #expect(sandbox.requests.map(\.status) == [429, 200])
        }
    }

    // MARK: Batches resume only what is really done

    @Test func batchesRedoWhatChangedAndPrintEveryPathInOrder() async throws {
        try await withSandbox { sandbox in
            let a = dir.appendingPathComponent("a.txt"), b = dir.appendingPathComponent("a.md")
            try "The text file.".write(to: a, atomically: true, encoding: .utf8)
            try "The markdown file.".write(to: b, atomically: true, encoding: .utf8)
            let out = dir.appendingPathComponent("made/here") // does not exist yet, nor does its parent
            let first = try await run("elevenlabs", ["speak", "--out-dir", out.path, "--create-dirs", a.path, b.path], env: env(sandbox))
            #expect(first.status == 0, "\(first.err)")
            #expect(Set(try FileManager.default.contentsOfDirectory(atPath: out.path)) == ["a.mp3", "a-2.mp3", "manifest.jsonl"])
            // a.md alone now maps to a.mp3, which holds a.txt's speech: it is converted again.
            sandbox.clearLog()
            let second = try await run("elevenlabs", ["speak", "--out-dir", out.path, b.path], env: env(sandbox))
            #expect(second.status == 0, "\(second.err)")
            // (Its audio was bought as a-2.mp3, so it comes from the audio cache, free.)
            try expectSameBytes(Data(contentsOf: out.appendingPathComponent("a.mp3")), Data(contentsOf: out.appendingPathComponent("a-2.mp3")),
                                "a.mp3 after converting a.md alone")
            // Nothing changed: nothing bought, and a dry run still prints the plan.
            sandbox.clearLog()
            let dry = try await run("elevenlabs", ["speak", "--out-dir", out.path, b.path, "--dry-run"], env: env(sandbox))
            #expect(dry.status == 0 && dry.out.contains("all 1 outputs are up to date"), "\(dry.out)")
            #expect(sandbox.requests.isEmpty)

            // --each-line: paths in input order, skipped ones included; an edited line is redone.
            let prompts = dir.appendingPathComponent("prompts.txt")
            try (1...6).map { "Prompt line \($0)." }.joined(separator: "\n").write(to: prompts, atomically: true, encoding: .utf8)
            let clips = dir.appendingPathComponent("clips")
            let lines = try await run("elevenlabs", ["speak", "--each-line", "-f", prompts.path, "--out-dir", clips.path], env: env(sandbox))
            #expect(lines.status == 0, "\(lines.err)")
            let expected = (1...6).map { clips.appendingPathComponent("prompts-000\($0).mp3").path }
            #expect(lines.out.split(separator: "\n").map(String.init) == expected)
            try (1...6).map { $0 == 1 ? "An edited first line." : "Prompt line \($0)." }.joined(separator: "\n").write(to: prompts, atomically: true, encoding: .utf8)
            sandbox.clearLog()
            let rerun = try await run("elevenlabs", ["speak", "--each-line", "-f", prompts.path, "--out-dir", clips.path], env: env(sandbox))
            #expect(rerun.status == 0, "\(rerun.err)")
            #expect(rerun.out.split(separator: "\n").map(String.init) == expected)
            #expect(sandbox.requests.compactMap { $0.jsonObject?["text"] as? String } == ["An edited first line."])
        }
    }
}

extension SafetyTests {
    /// Models by alias or display name, and the '?' listings (issue: the first five minutes).
    @Test func modelsByNameAndListingsOnRequest() async throws {
        try await withSandbox { sandbox in
            for (given, id) in [("flash", "eleven_flash_v2_5"), ("Eleven Flash v2.5", "eleven_flash_v2_5"), ("v3", "eleven_v3")] {
                let r = try await run("elevenlabs", ["speak", "-m", given, "--device", "null", "Named."], env: env(sandbox))
                #expect(r.status == 0, "\(given): \(r.err)")
                #expect(sandbox.requests.last?.jsonObject?["model_id"] as? String == id, "\(given)")
            }
            let models = try await run("elevenlabs", ["-m", "?"], env: env(sandbox))
            #expect(models.status == 0 && models.out.contains("eleven_flash_v2_5"), "\(models.err)")
            let formats = try await run("elevenlabs", ["--format", "?"], env: env(sandbox))
            #expect(formats.status == 0, "\(formats.err)")
            #expect(formats.out.contains("pcm_44100") && formats.out.contains("ON CREATOR"), "\(formats.out)")
            let json = try await run("elevenlabs", ["--format", "?", "--json"], env: env(sandbox))
            let list = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [[String: Any]])
            #expect(list.first { $0["format"] as? String == "pcm_44100" }?["allowed"] as? Bool == false)
            #expect(list.first { $0["format"] as? String == "mp3_44100_192" }?["allowed"] as? Bool == true)
        }
    }
}

extension SafetyTests {
    /// Errors about a value say where it came from; every listing and info flag honours --json.
    @Test func errorsNameTheirSourceAndJSONIsEverywhere() async throws {
        try await withSandbox { sandbox in
            let xdg = dir.appendingPathComponent("xdg-src"), config = xdg.appendingPathComponent("elevenlabs/config")
            try FileManager.default.createDirectory(at: config.deletingLastPathComponent(), withIntermediateDirectories: true)
            try "# settings\nvoice = Nobody Here\nmodel = eleven_nonexistent\n".write(to: config, atomically: true, encoding: .utf8)
            let fromConfig = try await run("elevenlabs", ["speak", "--device", "null", "hi"], env: env(sandbox).merging(["XDG_CONFIG_HOME": xdg.path]) { $1 })
            #expect(fromConfig.status != 0)
            #expect(fromConfig.err.contains("(from voice in \(config.path):2)"), "\(fromConfig.err)")
            let fromEnv = try await run("elevenlabs", ["speak", "-m", "eleven_flash_v2_5", "--device", "null", "hi"],
                                        env: env(sandbox).merging(["ELEVENLABS_VOICE": "Nobody Here"]) { $1 })
            #expect(fromEnv.err.contains("(from ELEVENLABS_VOICE)"), "\(fromEnv.err)")
            let byOption = try await run("elevenlabs", ["speak", "-v", "Nobody Here", "--device", "null", "hi"], env: env(sandbox))
            #expect(byOption.status == 1 && !byOption.err.contains("(from "), "\(byOption.err)")
            #expect(tts(sandbox) == 0)

            // --json: an empty list is [], the cache info and a dry run are JSON, speak reports JSON.
            let empty = try await run("elevenlabs", ["voices", "--search", "zzzz", "--json"], env: env(sandbox))
            #expect(empty.out == "[]\n", "\(empty.out)")
            let cache = try await run("elevenlabs", ["speak", "--cache-info", "--json"], env: env(sandbox))
            #expect((try? JSONSerialization.jsonObject(with: cache.stdout) as? [String: Any])?["entries"] as? Int == 0, "\(cache.out)")
            let input = dir.appendingPathComponent("one.txt")
            try "One input.".write(to: input, atomically: true, encoding: .utf8)
            let dry = try await run("elevenlabs", ["speak", "--out-dir", dir.appendingPathComponent("dry").path, input.path, "--dry-run", "--json"], env: env(sandbox))
            let plan = try #require(try JSONSerialization.jsonObject(with: dry.stdout) as? [String: Any], "\(dry.out)")
            #expect((plan["items"] as? [Any])?.count == 1 && plan["credits"] as? Int == 10)
            let spoken = try await run("elevenlabs", ["speak", "--device", "null", "--json", "Reported."], env: env(sandbox))
            let report = try #require(try JSONSerialization.jsonObject(with: spoken.stdout) as? [String: Any], "\(spoken.out)")
            #expect(report["bytes"] as? Int ?? 0 > 0 && report["request_id"] as? String != nil)
        }
    }
}

extension SafetyTests {
    /// `config`: what is in force and from where; set and unset edit the file in place, atomically.
    @Test func configShowsSourcesAndEditsTheFileKeepingComments() async throws {
        let xdg = dir.appendingPathComponent("xdg-config"), file = xdg.appendingPathComponent("elevenlabs/config")
        let base = ["XDG_CONFIG_HOME": xdg.path, "XDG_CACHE_HOME": dir.appendingPathComponent("c").path]
        let path = try await run("elevenlabs", ["config", "path"], env: base)
        #expect(path.out == file.path + "\n")
        let set = try await run("elevenlabs", ["config", "set", "voice", "My Narrator"], env: base)
        #expect(set.status == 0, "\(set.err)")
        try "# my settings\n" .appending(String(contentsOf: file, encoding: .utf8)).appending("model = eleven_v3\n").write(to: file, atomically: true, encoding: .utf8)
        _ = try await run("elevenlabs", ["config", "set", "voice", "Roger"], env: base)
        _ = try await run("elevenlabs", ["config", "unset", "model"], env: base)
        #expect(try String(contentsOf: file, encoding: .utf8) == "# my settings\nvoice = Roger\n")
        let key = try await run("elevenlabs", ["config", "set", "api_key", sandboxKey], env: base)
        #expect(key.status == 0 && key.err.contains("shell's history"), "\(key.err)")
        let mode = (try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int) ?? 0
        #expect(mode == 0o600, "a config holding a key is private, not \(String(mode, radix: 8))")
        let show = try await run("elevenlabs", ["config", "show", "--json"], env: base.merging(["ELEVENLABS_MODEL": "eleven_flash_v2_5"]) { $1 })
        // An object keyed by setting (#31).
        let rows = try #require(try JSONSerialization.jsonObject(with: show.stdout) as? [String: [String: Any]], "\(show.out)")
        func row(_ name: String) -> [String: Any]? { rows[name] }
        #expect(row("voice")?["value"] as? String == "Roger" && row("voice")?["source"] as? String == "voice in \(file.path):2")
        #expect(row("model")?["source"] as? String == "ELEVENLABS_MODEL")
        #expect(row("device")?["source"] as? String == "default")
        #expect(row("api_key")?["value"] as? String == "sk_...cdef")
        #expect(!show.out.contains(sandboxKey))
        let bad = try await run("elevenlabs", ["config", "set", "format", "mp3_44100_999"], env: base)
        #expect(bad.status == 2 && bad.err.contains("unknown format"), "\(bad.err)")
        let unknown = try await run("elevenlabs", ["config", "set", "voise", "x"], env: base)
        #expect(unknown.status == 2 && unknown.err.contains("did you mean 'voice'"), "\(unknown.err)")
    }
}
