// The audio cache through the binary: a repeated request costs nothing and gives the same audio, a
// damaged entry is fetched again, the cap holds by evicting the least recently used, --no-cache
// bypasses it, and long texts are cached chunk by chunk.
import Testing
import Foundation
import ElevenLabsAPI
import ElevenLabsSandbox
import TestSupport

@Suite struct AudioCacheTests {
    let dir: URL
    init() throws { dir = try temporaryDirectory() }
    func env(_ sandbox: Sandbox, _ extra: [String: String] = [:]) -> [String: String] {
        sandboxEnv(sandbox, cacheIn: dir).merging(extra) { $1 }
    }
    var audioDir: URL { dir.appendingPathComponent("cache/elevenlabs/audio") }
    func tts(_ sandbox: Sandbox) -> Int { sandbox.requests.filter { $0.path.hasPrefix("/v1/text-to-speech/") }.count }

    @Test func aRepeatedRequestIsFreeAndIdentical() async throws {
        try await withSandbox { sandbox in
            let a = dir.appendingPathComponent("a.mp3"), b = dir.appendingPathComponent("b.mp3")
            let first = try await run("elevenlabs", ["speak", "-v", "Roger", "--stability", "0.4", "-o", a.path, "Said once, kept."], env: env(sandbox))
            #expect(first.status == 0, "\(first.err)")
            #expect(tts(sandbox) == 1)
            let second = try await run("elevenlabs", ["speak", "-v", "Roger", "--stability", "0.4", "-o", b.path, "--metrics", "--json", "Said once, kept."], env: env(sandbox))
            #expect(second.status == 0, "\(second.err)")
            #expect(tts(sandbox) == 1)                                   // no request the second time
            try expectSameBytes(Data(contentsOf: a), Data(contentsOf: b), "the two files")
            let m = try #require(try JSONSerialization.jsonObject(with: second.stderr) as? [String: Any])
            #expect(m["cached_requests"] as? Int == 1)
            #expect(sandbox.creditsUsed == 16)
            // Anything that changes the audio changes the key.
            _ = try await run("elevenlabs", ["speak", "-v", "Roger", "--stability", "0.5", "-o", b.path, "Said once, kept."], env: env(sandbox))
            #expect(tts(sandbox) == 2)
            _ = try await run("elevenlabs", ["speak", "--no-cache", "-v", "Roger", "--stability", "0.4", "-o", b.path, "Said once, kept."], env: env(sandbox))
            #expect(tts(sandbox) == 3)
            // Playing from the cache sounds the same as playing fresh.
            let captured = dir.appendingPathComponent("cached.raw")
            let play = try await run("elevenlabs", ["speak", "-v", "Roger", "--stability", "0.4", "--device", "file:FILE=\(captured.path)", "Said once, kept."], env: env(sandbox))
            #expect(play.status == 0 && tts(sandbox) == 3)
            try await expectSameBytes(Data(contentsOf: captured), mpg123Decode(a), "the PCM that reached ALSA")
        }
    }

    /// A device that has played here gets the request's body at once, before it is open again; if
    /// it fails all the same, the audio bought is not lost: it goes whole into the cache, and the
    /// same command plays it later for nothing. A device never proven still holds the body back.
    @Test func audioBoughtForADeviceThatFailsIsKept() async throws {
        try await withSandbox { sandbox in
            let sound = dir.appendingPathComponent("sound")
            let device = "file:FILE=\(sound.path)/played.raw"
            try FileManager.default.createDirectory(at: sound, withIntermediateDirectories: true)
            let prove = try await run("elevenlabs", ["speak", "--device", device, "A first sound."], env: env(sandbox))
            #expect(prove.status == 0, "\(prove.err)")
            let list = try String(contentsOf: dir.appendingPathComponent("cache/elevenlabs/devices"), encoding: .utf8)
            #expect(list.split(separator: "\n").count == 1, "\(list)")
            // The device goes away (its folder): opened, it cannot be written.
            try FileManager.default.removeItem(at: sound)
            let lost = try await run("elevenlabs", ["speak", "--device", device, "Bought once, kept for later."], env: env(sandbox))
            #expect(lost.status == 8, "\(lost.err)")
            #expect(lost.err.contains("the audio bought is kept in the audio cache"), "\(lost.err)")
            #expect(lost.err.split(separator: "\n").first?.hasPrefix("elevenlabs: writing to the audio device") == true, "\(lost.err)")
            #expect(tts(sandbox) == 2)
            let credits = sandbox.creditsUsed
            // Back again: the same command plays what was bought, with no request.
            try FileManager.default.createDirectory(at: sound, withIntermediateDirectories: true)
            let again = try await run("elevenlabs", ["speak", "--device", device, "Bought once, kept for later."], env: env(sandbox))
            #expect(again.status == 0, "\(again.err)")
            #expect(tts(sandbox) == 2 && sandbox.creditsUsed == credits)
            let file = dir.appendingPathComponent("kept.mp3")
            let saved = try await run("elevenlabs", ["speak", "-o", file.path, "Bought once, kept for later."], env: env(sandbox))
            #expect(saved.status == 0 && tts(sandbox) == 2)
            try await expectSameBytes(Data(contentsOf: sound.appendingPathComponent("played.raw")), mpg123Decode(file), "the PCM played from the cache")
            // A device that never played here: the body waits for it, and it cannot be opened.
            let never = try await run("elevenlabs", ["speak", "--device", "no_such_device", "Never bought."], env: env(sandbox))
            #expect(never.status == 8 && tts(sandbox) == 2, "\(never.err)")
            #expect(!never.err.contains("kept in the audio cache"))
        }
    }

