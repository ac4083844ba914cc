// voices, clone, history, models and user through the binary against the sandbox: paging, empty
// results, multipart uploads checked part by part on the server side, and each error class.
import Testing
import Foundation
import ElevenLabsAPI
import ElevenLabsSandbox
import TestSupport

@Suite struct AccountCommandsTests {
    let dir: URL
    init() throws { dir = try temporaryDirectory() }
    func env(_ sandbox: Sandbox, key: String = sandboxKey) -> [String: String] {
        sandboxEnv(sandbox, key: key, cacheIn: dir)
    }
    func json(_ r: ProcessResult) throws -> Any { try JSONSerialization.jsonObject(with: r.stdout) }

    /// A real one-second WAV and MP3 made here, so the samples are genuine audio.
    func samples() throws -> (URL, URL) {
        let wav = dir.appendingPathComponent("take1.wav")
        let pcm = [UInt8](repeating: 0, count: 16000)
        var header = Array("RIFF".utf8) + le32(36 + pcm.count) + Array("WAVEfmt ".utf8) + le32(16) + [1, 0, 1, 0] + le32(8000) + le32(16000) + [2, 0, 16, 0]
        header += Array("data".utf8) + le32(pcm.count)
        try Data(header + pcm).write(to: wav)
        let mp3 = dir.appendingPathComponent("take2.mp3")
        try Data([0xFF, 0xFB, 0x90, 0x64] + [UInt8](repeating: 0, count: 413)).write(to: mp3)
        return (wav, mp3)
    }
    func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }

    @Test func voicesPagesFiltersAndEmptyResults() async throws {
        try await withSandbox({ $0.extraVoices = 250 }) { sandbox in
            let all = try await run("elevenlabs", ["voices", "--json"], env: env(sandbox))
            #expect((try json(all) as? [Any])?.count == 268)
            #expect(sandbox.requests.filter { $0.path == "/v2/voices" }.count == 3)
            let female = try await run("elevenlabs", ["voices", "--gender", "female", "--accent", "british", "--json"], env: env(sandbox))
            let list = try #require(try json(female) as? [[String: Any]])
            #expect(!list.isEmpty && list.allSatisfy { ($0["labels"] as? [String: String])?["gender"] == "female" })
            #expect(sandbox.requests.last?.queryValue("gender") == "female" && sandbox.requests.last?.queryValue("accent") == "british")
            let none = try await run("elevenlabs", ["voices", "--search", "zzzz-nothing"], env: env(sandbox))
            #expect(none.status == 0 && none.out.isEmpty)
            #expect(none.err == "elevenlabs: no voices match\n")
        }
    }

    @Test func voiceSettingsShowAndChangeOnlyWhatIsGiven() async throws {
        try await withSandbox { sandbox in
            let r = try await run("elevenlabs", ["voices", "settings", "Roger", "--stability", "0.25", "--no-speaker-boost", "--json"], env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            let out = try #require(try json(r) as? [String: Any])
            #expect((out["settings"] as? [String: Any])?["stability"] as? Double == 0.25)
            #expect((out["defaults"] as? [String: Any])?["stability"] as? Double == 0.5)
            let edit = try #require(sandbox.requests.first { $0.path.hasSuffix("/settings/edit") })
            let body = try #require(edit.jsonObject)
            #expect(body["stability"] as? Double == 0.25 && body["use_speaker_boost"] as? Bool == false)
            #expect(body["similarity_boost"] as? Double == 0.75) // unchanged values are kept, not reset
            let bad = try await run("elevenlabs", ["voices", "settings", "Roger", "--speed", "3"], env: env(sandbox))
            #expect(bad.status == 2)
        }
    }

    @Test func cloneUploadsEverySampleAsAFilesPart() async throws {
        let (wav, mp3) = try samples()
        try await withSandbox { sandbox in
            let r = try await run("elevenlabs", ["clone", "Narrator", wav.path, mp3.path, "--label", "accent=irish", "--label", "age=old",
                                                 "--description", "Warm", "--remove-background-noise"], env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            let id = r.out.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(id.count == 20)
            let upload = try #require(sandbox.requests.first { $0.path == "/v1/voices/add" })
            #expect(upload.headers["content-type"]?.hasPrefix("multipart/form-data; boundary=") == true)
            #expect(upload.parts.map(\.name) == ["name", "files", "files", "remove_background_noise", "description", "labels"])
            #expect(upload.parts[0].text == "Narrator")
            #expect(upload.parts[1].filename == "take1.wav" && upload.parts[1].contentType == "audio/wav")
            try expectSameBytes(upload.parts[1].body, Data(contentsOf: wav), "the uploaded sample")
            #expect(upload.parts[2].filename == "take2.mp3" && upload.parts[2].contentType == "audio/mpeg")
            #expect(upload.parts[3].text == "true")
            let labels = try #require(try JSONSerialization.jsonObject(with: upload.parts[5].body) as? [String: String])
            #expect(labels == ["accent": "irish", "age": "old"])
            // The new voice is usable by name at once.
            let speak = try await run("elevenlabs", ["-v", "narrator", "--device", "null", "Hello there."], env: env(sandbox))
            #expect(speak.status == 0, "\(speak.err)")
            #expect(sandbox.requests.last?.path == "/v1/text-to-speech/\(id)/stream")
            // Editing renames and adds a sample, keeping labels.
            let edit = try await run("elevenlabs", ["clone", "edit", "Narrator", "--name", "Old Narrator", mp3.path], env: env(sandbox))
            #expect(edit.status == 0, "\(edit.err)")
            let editReq = try #require(sandbox.requests.first { $0.path == "/v1/voices/\(id)/edit" })
            #expect(editReq.parts.first { $0.name == "name" }?.text == "Old Narrator")
            #expect(editReq.parts.filter { $0.name == "files" }.count == 1)
        }
    }

    @Test func badSamplesAreRefusedBeforeUploading() async throws {
        let (wav, _) = try samples()
        let text = dir.appendingPathComponent("notes.txt")
        try "not audio".write(to: text, atomically: true, encoding: .utf8)
        let empty = dir.appendingPathComponent("empty.wav")
        try Data().write(to: empty)
        try await withSandbox { sandbox in
            for (file, message) in [(text.path, "does not look like audio"), (empty.path, "is empty"), (dir.appendingPathComponent("nope.wav").path, "No such file")] {
                let r = try await run("elevenlabs", ["clone", "X", wav.path, file], env: env(sandbox))
                #expect(r.status == 3, "\(file)")
                #expect(r.err.contains(message), "\(r.err)")
            }
            let missing = try await run("elevenlabs", ["clone", "OnlyAName"], env: env(sandbox))
            #expect(missing.status == 2)
            #expect(sandbox.requests.isEmpty)
        }
        try await withSandbox({ $0.tier = "free" }) { sandbox in
            let r = try await run("elevenlabs", ["clone", "X", wav.path], env: env(sandbox))
            #expect(r.status == 5)
            #expect(r.err.hasPrefix("elevenlabs: Your subscription has no access to use instant voice cloning"))
        }
    }

    @Test func deletingAVoiceAsksOrNeedsYes() async throws {
        let (wav, _) = try samples()
        try await withSandbox { sandbox in
            _ = try await run("elevenlabs", ["clone", "Temp", wav.path], env: env(sandbox))
            let refused = try await run("elevenlabs", ["voices", "delete", "Temp"], env: env(sandbox))
            #expect(refused.status == 2)
            #expect(refused.err.hasPrefix("elevenlabs: refusing to delete the voice 'Temp'"))
            #expect(!sandbox.requests.contains { $0.method == "DELETE" })
            let done = try await run("elevenlabs", ["voices", "delete", "Temp", "--yes"], env: env(sandbox))
            #expect(done.status == 0, "\(done.err)")
            #expect(sandbox.requests.contains { $0.method == "DELETE" && $0.path.hasPrefix("/v1/voices/") })
            let premade = try await run("elevenlabs", ["voices", "delete", "Roger", "--yes"], env: env(sandbox))
            #expect(premade.status == 2)
            #expect(premade.err.hasPrefix("elevenlabs: 'Roger - Laid-Back, Casual, Resonant' is a premade ElevenLabs voice; it cannot be deleted"), "\(premade.err)")
            #expect(sandbox.requests.filter { $0.method == "DELETE" }.count == 1) // refused before any request
        }
    }

    @Test func historyPagesShowsPlaysSavesDownloadsAndDeletes() async throws {
        try await withSandbox({ $0.faults.historyPageCap = 2 }) { sandbox in
            let empty = try await run("elevenlabs", ["history"], env: env(sandbox))
            #expect(empty.status == 0 && empty.err == "elevenlabs: no generations match\n")
            for text in ["First take.", "Second take.", "Third take, with more words.", "Fourth take.", "Fifth take!"] {
                let r = try await run("elevenlabs", ["-o", dir.appendingPathComponent("x.mp3").path, text], env: env(sandbox))
                #expect(r.status == 0)
            }
            sandbox.clearLog()
            let listed = try await run("elevenlabs", ["history", "--limit", "4", "--json"], env: env(sandbox))
            let items = try #require(try json(listed) as? [[String: Any]])
            #expect(items.compactMap { $0["text"] as? String } == ["Fifth take!", "Fourth take.", "Third take, with more words.", "Second take."])
            let pages = sandbox.requests.filter { $0.path == "/v1/history" }
            #expect(pages.count == 2 && pages[1].queryValue("start_after_history_item_id") == items[1]["history_item_id"] as? String)
            let id = try #require(items[2]["history_item_id"] as? String)

            let show = try await run("elevenlabs", ["history", "show", id], env: env(sandbox))
            #expect(show.out.contains("Text        Third take, with more words."))
            let saved = dir.appendingPathComponent("saved.mp3")
            let save = try await run("elevenlabs", ["history", "save", id, "-o", saved.path], env: env(sandbox))
            #expect(save.status == 0, "\(save.err)")
            let audio = try await onThread { Data(try client(for: sandbox).collect(method: "GET", path: "/v1/history/\(id)/audio").1) }
            try expectSameBytes(Data(contentsOf: saved), audio, "the saved file")
            // .wav is a real WAV: mpg123's decode of the audio, in a header sox reads.
            let wav = dir.appendingPathComponent("saved.wav")
            let asWAV = try await run("elevenlabs", ["history", "save", id, "-o", wav.path], env: env(sandbox))
            #expect(asWAV.status == 0, "\(asWAV.err)")
            let pcm = try await mpg123Decode(saved)
            try expectSameBytes(Data(contentsOf: wav).dropFirst(44), pcm, "the WAV's samples")
            let soxi = try await tool(["soxi", "-t", wav.path])
            #expect(soxi.output.hasPrefix("wav"), "\(soxi.output)")
            let notMP3 = try await run("elevenlabs", ["history", "save", id, "-o", dir.appendingPathComponent("x.ulaw").path], env: env(sandbox))
            #expect(notMP3.status == 2 && notMP3.err.contains("save it as .mp3, or as .wav"), "\(notMP3.err)")
            let captured = dir.appendingPathComponent("replay.raw")
            let play = try await run("elevenlabs", ["history", "play", id, "--device", "file:FILE=\(captured.path)"], env: env(sandbox))
            #expect(play.status == 0, "\(play.err)")
            #expect(((try? Data(contentsOf: captured))?.count ?? 0) > 50_000)
            #expect(sandbox.creditsUsed == 74) // the five texts (11+12+28+12+11); replaying and saving spent nothing

            let out = dir.appendingPathComponent("takes")
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            let ids = items.prefix(2).compactMap { $0["history_item_id"] as? String }
            let dl = try await run("elevenlabs", ["history", "download"] + ids + ["--out-dir", out.path], env: env(sandbox))
            #expect(dl.status == 0, "\(dl.err)")
            let names = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
            #expect(names.count == 2)
            #expect(names.allSatisfy { $0.hasSuffix(".mp3") && $0.contains("_george_") && !$0.contains("/") })
            #expect(names.contains { $0.hasSuffix("_fifth_take.mp3") || $0.contains("_fifth") }, "\(names)")
            #expect(dl.out.split(separator: "\n").count == 2)

            let refused = try await run("elevenlabs", ["history", "delete", id], env: env(sandbox))
            #expect(refused.status == 2)
            #expect(refused.err.hasPrefix("elevenlabs: refusing to delete the history item \(id) without --yes"), "\(refused.err)")
            #expect(!sandbox.requests.contains { $0.method == "DELETE" })
            let del = try await run("elevenlabs", ["history", "delete", id, "--yes"], env: env(sandbox))
            #expect(del.status == 0)
            let gone = try await run("elevenlabs", ["history", "show", id], env: env(sandbox))
            #expect(gone.status == 1)
            #expect(gone.err.contains("history_item_not_found"))
        }
    }

    @Test func errorClassesHaveTheirExitCodesAndNameThePermission() async throws {
        try await withSandbox({ $0.restrictedKeys["sk_history_blind_00000"] = ["speech_history_read"] }) { sandbox in
            let blind = try await run("elevenlabs", ["history"], env: env(sandbox, key: "sk_history_blind_00000"))
            #expect(blind.status == 4)
            #expect(blind.err.contains("missing the permission speech_history_read"))
            #expect(blind.err.contains("hint: this key lacks 'speech_history_read'"))
            let wrong = try await run("elevenlabs", ["voices"], env: env(sandbox, key: "sk_definitely_wrong_01"))
            #expect(wrong.status == 4)
            let missing = try await run("elevenlabs", ["voices", "show", "NoSuchVoiceAnywhere"], env: env(sandbox))
            #expect(missing.status == 1)
            let models = try await run("elevenlabs", ["models", "--json"], env: env(sandbox))
            let first = try #require((try json(models) as? [[String: Any]])?.first)
            #expect(Set(first.keys) == ["model_id", "name", "description", "can_do_text_to_speech", "max_characters_per_request", "credits_per_character", "languages"])
            let user = try await run("elevenlabs", ["user", "--json"], env: env(sandbox))
            let u = try #require(try json(user) as? [String: Any])
            #expect(u["api_key"] as? String == "sk_...cdef" && u["api_key_source"] as? String == "ELEVENLABS_API_KEY")
            #expect(u["credits_limit"] as? Int == 100_000 && u["concurrency_limit"] as? Int == 5)
        }
    }
}

extension AccountCommandsTests {
    /// `voices preview`: the voice's own sample, fetched without the key, played or written.
    @Test func aVoicePreviewIsPlayedOrWrittenWithoutTheKey() async throws {
        try await withSandbox { sandbox in
            let captured = dir.appendingPathComponent("preview.raw"), file = dir.appendingPathComponent("preview.mp3")
            let play = try await run("elevenlabs", ["voices", "preview", "Roger", "--device", "file:FILE=\(captured.path)"], env: env(sandbox))
            #expect(play.status == 0, "\(play.err)")
            #expect(((try? Data(contentsOf: captured))?.count ?? 0) > 100_000) // 2 s of 44.1 kHz 16-bit
            let save = try await run("elevenlabs", ["voices", "preview", "roger", "-o", file.path], env: env(sandbox))
            #expect(save.status == 0, "\(save.err)")
            let probe = try await expectWholeMP3(Data(contentsOf: file), "the preview")
            #expect(abs(probe.seconds - 2) < 0.05)
            let previews = sandbox.requests.filter { $0.path.hasPrefix("/previews/") }
            #expect(previews.count == 2 && previews.allSatisfy { $0.headers["xi-api-key"] == nil }, "the key went to the preview host")
            #expect(sandbox.creditsUsed == 0)
        }
    }
}
