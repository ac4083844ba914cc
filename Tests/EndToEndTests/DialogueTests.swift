// Dialogue scripts (#20, part 1) through the binary against the sandbox: a two-voice episode with
// captions in one request, a long script planned within the dialogue limits (and an edit buying only
// the request it touches), other models speaking turn by turn in each voice, the cost checked first,
// several scripts into --out-dir, and every mistake refused before anything is bought.
import Testing
import Foundation
import ElevenLabsAPI
import ElevenLabsSandbox
import TestSupport

@Suite struct DialogueTests {
    let dir: URL
    init() throws { dir = try temporaryDirectory() }
    func env(_ sandbox: Sandbox) -> [String: String] { sandboxEnv(sandbox, cacheIn: dir) }

    func write(_ name: String, _ text: String) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func voiceIDs(_ sandbox: Sandbox) async throws -> [String: String] {
        try await onThread {
            Dictionary(try client(for: sandbox).allVoices().map { (String($0.name.split(separator: " ").first ?? ""), $0.voiceID) }) { a, _ in a }
        }
    }

    /// The audio the sandbox served for its last `count` generations, oldest first (from its history).
    func served(_ sandbox: Sandbox, last count: Int) async throws -> Data {
        try await onThread {
            let c = client(for: sandbox)
            let items = try c.json(HistoryPage.self, path: "/v1/history", query: [("page_size", "1000")]).history.prefix(count).reversed()
            var all = Data()
            for item in items { all += Data(try c.collect(method: "GET", path: "/v1/history/\(item.historyItemID)/audio").1) }
            return all
        }
    }

    func dialogueRequests(_ sandbox: Sandbox) -> [RecordedRequest] { sandbox.requests.filter { $0.path.hasPrefix("/v1/text-to-dialogue") } }
    func generations(_ sandbox: Sandbox) -> Int {
        sandbox.requests.filter { $0.path.hasPrefix("/v1/text-to-dialogue") || $0.path.hasPrefix("/v1/text-to-speech") }.count
    }

    func inputs(_ r: RecordedRequest) throws -> [(text: String, voice: String)] {
        let body = try #require(try JSONSerialization.jsonObject(with: r.body) as? [String: Any])
        let list = try #require(body["inputs"] as? [[String: String]])
        return list.map { ($0["text"] ?? "", $0["voice_id"] ?? "") }
    }

    /// SRT cues: (start, end, text).
    func srt(_ text: String) -> [(start: Double, end: Double, text: String)] {
        func seconds(_ s: Substring) -> Double {
            let p = s.split(whereSeparator: { $0 == ":" || $0 == "," }).compactMap { Double($0) }
            return p.count == 4 ? p[0] * 3600 + p[1] * 60 + p[2] + p[3] / 1000 : -1
        }
        return text.components(separatedBy: "\n\n").compactMap { block in
            let lines = block.split(separator: "\n")
            guard lines.count >= 3 else { return nil }
            let times = lines[1].components(separatedBy: " --> ")
            return (seconds(Substring(times[0])), seconds(Substring(times[1])), lines[2...].joined(separator: " "))
        }
    }

    static let episode = """
        # A two-voice episode; the cast line maps speakers to voices.
        # cast: HOST=Sarah, GUEST=Roger

        HOST: Welcome back to the show. Today we talk about terminals.

        GUEST: Thanks for having me. I have used them
        for thirty years.

        HOST: That is a long time.
        """