    /// The difference the device list makes, as a user sees it. A device defined in ~/.asoundrc
    /// whose slave comes from a variable the list does not watch: it plays, so it is listed; then it
    /// cannot be opened. Listed, the request went while it opened: the audio is bought and kept,
    /// exit 8 says so, and the device is taken off the list. Off the list, the next run waits for
    /// the device and buys nothing. Once the device works, the kept audio plays for nothing.
    @Test func aListedDeviceThatCannotOpenKeepsWhatWasBoughtAndIsForgotten() async throws {
        try await withSandbox { sandbox in
            let home = dir.appendingPathComponent("home")
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            try Data("""
                pcm.flaky {
                    type plug
                    slave.pcm { @func getenv vars [ FLAKY_SLAVE ] default "null" }
                }

                """.utf8).write(to: home.appendingPathComponent(".asoundrc"))
            let works = env(sandbox, ["HOME": home.path])
            let broken = env(sandbox, ["HOME": home.path, "FLAKY_SLAVE": "no_such_pcm"])
            let list = dir.appendingPathComponent("cache/elevenlabs/devices")
            let played = try await run("elevenlabs", ["speak", "--device", "flaky", "It plays here."], env: works)
            #expect(played.status == 0, "\(played.err)")
            #expect(FileManager.default.fileExists(atPath: list.path))
            let kept = try await run("elevenlabs", ["speak", "--device", "flaky", "Bought while it opened."], env: broken)
            #expect(kept.status == 8, "\(kept.err)")
            #expect(kept.err.hasPrefix("elevenlabs: cannot open the audio device 'flaky'"), "\(kept.err)")
            #expect(kept.err.contains("the audio bought is kept in the audio cache"), "\(kept.err)")
            #expect(tts(sandbox) == 2)
            #expect(try String(contentsOf: list, encoding: .utf8).isEmpty)       // forgotten
            let waited = try await run("elevenlabs", ["speak", "--device", "flaky", "Never bought."], env: broken)
            #expect(waited.status == 8 && tts(sandbox) == 2, "\(waited.err)")
            #expect(!waited.err.contains("kept in the audio cache"), "\(waited.err)")
            let credits = sandbox.creditsUsed
            let replay = try await run("elevenlabs", ["speak", "--metrics", "--device", "flaky", "Bought while it opened."], env: works)
            #expect(replay.status == 0 && tts(sandbox) == 2 && sandbox.creditsUsed == credits, "\(replay.err)")
            #expect(replay.err.contains("0 credits, 1 from the cache"), "\(replay.err)")
        }
    }

    @Test func aDamagedEntryIsFetchedAgain() async throws {
        try await withSandbox { sandbox in
            let out = dir.appendingPathComponent("x.mp3")
            _ = try await run("elevenlabs", ["speak", "-o", out.path, "Damage me."], env: env(sandbox))
            let entry = try #require(try FileManager.default.contentsOfDirectory(atPath: audioDir.path).first)
            let path = audioDir.appendingPathComponent(entry)
            var bytes = try Data(contentsOf: path)
            bytes[bytes.count - 10] ^= 0xFF
            try bytes.write(to: path)
            let again = try await run("elevenlabs", ["speak", "-o", out.path, "Damage me."], env: env(sandbox))
            #expect(again.status == 0)
            #expect(tts(sandbox) == 2)
            let served = try await onThread {
                let c = client(for: sandbox)
                let id = try c.json(HistoryPage.self, path: "/v1/history").history[0].historyItemID
                return Data(try c.collect(method: "GET", path: "/v1/history/\(id)/audio").1)
            }
            try expectSameBytes(Data(contentsOf: out), served, "the file after the damaged entry was refetched")
        }
    }

