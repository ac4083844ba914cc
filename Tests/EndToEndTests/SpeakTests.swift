// `elevenlabs speak` through the built binary against the sandbox: what reaches ALSA (captured with
// a `file` PCM) and what lands in files or on stdout, the request sent, and every error's message,
// exit code and leftovers.
import Testing
import Foundation
import ElevenLabsAPI
import ElevenLabsSandbox
import TestSupport

private let george = "JBFqnCBsd6RMkjVDRZzb"

/// The audio the sandbox served for the newest history item.
private func servedAudio(_ sandbox: Sandbox) async throws -> Data {
    try await onThread {
        let c = client(for: sandbox)
        let id = try #require(try c.json(HistoryPage.self, path: "/v1/history", query: [("page_size", "1")]).history.first?.historyItemID)
        return Data(try c.collect(method: "GET", path: "/v1/history/\(id)/audio").1)
    }
}

private func leftovers(_ dir: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".part") }
}

@Suite struct SpeakTests {
    let dir: URL
    init() throws { dir = try temporaryDirectory() }

    func env(_ sandbox: Sandbox) -> [String: String] {
        sandboxEnv(sandbox, cacheIn: dir)
    }

    @Test func theSoundThatReachesALSAIsTheDecodedStream() async throws {
        try await withSandbox { sandbox in
            let captured = dir.appendingPathComponent("played.raw")
            let r = try await run("elevenlabs", ["speak", "Every word of this sentence must be heard.", "--device", "file:FILE=\(captured.path)"], env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            let served = dir.appendingPathComponent("served.mp3")
            try await servedAudio(sandbox).write(to: served)
            let reference = try await mpg123Decode(served)
            let played = try Data(contentsOf: captured)
            #expect(reference.count > 100_000)
            expectSameBytes(played, reference, "the PCM that reached ALSA, against mpg123's decode")
        }
    }

    @Test func pcmAndMuLawArePlayedWithoutDecoding() async throws {
        try await withSandbox { sandbox in
            for format in ["pcm_16000", "ulaw_8000"] {
                let captured = dir.appendingPathComponent("\(format).raw")
                let r = try await run("elevenlabs", ["speak", "--format", format, "--device", "file:FILE=\(captured.path)", "Raw samples."], env: env(sandbox))
                #expect(r.status == 0, "\(r.err)")
                try await expectSameBytes(Data(contentsOf: captured), servedAudio(sandbox), "the PCM that reached ALSA")
            }
        }
    }

    @Test func mp3FileIsByteIdenticalToWhatWasServed() async throws {
        try await withSandbox { sandbox in
            let out = dir.appendingPathComponent("hello.mp3")
            let r = try await run("elevenlabs", ["speak", "-v", "Roger", "-o", out.path, "Hello there, file."], env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            #expect(r.out.isEmpty && r.err.isEmpty)
            try await expectSameBytes(Data(contentsOf: out), servedAudio(sandbox), "the written file")
            #expect(try leftovers(dir).isEmpty)
            let sent = try #require(sandbox.requests.last { $0.path.hasPrefix("/v1/text-to-speech/") })
            #expect(sent.path == "/v1/text-to-speech/CwhRBWXzGAHq8TQ4Fs17/stream")
            #expect(sent.queryValue("output_format") == "mp3_44100_128")
        }
    }

    @Test func wavFileIsARealRIFFThatSoxReads() async throws {
        try await withSandbox { sandbox in
            let out = dir.appendingPathComponent("hello.wav")
            let text = "Twenty-eight characters ok.."
            let r = try await run("elevenlabs", ["speak", "-o", out.path, text], env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            let sent = try #require(sandbox.requests.last)
            #expect(sent.queryValue("output_format") == "pcm_24000")
            let info = try await tool(["soxi", "-D", out.path]).output
            let seconds = try #require(Double(info.trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(abs(seconds - 28.0 / 15.0) < 0.05)
            let bytes = try Data(contentsOf: out)
            #expect(bytes.count == 44 + Int((seconds * 24000).rounded()) * 2)
        }
    }

    @Test func playWithOutputDoesBoth() async throws {
        try await withSandbox { sandbox in
            let out = dir.appendingPathComponent("both.mp3")
            let captured = dir.appendingPathComponent("both.raw")
            let r = try await run("elevenlabs", ["speak", "-o", out.path, "--play", "--device", "file:FILE=\(captured.path)", "Both at once."], env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            let served = try await servedAudio(sandbox)
            try expectSameBytes(Data(contentsOf: out), served, "the written file")
            try await expectSameBytes(Data(contentsOf: captured), mpg123Decode(out), "the PCM that reached ALSA")
        }
    }

    @Test func aDeviceThatCannotPlayDoesNotCostTheFile() async throws {
        try await withSandbox { sandbox in
            let out = dir.appendingPathComponent("kept.mp3")
            let r = try await run("elevenlabs", ["speak", "-o", out.path, "--play", "--device", "no_such_device", "Keep the file."], env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            #expect(r.err.hasPrefix("elevenlabs: warning: cannot open the audio device 'no_such_device'"))
            try await expectSameBytes(Data(contentsOf: out), servedAudio(sandbox), "the written file")
        }
    }

    @Test func audioIsNeverWrittenToATerminal() async throws {
        try await withSandbox { sandbox in
            let t = try await runShell("\"$ELEVENLABS\" speak -o - hello; echo \"status=$?\"", env: env(sandbox), terminal: true)
            let r = t.out
            #expect(r.contains("elevenlabs: refusing to write audio to a terminal"))
            #expect(r.contains("status=2"))
            #expect(sandbox.requests.isEmpty)
        }
    }

    @Test func stdoutStreamsThroughAPipe() async throws {
        try await withSandbox { sandbox in
            let r = try await run("elevenlabs", ["speak", "-o", "-", "Piped audio."], env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            try await expectSameBytes(r.stdout, servedAudio(sandbox), "the audio on stdout")
        }
    }

    @Test func bareTextAndPipedStdinSpeakLikeSay() async throws {
        try await withSandbox { sandbox in
            let bare = try await run("elevenlabs", ["--device", "null", "Bare words are spoken."], env: env(sandbox))
            #expect(bare.status == 0, "\(bare.err)")
            let piped = try await run("elevenlabs", ["--device", "null", "--no-live"], env: env(sandbox), stdin: Data("From a pipe.\n".utf8))
            #expect(piped.status == 0, "\(piped.err)")
            let texts = sandbox.requests.compactMap { $0.jsonObject?["text"] as? String }
            #expect(texts == ["Bare words are spoken.", "From a pipe."])
            // A pipe is spoken live by default: over the stream-input WebSocket.
            let live = try await run("elevenlabs", ["--device", "null"], env: env(sandbox), stdin: Data("Live from a pipe.\n".utf8))
            #expect(live.status == 0, "\(live.err)")
            #expect(sandbox.requests.last?.path == "/v1/text-to-speech/JBFqnCBsd6RMkjVDRZzb/stream-input")
        }
    }

    @Test func theRequestBodyMatchesTheSchemaAndCarriesEverySetting() async throws {
        try await withSandbox { sandbox in
            let r = try await run("elevenlabs", ["speak", "--device", "null", "-m", "eleven_flash_v2_5", "--stability", "0.3",
                                                 "--similarity-boost", "0.9", "--style", "0.1", "--no-speaker-boost", "-r", "200",
                                                 "--language", "en", "--seed", "42", "--text-normalization", "off", "Settings."],
                                  env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            let sent = try #require(sandbox.requests.last)
            let body = try #require(sent.jsonObject)
            #expect(body["model_id"] as? String == "eleven_flash_v2_5")
            #expect(body["seed"] as? Int == 42)
            #expect(body["language_code"] as? String == "en")
            #expect(body["apply_text_normalization"] as? String == "off")
            let settings = try #require(body["voice_settings"] as? [String: Any])
            #expect(settings["stability"] as? Double == 0.3)
            #expect(settings["speed"] as? Double == 1.14)
            #expect(settings["use_speaker_boost"] as? Bool == false)
            let check = SchemaCheck()
            try check.add(method: "post", path: "/v1/text-to-speech/{voice_id}/stream", body: sent.body, request: true)
            let result = try await check.run()
            #expect(result.status == 0, "\(result.output)")
        }
    }

    @Test func aNamedVoiceIsLookedUpOnceThenCached() async throws {
        try await withSandbox { sandbox in
            for text in ["Cached once.", "Cached twice."] {
                let r = try await run("elevenlabs", ["speak", "-v", "sarah", "--device", "null", text], env: env(sandbox))
                #expect(r.status == 0, "\(r.err)")
            }
            #expect(sandbox.requests.filter { $0.path == "/v2/voices" }.count == 1)
            #expect(sandbox.requests.filter { $0.path == "/v1/text-to-speech/EXAVITQu4vr4xnSDxMaL/stream" }.count == 2)
        }
    }

    @Test func metricsReportWhatHappened() async throws {
        try await withSandbox({ $0.faults.firstByteDelay = 0.15 }) { sandbox in
            let r = try await run("elevenlabs", ["speak", "--device", "null", "--metrics", "--json", "Fifteen chars!!"], env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            let m = try #require(try JSONSerialization.jsonObject(with: r.stderr) as? [String: Any])
            #expect((m["first_byte_ms"] as? Int ?? 0) >= 150)
            #expect((m["first_sound_ms"] as? Int ?? 0) >= 150)
            #expect(abs((m["audio_seconds"] as? Double ?? 0) - 1.0) < 0.05)
            #expect(m["credits"] as? Int == 15)
            #expect((m["request_id"] as? String)?.count == 20)
            #expect(m["voice_id"] as? String == george)
        }
    }

    @Test func badInputIsRefusedBeforeAnyRequest() async throws {
        try await withSandbox { sandbox in
            let cases: [([String], Data?, Int32, String)] = [
                (["speak", "-o", dir.appendingPathComponent("x.xyz").path, "hi"], nil, 2, "elevenlabs: '.xyz' is not an audio format this tool writes"),
                (["speak", "--stability", "1.5", "hi"], nil, 2, "elevenlabs: --stability must be from 0 to 1, not 1.5"),
                (["speak", "--speed", "2", "hi"], nil, 2, "elevenlabs: --speed must be from 0.7 to 1.2, not 2"),
                (["speak", "-r", "fast", "hi"], nil, 2, "elevenlabs: --rate needs words per minute as a number, not 'fast'"),
                (["speak", "--format", "mp3_44100_999", "hi"], nil, 2, "elevenlabs: invalid value 'mp3_44100_999' for --format"),
                (["speak", "--language", "English", "hi"], nil, 2, "elevenlabs: --language needs an ISO 639-1 code"),
                (["speak", "   "], nil, 3, "elevenlabs: the text from the arguments is empty"),
                (["speak", "--no-live", "-f", "-"], Data([0x68, 0x00, 0x69]), 3, "elevenlabs: standard input looks like a binary file"),
                (["speak", "--no-live", "-f", "-"], Data([0x68, 0xFF, 0xFE]), 3, "elevenlabs: standard input is not valid UTF-8 text"),
                (["speak", "--live", "hi"], nil, 2, "elevenlabs: --live speaks standard input"),
                (["speak", "-f", dir.appendingPathComponent("missing.txt").path], nil, 3, "elevenlabs: cannot read "),
                (["speak", "--device", "nosuchdevice", "hi"], nil, 8, "elevenlabs: cannot open the audio device 'nosuchdevice'"),
                (["speak", "--format", "opus_48000_64", "hi"], nil, 2, "elevenlabs: opus_48000_64 cannot be played directly"),
            ]
            for (args, stdin, status, message) in cases {
                let r = try await run("elevenlabs", args, env: env(sandbox), stdin: stdin)
                #expect(r.status == status, "\(args): \(r.err)")
                #expect(r.err.hasPrefix(message), "\(args): \(r.err)")
                #expect(!r.err.contains("ALSA lib"))
            }
            #expect(sandbox.requests.isEmpty)
            #expect(try leftovers(dir).isEmpty)
        }
    }

    @Test func accountErrorsHaveTheirExitCodes() async throws {
        try await withSandbox({ $0.characterLimit = 20 }) { sandbox in
            let unknownVoice = try await run("elevenlabs", ["speak", "-v", "Gorge", "--device", "null", "hi"], env: env(sandbox))
            #expect(unknownVoice.status == 1)
            #expect(unknownVoice.err == "elevenlabs: no voice is named 'Gorge'\nelevenlabs: hint: did you mean 'George'?\n")
            let unknownModel = try await run("elevenlabs", ["speak", "-m", "eleven_turbo", "--device", "null", "hi"], env: env(sandbox))
            #expect(unknownModel.status == 2)
            #expect(unknownModel.err.hasPrefix("elevenlabs: unknown model 'eleven_turbo'; did you mean 'eleven_turbo_v2'?"))
            let out = dir.appendingPathComponent("q.mp3")
            let quota = try await run("elevenlabs", ["speak", "-o", out.path, String(repeating: "q", count: 25)], env: env(sandbox))
            #expect(quota.status == 5)
            #expect(quota.err.hasPrefix("elevenlabs: This request exceeds your quota of 20."))
            #expect(!FileManager.default.fileExists(atPath: out.path))
            #expect(try leftovers(dir).isEmpty)
        }
    }

    @Test func aFormatAboveThePlanFallsBackWhenOnlyPlaying() async throws {
        try await withSandbox({ $0.tier = "starter" }) { sandbox in
            let play = try await run("elevenlabs", ["speak", "--format", "pcm_44100", "--device", "null", "hi"], env: env(sandbox))
            #expect(play.status == 0, "\(play.err)")
            #expect(play.err == "elevenlabs: pcm_44100 is not included in your plan; playing mp3_44100_128 instead\n")
            let write = try await run("elevenlabs", ["speak", "--format", "pcm_44100", "-o", dir.appendingPathComponent("p.pcm").path, "hi"], env: env(sandbox))
            #expect(write.status == 5)
            #expect(write.err.hasPrefix("elevenlabs: Requested output format pcm_44100 (PCM at 44100hz) is only allowed for Pro tier and above."))
        }
    }

    @Test func aCutStreamLeavesNoFileAndIsNeverBoughtTwice() async throws {
        try await withSandbox({ $0.faults.cutAfterBytes = 3000; $0.faults.chunkSize = 1000 }) { sandbox in
            let out = dir.appendingPathComponent("cut.mp3")
            let r = try await run("elevenlabs", ["speak", "-o", out.path, String(repeating: "A long sentence. ", count: 10)], env: env(sandbox))
            #expect(r.status == 7)
            #expect(r.err.hasPrefix("elevenlabs: the audio stream broke off: transfer closed with outstanding read data remaining; it was not requested again"), "\(r.err)")
            #expect(tts(sandbox) == 1) // the request reached the server: it may have been billed, so it is not sent again
            #expect(!FileManager.default.fileExists(atPath: out.path))
            #expect(try leftovers(dir).isEmpty)
            let played = try await run("elevenlabs", ["speak", "--device", "null", String(repeating: "A long sentence. ", count: 10)], env: env(sandbox))
            #expect(played.status == 7)
            #expect(played.err.hasPrefix("elevenlabs: the audio stream broke off:"))
            #expect(tts(sandbox) == 2)
        }
    }

    @Test func aBrokenStreamFailsOnceAndTheNextRunWritesTheWholeFile() async throws {
        try await withSandbox({ $0.faults.cutAfterBytes = 3000; $0.faults.chunkSize = 1000; $0.faults.cutFirst = 1 }) { sandbox in
            let out = dir.appendingPathComponent("recovered.mp3")
            let text = String(repeating: "A long sentence. ", count: 10)
            let first = try await run("elevenlabs", ["speak", "-o", out.path, text], env: env(sandbox))
            #expect(first.status == 7)
            #expect(tts(sandbox) == 1 && !FileManager.default.fileExists(atPath: out.path))
            let again = try await run("elevenlabs", ["speak", "-o", out.path, text], env: env(sandbox))
            #expect(again.status == 0, "\(again.err)")
            try await expectSameBytes(Data(contentsOf: out), servedAudio(sandbox), "the written file")
            #expect(try leftovers(dir).isEmpty)
        }
    }

    /// Requests that reached the text-to-speech endpoints.
    func tts(_ sandbox: Sandbox) -> Int { sandbox.requests.filter { $0.path.hasPrefix("/v1/text-to-speech/") }.count }

    @Test func busyAndFailingServersAreRetriedThenReported() async throws {
        try await withSandbox({ $0.faults.systemBusyFirst = 2; $0.faults.retryAfter = 0 }) { sandbox in
            let ok = try await run("elevenlabs", ["speak", "--device", "null", "Eventually."], env: env(sandbox))
            #expect(ok.status == 0, "\(ok.err)")
            #expect(ok.err == "elevenlabs: 429 system_busy; trying again in 0 s (attempt 2 of 4)\nelevenlabs: 429 system_busy; trying again in 0 s (attempt 3 of 4)\n")
        }
        try await withSandbox({ $0.faults.serverErrorFirst = 5 }) { sandbox in
            let failed = try await run("elevenlabs", ["speak", "--retries", "1", "--quiet", "--device", "null", "Never."], env: env(sandbox))
            #expect(failed.status == 6)
            #expect(failed.err.hasPrefix("elevenlabs: We are sorry, something went wrong. You are not charged for this request. (HTTP 500, something_went_wrong)"))
            #expect(sandbox.requests.count == 2)
        }
    }

    @Test func ctrlCStopsTheTransferRemovesThePartialFileAndExits130() async throws {
        try await withSandbox({ $0.faults.chunkSize = 500; $0.faults.chunkDelay = 0.2 }) { sandbox in
            let out = dir.appendingPathComponent("interrupted.mp3")
            let status = try await onThread { () -> Int32 in
                let p = Child()
                p.executableURL = binary("elevenlabs")
                p.arguments = ["speak", "-o", out.path, String(repeating: "Interrupt me please. ", count: 20)]
                p.environment = childEnvironment(self.env(sandbox))
                p.standardError = FileHandle.nullDevice
                try spawn(p)
                // Wait until the partial file exists, then interrupt as Ctrl-C would.
                let deadline = Date().addingTimeInterval(10)
                while Date() < deadline && (try? leftovers(self.dir).isEmpty) != false { Thread.sleep(forTimeInterval: 0.02) }
                kill(p.processIdentifier, SIGINT)
                p.waitUntilExit()
                return p.terminationStatus
            }
            #expect(status == 130)
            #expect(!FileManager.default.fileExists(atPath: out.path))
            #expect(try leftovers(dir).isEmpty)
        }
    }

    @Test func sigtermWhilePlayingExits143() async throws {
        try await withSandbox({ $0.faults.chunkSize = 500; $0.faults.chunkDelay = 0.2 }) { sandbox in
            let status = try await onThread { () -> Int32 in
                let p = Child()
                p.executableURL = binary("elevenlabs")
                p.arguments = ["speak", "--device", "null", String(repeating: "Stop me. ", count: 30)]
                p.environment = childEnvironment(self.env(sandbox))
                try spawn(p)
                // Once the request is in (long after the handlers are installed; a slow start under
                // the thread sanitizer must not turn this into a test of the default action).
                let deadline = Date().addingTimeInterval(10)
                while Date() < deadline && !sandbox.requests.contains(where: { $0.path.hasPrefix("/v1/text-to-speech/") }) {
                    Thread.sleep(forTimeInterval: 0.02)
                }
                Thread.sleep(forTimeInterval: 0.2)
                kill(p.processIdentifier, SIGTERM)
                p.waitUntilExit()
                return p.terminationStatus
            }
            #expect(status == 143)
        }
    }
}