    @Test func aTwoVoiceEpisodeWithCaptionsIsOneRequestOneFileAndPlaysWhole() async throws {
        try await withSandbox { sandbox in
            let voices = try await voiceIDs(sandbox)
            let script = try write("episode.txt", Self.episode)
            let out = dir.appendingPathComponent("episode.mp3"), captured = dir.appendingPathComponent("episode.raw")
            let srtFile = dir.appendingPathComponent("episode.srt")
            // --cast wins over the script's cast line.
            let r = try await run("elevenlabs", ["speak", "--dialogue", script.path, "--cast", "GUEST=Brian", "-o", out.path, "--play",
                                                 "--device", "file:FILE=\(captured.path)", "--captions", srtFile.path], env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            #expect(r.err.isEmpty, "\(r.err)")
            let sent = dialogueRequests(sandbox)
            #expect(sent.count == 1)
            let request = try #require(sent.first)
            #expect(request.path == "/v1/text-to-dialogue/stream/with-timestamps")
            #expect(request.queryValue("output_format") == "mp3_44100_128")
            let body = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: Any])
            #expect(body["model_id"] as? String == "eleven_v3")
            #expect(body["voice_settings"] == nil && body["text"] == nil)
            let lines = try inputs(request)
            #expect(lines.map(\.text) == ["Welcome back to the show. Today we talk about terminals.",
                                          "Thanks for having me. I have used them for thirty years.", "That is a long time."])
            #expect(lines.map(\.voice) == [voices["Sarah"], voices["Brian"], voices["Sarah"]].compactMap { $0 })

            // One file, exactly what was served; what reached ALSA is that file decoded.
            let audio = try Data(contentsOf: out)
            try await expectSameBytes(audio, served(sandbox, last: 1), "the episode")
            try await expectSameBytes(Data(contentsOf: captured), mpg123Decode(out), "the PCM that reached ALSA")

            // Captions: each cue names its speaker, in order, and the last ends with the audio.
            let cues = srt(try String(contentsOf: srtFile, encoding: .utf8))
            #expect(cues.count >= 3)
            let speakers = cues.map { String($0.text.prefix { $0 != ":" }) }
            #expect(speakers.first == "HOST" && speakers.last == "HOST" && speakers.contains("GUEST"))
            #expect(cues.first { $0.text.hasPrefix("GUEST: Thanks") } != nil)
            #expect(!cues.contains { $0.text.contains("terminals.Thanks") }, "the turns' words ran together")
            let characters = lines.reduce(0) { $0 + $1.text.count }
            #expect(abs((cues.last?.end ?? 0) - Double(characters) / 15.0) < 0.05)
            #expect(zip(cues, cues.dropFirst()).allSatisfy { $0.end <= $1.start + 0.001 })

            // Again with WebVTT captions: from the cache (timings included), the same audio.
            let vtt = dir.appendingPathComponent("episode.vtt"), again = dir.appendingPathComponent("again.mp3")
            let v = try await run("elevenlabs", ["speak", "--dialogue", script.path, "--cast", "GUEST=Brian", "-o", again.path, "--captions", vtt.path],
                                  env: env(sandbox))
            #expect(v.status == 0, "\(v.err)")
            #expect(dialogueRequests(sandbox).count == 1)
            try expectSameBytes(Data(contentsOf: again), audio, "the episode from the cache")
            let vttText = try String(contentsOf: vtt, encoding: .utf8)
            #expect(vttText.hasPrefix("WEBVTT") && vttText.contains("<v GUEST>Thanks") && vttText.contains("<v HOST>Welcome"))
            // And without captions: the same entry answers.
            let plain = dir.appendingPathComponent("plain.mp3")
            let p = try await run("elevenlabs", ["speak", "--dialogue", script.path, "--cast", "GUEST=Brian", "-o", plain.path], env: env(sandbox))
            #expect(p.status == 0, "\(p.err)")
            #expect(dialogueRequests(sandbox).count == 1)
            try expectSameBytes(Data(contentsOf: plain), audio, "the episode without captions")

            // The history shows a dialogue by its voices and lines (the item's own text and voice are empty).
            let history = try await run("elevenlabs", ["history"], env: env(sandbox))
            #expect(history.status == 0, "\(history.err)")
            #expect(history.out.contains("Sarah+Brian") && history.out.contains("Sarah: Welcome back"), "\(history.out)")
        }
    }

    /// A script of `turns` turns by twelve speakers in turn (so no twelve consecutive turns fit one
    /// request's ten voices), one of them longer than a request may hold.
    static func longScript(turns: Int, speakers: Int = 12, edit: Int? = nil) -> String {
        let cast = Array(["Roger", "Sarah", "Laura", "Charlie", "George", "Callum", "River", "Liam", "Alice", "Matilda", "Will", "Jessica"].prefix(speakers))
        var text = "# cast: " + cast.enumerated().map { "S\($0.offset + 1)=\($0.element)" }.joined(separator: ", ") + "\n\n"
        for t in 0..<turns {
            var said = (0..<(2 + t % 3)).map { s in "Line \(t) sentence \(s) goes on about item \(t * 7 + s) for a while." }.joined(separator: " ")
            if t == 5 { said = (0..<60).map { "A very long turn, sentence \($0), keeps going and going." }.joined(separator: " ") }
            if t == edit { said = String(repeating: "This line was rewritten after the first run. ", count: 6) + said }
            text += "S\(t % cast.count + 1): \(said)\n\n"
        }
        return text
    }

    @Test func aLongScriptIsPlannedWithinTheLimitsAndAnEditBuysOnlyWhatChanged() async throws {
        try await withSandbox { sandbox in
            let script = try write("long.txt", Self.longScript(turns: 80))
            let out = dir.appendingPathComponent("long.mp3")
            let r = try await run("elevenlabs", ["speak", "--dialogue", script.path, "-o", out.path], env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            let sent = dialogueRequests(sandbox)
            #expect(sent.count >= 8, "\(sent.count) requests")
            var all: [(text: String, voice: String)] = []
            for request in sent {
                let lines = try inputs(request)
                #expect(lines.reduce(0) { $0 + $1.text.unicodeScalars.count } <= 2_000)
                #expect(Set(lines.map(\.voice)).count <= 10)
                #expect(request.path == "/v1/text-to-dialogue/stream")
                all += lines
            }
            // Nothing lost, nothing reordered: the inputs, joined, are the script's turns; the long
            // turn was cut at sentences into several inputs of the same voice.
            let squash = { (s: String) in s.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
            let turns = Self.longScript(turns: 80).components(separatedBy: "\n\n").dropFirst().filter { !$0.isEmpty }
                .map { String($0[$0.index(after: $0.firstIndex(of: ":")!)...]) }
            #expect(squash(all.map(\.text).joined(separator: " ")) == squash(turns.joined(separator: " ")))
            #expect(all.filter { $0.text.contains("A very long turn") }.count >= 2)
            let audio = try Data(contentsOf: out)
            try await expectSameBytes(audio, served(sandbox, last: sent.count), "the script's audio")
            _ = try await expectWholeMP3(audio, "the script's audio")

            // Again: every request from the cache.
            let again = try await run("elevenlabs", ["speak", "--dialogue", script.path, "-o", dir.appendingPathComponent("again.mp3").path], env: env(sandbox))
            #expect(again.status == 0, "\(again.err)")
            #expect(dialogueRequests(sandbox).count == sent.count)
            try expectSameBytes(Data(contentsOf: dir.appendingPathComponent("again.mp3")), audio, "the script from the cache")

            // A script of three voices (so request boundaries follow the characters, not the voices),
            // then one early line rewritten: only the request that holds it (and at most its
            // neighbour) is bought again, not every request after it.
            try Self.longScript(turns: 80, speakers: 3).write(to: script, atomically: true, encoding: .utf8)
            let three = try await run("elevenlabs", ["speak", "--dialogue", script.path, "-o", dir.appendingPathComponent("three.mp3").path], env: env(sandbox))
            #expect(three.status == 0, "\(three.err)")
            let bought = dialogueRequests(sandbox).count
            #expect(bought - sent.count >= 6)
            try Self.longScript(turns: 80, speakers: 3, edit: 12).write(to: script, atomically: true, encoding: .utf8)
            let plan = try await run("elevenlabs", ["speak", "--dialogue", script.path, "--dry-run", "--json"], env: env(sandbox))
            let info = try #require(try JSONSerialization.jsonObject(with: plan.stdout) as? [String: Any])
            let toBuy = (info["requests"] as? Int ?? 0) - (info["cached_requests"] as? Int ?? 0)
            // The edited line's request, merged with or split from its neighbour at most (a greedy
            // plan buys every request after the edit again: 7 of them here).
            #expect((1...3).contains(toBuy), "\(plan.out)")
            let edited = try await run("elevenlabs", ["speak", "--dialogue", script.path, "-o", dir.appendingPathComponent("edited.mp3").path], env: env(sandbox))
            #expect(edited.status == 0, "\(edited.err)")
            #expect(dialogueRequests(sandbox).count == bought + toBuy)
        }
    }

    @Test func aScriptCutShortIsResumedBuyingOnlyWhatIsMissing() async throws {
        // The third request's stream breaks: the run fails and writes no file, the two requests that
        // arrived whole are in the cache, and running it again buys only the rest.
        try await withSandbox({ $0.faults.cutAfterBytes = 3000; $0.faults.cutSkip = 2; $0.faults.cutFirst = 1 }) { sandbox in
            let script = try write("long.txt", Self.longScript(turns: 40, speakers: 3))
            let out = dir.appendingPathComponent("resumed.mp3")
            let first = try await run("elevenlabs", ["speak", "--dialogue", script.path, "-o", out.path], env: env(sandbox))
            #expect(first.status != 0)
            #expect(!FileManager.default.fileExists(atPath: out.path))
            #expect(dialogueRequests(sandbox).count == 3, "a broken stream is never requested again")
            let plan = try await run("elevenlabs", ["speak", "--dialogue", script.path, "--dry-run", "--json"], env: env(sandbox))
            let info = try #require(try JSONSerialization.jsonObject(with: plan.stdout) as? [String: Any])
            let total = try #require(info["requests"] as? Int)
            #expect(info["cached_requests"] as? Int == 2)
            let again = try await run("elevenlabs", ["speak", "--dialogue", script.path, "-o", out.path], env: env(sandbox))
            #expect(again.status == 0, "\(again.err)")
            #expect(dialogueRequests(sandbox).count == 3 + total - 2)
            _ = try await expectWholeMP3(try Data(contentsOf: out), "the resumed script")
        }
    }

    @Test func highlightingShowsEachSpeakerOnALineOfTheirOwn() async throws {
        try await withSandbox({ $0.faults.chunkSize = 2000; $0.faults.chunkDelay = 0.05 }) { sandbox in
            let script = try write("episode.txt", "# cast: HOST=Sarah, GUEST=Roger\n\nHOST: Hello there.\n\nGUEST: Hi, thanks.\n")
            // On a terminal (script(1)): the words marked as they are heard, each speaker's on a new line.
            let out = try await runShell("\"$ELEVENLABS\" speak --dialogue '\(script.path)' --highlight --device null", env: env(sandbox), terminal: true).out
            let marked = out.components(separatedBy: "\u{1B}[7m").dropFirst().compactMap { $0.components(separatedBy: "\u{1B}[0m").first }
            #expect(marked == ["Hello", "there.", "Hi,", "thanks."], "\(out.debugDescription)")
            let lines = out.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
                .map { $0.components(separatedBy: "\u{1B}[K").last ?? $0 }
            #expect(lines.contains("HOST: Hello there.") && lines.contains("GUEST: Hi, thanks."), "\(out.debugDescription)")
            #expect(dialogueRequests(sandbox).last?.path == "/v1/text-to-dialogue/stream/with-timestamps")
        }
    }

    @Test func ctrlCDuringAScriptLeavesNoFileAndExits130() async throws {
        try await withSandbox({ $0.faults.chunkSize = 500; $0.faults.chunkDelay = 0.2 }) { sandbox in
            let script = try write("long.txt", Self.longScript(turns: 30, speakers: 3))
            let out = dir.appendingPathComponent("stopped.mp3")
            let status = try await onThread { () -> Int32 in
                let p = Child()
                p.executableURL = binary("elevenlabs")
                p.arguments = ["speak", "--dialogue", script.path, "-o", out.path]
                p.environment = childEnvironment(self.env(sandbox))
                p.standardError = FileHandle.nullDevice
                try spawn(p)
                // Once the first request's audio is arriving, as Ctrl-C would.
                // (A cap, not a bound: a loaded machine may take a while to send it.)
                let deadline = Date().addingTimeInterval(60)
                while Date() < deadline && self.dialogueRequests(sandbox).isEmpty { Thread.sleep(forTimeInterval: 0.02) }
                Thread.sleep(forTimeInterval: 0.3)
                kill(p.processIdentifier, SIGINT)
                p.waitUntilExit()
                return p.terminationStatus
            }
            #expect(status == 130)
            #expect(!FileManager.default.fileExists(atPath: out.path))
            let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".part") }
            #expect(left.isEmpty, "\(left)")
            #expect(dialogueRequests(sandbox).count == 1, "nothing more is started after Ctrl-C")
        }
    }

    @Test func aServerThatFallsSilentMidScriptIsANetworkErrorAndLeavesNoFile() async throws {
        try await withSandbox({ $0.faults.stallAfterBytes = 2000; $0.faults.chunkSize = 1000 }) { sandbox in
            let script = try write("episode.txt", Self.episode)
            let out = dir.appendingPathComponent("silent.mp3")
            let r = try await run("elevenlabs", ["speak", "--dialogue", script.path, "--stall-timeout", "1", "-o", out.path], env: env(sandbox))
            #expect(r.status == 7, "\(r.err)")
            #expect(r.err.contains("no data received for 1 seconds"), "\(r.err)")
            #expect(!FileManager.default.fileExists(atPath: out.path))
            // Audio had arrived, so the request (which may have been charged) is not sent again.
            #expect(dialogueRequests(sandbox).count == 1)
        }
    }

    @Test func aDeviceThatCannotPlayDoesNotCostTheEpisodeFile() async throws {
        try await withSandbox { sandbox in
            let script = try write("episode.txt", Self.episode)
            let out = dir.appendingPathComponent("kept.mp3")
            let r = try await run("elevenlabs", ["speak", "--dialogue", script.path, "-o", out.path, "--play", "--device", "no_such_device"], env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            #expect(r.err.hasPrefix("elevenlabs: warning: cannot open the audio device 'no_such_device'"), "\(r.err)")
            try await expectSameBytes(Data(contentsOf: out), served(sandbox, last: 1), "the episode")
        }
    }

    @Test func aScriptCanComeFromStandardInputAndTheAudioGoToStandardOutput() async throws {
        try await withSandbox { sandbox in
            let r = try await run("elevenlabs", ["speak", "--dialogue", "-o", "-"], env: env(sandbox), stdin: Data(Self.episode.utf8))
            #expect(r.status == 0, "\(r.err)")
            #expect(dialogueRequests(sandbox).count == 1)
            try await expectSameBytes(r.stdout, served(sandbox, last: 1), "the audio on standard output")
        }
    }

    @Test func anotherModelSpeaksEachTurnInItsOwnVoiceIntoOneFile() async throws {
        try await withSandbox { sandbox in
            let voices = try await voiceIDs(sandbox)
            let script = try write("episode.txt", Self.episode)
            let out = dir.appendingPathComponent("turns.mp3"), captions = dir.appendingPathComponent("turns.json")
            let r = try await run("elevenlabs", ["speak", "--dialogue", script.path, "-m", "eleven_multilingual_v2", "-o", out.path,
                                                 "--captions", captions.path], env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            #expect(dialogueRequests(sandbox).isEmpty)
            let tts = sandbox.requests.filter { $0.path.hasPrefix("/v1/text-to-speech/") }
            #expect(tts.map(\.path) == [voices["Sarah"]!, voices["Roger"]!, voices["Sarah"]!].map { "/v1/text-to-speech/\($0)/stream/with-timestamps" })
            let texts = try tts.map { try #require(try JSONSerialization.jsonObject(with: $0.body) as? [String: Any])["text"] as? String }
            #expect(texts == ["Welcome back to the show. Today we talk about terminals.",
                              "Thanks for having me. I have used them for thirty years.", "That is a long time."])
            try await expectSameBytes(Data(contentsOf: out), served(sandbox, last: 3), "the turns' audio, in order")
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: captions)) as? [String: Any])
            let cues = try #require(doc["cues"] as? [[String: Any]])
            #expect(cues.compactMap { $0["speaker"] as? String }.count == cues.count)
            #expect(cues.first?["speaker"] as? String == "HOST" && cues.contains { $0["speaker"] as? String == "GUEST" })
            // The second turn's cues start where the first turn's audio ended (offsets carried across voices).
            let firstGuest = try #require(cues.first { $0["speaker"] as? String == "GUEST" }?["start"] as? Double)
            #expect(abs(firstGuest - Double("Welcome back to the show. Today we talk about terminals.".count) / 15.0) < 0.05)
        }
    }

    @Test func theCostIsCheckedFirstAndADryRunSpendsNothing() async throws {
        try await withSandbox({ $0.characterLimit = 100 }) { sandbox in
            let script = try write("episode.txt", Self.episode)
            let dry = try await run("elevenlabs", ["speak", "--dialogue", script.path, "--dry-run"], env: env(sandbox))
            #expect(dry.status == 0, "\(dry.err)")
            #expect(dry.out.contains("3 turns by 2 speakers, 1 request (0 cached)") && dry.out.contains("HOST = Sarah"))
            let r = try await run("elevenlabs", ["speak", "--dialogue", script.path, "-o", dir.appendingPathComponent("x.mp3").path], env: env(sandbox))
            #expect(r.status == 5, "\(r.err)")
            #expect(r.err.contains("needs about 132 credits, but 100 are left"), "\(r.err)")
            #expect(generations(sandbox) == 0)
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.mp3").path))
        }
    }

    @Test func severalScriptsGoToOutDirAndAreNotBoughtTwice() async throws {
        try await withSandbox { sandbox in
            let a = try write("one.txt", Self.episode)
            let b = try write("two.txt", Self.episode.replacingOccurrences(of: "terminals", with: "shells"))
            let outDir = dir.appendingPathComponent("episodes")
            let r = try await run("elevenlabs", ["speak", "--dialogue", "--out-dir", outDir.path, a.path, b.path], env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            #expect(dialogueRequests(sandbox).count == 2)
            for name in ["one.mp3", "two.mp3"] {
                _ = try await expectWholeMP3(try Data(contentsOf: outDir.appendingPathComponent(name)), name)
            }
            let manifest = try String(contentsOf: outDir.appendingPathComponent("manifest.jsonl"), encoding: .utf8)
            #expect(manifest.split(separator: "\n").count == 2 && manifest.contains("\"status\":\"ok\""))
            let again = try await run("elevenlabs", ["speak", "--dialogue", "--out-dir", outDir.path, a.path, b.path], env: env(sandbox))
            #expect(again.status == 0)
            #expect(dialogueRequests(sandbox).count == 2)
            // A script with a speaker no voice plays fails the whole batch before anything is bought.
            let c = try write("three.txt", "NOBODY: Hello.\n")
            let bad = try await run("elevenlabs", ["speak", "--dialogue", "--out-dir", outDir.path, "--force", a.path, c.path], env: env(sandbox))
            #expect(bad.status == 2)
            #expect(bad.err.contains("three.txt") && bad.err.contains("NOBODY"))
            #expect(dialogueRequests(sandbox).count == 2)
        }
    }

    @Test func mistakesAreRefusedBeforeAnythingIsBought() async throws {
        try await withSandbox { sandbox in
            let good = try write("good.txt", Self.episode)
            let cases: [([String], Int32, String)] = [
                (["--dialogue", try write("u.txt", "# cast: HOST=Sarah\nHOST: Hi.\n\nSTRANGER: Who?\n").path], 2,
                 "no voice for a speaker of \(dir.path)/u.txt: STRANGER (no voice is named 'STRANGER'); its speakers are HOST, STRANGER"),
                (["--dialogue", good.path, "--cast", "BOB=Roger"], 2, "has no speaker 'BOB'"),
                (["--dialogue", good.path, "--cast", "HOST"], 2, "--cast needs NAME=VOICE"),
                (["--dialogue", try write("n.txt", "Hello there.\nHOST: Hi.\n").path], 3, "n.txt, line 1: this line has no speaker"),
                (["--dialogue", try write("e.txt", "HOST: Hi.\n\nGUEST:\n").path], 3, "e.txt, line 3: GUEST says nothing"),
                (["--dialogue", try write("c.txt", "# cast: HOST\nHOST: Hi.\n").path], 3, "c.txt, line 1: 'HOST' is not NAME=VOICE"),
                (["--dialogue", try write("z.txt", "# only a comment\n").path], 3, "has no turns"),
                (["--dialogue", good.path, "-v", "Roger"], 2, "--dialogue takes its voices from the script"),
                (["--dialogue", good.path, good.path], 2, "one script at a time"),
                (["--dialogue", dir.appendingPathComponent("missing.txt").path], 3, "cannot read the script"),
                (["--cast", "HOST=Roger", "Hello"], 2, "--cast maps the speakers of a --dialogue script"),
                (["--dialogue", good.path, "--format", "wav_44100", "-o", dir.appendingPathComponent("w.wav").path], 2, "text to dialogue cannot produce wav_44100"),
            ]
            for (args, status, message) in cases {
                let r = try await run("elevenlabs", ["speak"] + args, env: env(sandbox))
                #expect(r.status == status, "\(args): \(r.err)")
                #expect(r.err.contains(message), "\(args): \(r.err)")
                #expect(r.out.isEmpty)
            }
            #expect(generations(sandbox) == 0)
        }
    }
}