    @Test func theCapHoldsByEvictingTheLeastRecentlyUsed() async throws {
        try await withSandbox { sandbox in
            // About 20 kB per entry; a 0.05 MB cap keeps two.
            let small = ["ELEVENLABS_CACHE_MAX_MB": "0.05"]
            for text in ["Entry number one here.", "Entry number two here.", "Entry number three.."] {
                _ = try await run("elevenlabs", ["speak", "-o", dir.appendingPathComponent("e.mp3").path, text], env: env(sandbox, small))
                try await Task.sleep(nanoseconds: 20_000_000) // distinct modification times
            }
            let sizes = try FileManager.default.contentsOfDirectory(atPath: audioDir.path).map {
                try FileManager.default.attributesOfItem(atPath: audioDir.appendingPathComponent($0).path)[.size] as? Int ?? 0
            }
            #expect(sizes.reduce(0, +) <= 52_428 && sizes.count == 2)
            // The oldest went: asking for it again costs a request, the newest does not.
            let before = tts(sandbox)
            _ = try await run("elevenlabs", ["speak", "-o", dir.appendingPathComponent("e.mp3").path, "Entry number three.."], env: env(sandbox, small))
            #expect(tts(sandbox) == before)
            _ = try await run("elevenlabs", ["speak", "-o", dir.appendingPathComponent("e.mp3").path, "Entry number one here."], env: env(sandbox, small))
            #expect(tts(sandbox) == before + 1)
            let info = try await run("elevenlabs", ["speak", "--cache-info"], env: env(sandbox, small))
            #expect(info.out.hasPrefix("2 cached audio entries"))
            // Text beside them would be dropped silently: refused, and the cache left alone.
            let withText = try await run("elevenlabs", ["speak", "--clear-cache", "Entry number one here."], env: env(sandbox, small))
            #expect(withText.status == 2 && withText.err.contains("--clear-cache speaks nothing; give it no text"), "\(withText.err)")
            let cleared = try await run("elevenlabs", ["speak", "--clear-cache"], env: env(sandbox, small))
            #expect(cleared.out.hasPrefix("removed 2 cached audio entries"))
        }
    }

    @Test func longTextsAreCachedChunkByChunk() async throws {
        let text = (1...120).map { "Sentence \($0) of a long text that needs several requests." }.joined(separator: " ")
        try await withSandbox { sandbox in
            let a = dir.appendingPathComponent("long-a.mp3"), b = dir.appendingPathComponent("long-b.mp3")
            let first = try await run("elevenlabs", ["speak", "-m", "eleven_v3", "-o", a.path, text], env: env(sandbox))
            #expect(first.status == 0, "\(first.err)")
            let requests = tts(sandbox)
            #expect(requests >= 3)
            let second = try await run("elevenlabs", ["speak", "-m", "eleven_v3", "-o", b.path, text], env: env(sandbox))
            #expect(second.status == 0, "\(second.err)")
            #expect(tts(sandbox) == requests)
            try expectSameBytes(Data(contentsOf: a), Data(contentsOf: b), "the two files")
        }
    }

    /// No size cliff (#20 part 4): one answer of more than 4 MiB (the old in-memory limit) is written
    /// to the cache as it arrives and replayed whole, byte for byte, with no request.
    @Test func anAnswerOverFourMiBIsCachedAndReplayed() async throws {
        // About 5,000 characters in one request: over five minutes of 128 kbps MP3.
        let text = (1...100).map { "Line \($0) of a chapter long enough to pass the old limit." }.joined(separator: " ")
        try await withSandbox { sandbox in
            let a = dir.appendingPathComponent("big-a.mp3"), b = dir.appendingPathComponent("big-b.mp3")
            let first = try await run("elevenlabs", ["speak", "-o", a.path, text], env: env(sandbox), timeout: 120)
            #expect(first.status == 0, "\(first.err)")
            #expect(tts(sandbox) == 1)
            let size = try #require(try FileManager.default.attributesOfItem(atPath: a.path)[.size] as? Int)
            #expect(size > 4 << 20, "the answer is \(size) bytes")
            let entries = try FileManager.default.contentsOfDirectory(atPath: audioDir.path)
            #expect(entries.count == 1 && entries[0].hasSuffix(".audio"), "\(entries)")
            let second = try await run("elevenlabs", ["speak", "-o", b.path, text], env: env(sandbox), timeout: 120)
            #expect(second.status == 0, "\(second.err)")
            #expect(tts(sandbox) == 1)
            try expectSameBytes(Data(contentsOf: a), Data(contentsOf: b), "the fresh and the cached file")
        }
    }

    /// Two runs buying the same audio at once: each writes its own temporary file, the entry that
    /// ends up in place is whole, and nothing temporary is left behind.
    @Test func concurrentWritersLeaveOneWholeEntry() async throws {
        try await withSandbox { sandbox in
            let a = dir.appendingPathComponent("w1.mp3"), b = dir.appendingPathComponent("w2.mp3"), c = dir.appendingPathComponent("w3.mp3")
            async let one = run("elevenlabs", ["speak", "-o", a.path, "Written twice at once."], env: env(sandbox))
            async let two = run("elevenlabs", ["speak", "-o", b.path, "Written twice at once."], env: env(sandbox))
            let (r1, r2) = try await (one, two)
            #expect(r1.status == 0 && r2.status == 0, "\(r1.err) \(r2.err)")
            let bought = tts(sandbox)
            let names = try FileManager.default.contentsOfDirectory(atPath: audioDir.path)
            #expect(names.filter { $0.hasSuffix(".audio") }.count == 1 && !names.contains { $0.hasSuffix(".tmp") }, "\(names)")
            let third = try await run("elevenlabs", ["speak", "-o", c.path, "Written twice at once."], env: env(sandbox))
            #expect(third.status == 0 && tts(sandbox) == bought)
            try expectSameBytes(Data(contentsOf: c), Data(contentsOf: bought == 1 ? a : b), "the cached file")
        }
    }

    /// A stream that breaks leaves no entry (and no temporary file): the part is bought again next time.
    @Test func aBrokenStreamLeavesNoEntry() async throws {
        try await withSandbox({ $0.faults.cutAfterBytes = 3000; $0.faults.chunkSize = 1000 }) { sandbox in
            let r = try await run("elevenlabs", ["speak", "--retries", "0", "-o", dir.appendingPathComponent("cut.mp3").path, "This answer is cut short on purpose."], env: env(sandbox))
            #expect(r.status != 0)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: audioDir.path)) ?? []
            #expect(names.isEmpty, "\(names)")
        }
    }

    /// Trust round three: an entry answers only its own request. Two entries swapped on disk (or an
    /// older entry whose digest covers the audio alone) are fetched again, never played for the
    /// other text.
    @Test func swappedEntriesAreNeverPlayedForTheOtherText() async throws {
        try await withSandbox { sandbox in
            let a = dir.appendingPathComponent("swap-a.mp3"), b = dir.appendingPathComponent("swap-b.mp3")
            _ = try await run("elevenlabs", ["speak", "-o", a.path, "The first text, which is short."], env: env(sandbox))
            let before = Set(try FileManager.default.contentsOfDirectory(atPath: audioDir.path).filter { $0.hasSuffix(".audio") })
            _ = try await run("elevenlabs", ["speak", "-o", b.path, "The second text, which is a good deal longer than the first one."], env: env(sandbox))
            let nameA = try #require(before.first)
            let nameB = try #require(try FileManager.default.contentsOfDirectory(atPath: audioDir.path).first { $0.hasSuffix(".audio") && !before.contains($0) })
            let pa = audioDir.appendingPathComponent(nameA), pb = audioDir.appendingPathComponent(nameB), tmp = audioDir.appendingPathComponent("swap")
            try FileManager.default.moveItem(at: pa, to: tmp)
            try FileManager.default.moveItem(at: pb, to: pa)
            try FileManager.default.moveItem(at: tmp, to: pb)
            #expect(tts(sandbox) == 2)
            let again = dir.appendingPathComponent("swap-a2.mp3")
            let r = try await run("elevenlabs", ["speak", "-o", again.path, "The first text, which is short."], env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            #expect(tts(sandbox) == 3, "a swapped entry was played instead of being fetched again")
            try expectSameBytes(Data(contentsOf: a), Data(contentsOf: again), "the first text's audio")
            // An entry of the older format (a digest of the audio alone) is not trusted either.
            let entry = try Data(contentsOf: pa)
            let header = String(decoding: entry.prefix(192), as: UTF8.self).replacingOccurrences(of: "elevenlabs-audio 3 ", with: "elevenlabs-audio 2 ")
            try (Data(header.utf8) + entry.dropFirst(192)).write(to: pa)
            _ = try await run("elevenlabs", ["speak", "-o", again.path, "The first text, which is short."], env: env(sandbox))
            #expect(tts(sandbox) == 4)
            _ = try await run("elevenlabs", ["speak", "-o", again.path, "The first text, which is short."], env: env(sandbox))
            #expect(tts(sandbox) == 4, "the entry written again is trusted")
        }
    }
}
