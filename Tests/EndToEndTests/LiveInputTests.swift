// Live input through the binary: text trickling into a pipe is heard before the pipe closes, the
// frames the sandbox receives follow the stream-input protocol, and a 1008 close is a clear error.
import Testing
import Foundation
import ElevenLabsSandbox
import TestSupport
@testable import ElevenLabsCLI

@Suite struct LiveInputTests {
    let dir: URL
    init() throws { dir = try temporaryDirectory() }
    func env(_ sandbox: Sandbox) -> [String: String] {
        sandboxEnv(sandbox, cacheIn: dir).merging(["PATH": "/usr/bin:/bin"]) { $1 }
    }

    @Test func textWrittenSlowlyIsHeardBeforeThePipeCloses() async throws {
        try await withSandbox { sandbox in
            let captured = dir.appendingPathComponent("live.raw")
            let outcome = try await onThread { () -> (heardWhileOpen: Bool, status: Int32, err: String) in
                let p = Child()
                p.executableURL = binary("elevenlabs")
                p.arguments = ["--device", "file:FILE=\(captured.path)"]
                p.environment = childEnvironment(self.env(sandbox))
                let input = Pipe(), err = Pipe()
                p.standardInput = input
                p.standardError = err
                p.standardOutput = FileHandle.nullDevice
                try spawn(p)
                input.fileHandleForWriting.write(Data("The first sentence arrives. ".utf8))
                // The first sentence goes out on its own, before more text exists.
                let sent = Date().addingTimeInterval(10)
                while Date() < sent && (sandbox.requests.first { $0.path.hasSuffix("/stream-input") }?.messages.count ?? 0) < 2 {
                    Thread.sleep(forTimeInterval: 0.02)
                }
                input.fileHandleForWriting.write(Data("And a second one, a little later.\n\n".utf8))
                // Wait, with the pipe still open, until sound reaches ALSA.
                let deadline = Date().addingTimeInterval(10)
                var heard = false
                while Date() < deadline && !heard {
                    heard = ((try? FileManager.default.attributesOfItem(atPath: captured.path)[.size] as? Int) ?? 0) > 0
                    if !heard { Thread.sleep(forTimeInterval: 0.05) }
                }
                let stillRunning = p.isRunning
                input.fileHandleForWriting.write(Data("The end".utf8))
                try input.fileHandleForWriting.close()
                let errData = readAll(err.fileHandleForReading)
                p.waitUntilExit()
                return (heard && stillRunning, p.terminationStatus, String(decoding: errData, as: UTF8.self))
            }
            #expect(outcome.heardWhileOpen)
            #expect(outcome.status == 0, "\(outcome.err)")
            let session = try #require(sandbox.requests.first { $0.path.hasSuffix("/stream-input") })
            let messages = session.messages.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(messages.first?["text"] as? String == " ")                 // the one-space first message
            #expect((messages.first?["generation_config"] as? [String: Any])?["chunk_length_schedule"] as? [Int] == [120, 160, 250, 290])
            #expect(messages.last?["text"] as? String == "")                   // the empty end message
            let texts = messages.dropFirst().dropLast().compactMap { $0["text"] as? String }
            #expect(texts.allSatisfy { $0.hasSuffix(" ") })                    // every text ends with a space
            #expect(texts.contains("The first sentence arrives. "))
            #expect(messages[1]["flush"] as? Bool == true)                      // the first sentence is not held back
            #expect(texts.joined().contains("The end"))
            #expect(session.headers["xi-api-key"] == "sk_...cdef")
            #expect(session.headers["user-agent"] == "elevenlabs-cli/\(BuildInfo.version)") // the CLI names itself, the WebSocket too
            #expect(session.queryValue("output_format") == "mp3_44100_128")
            let played = try Data(contentsOf: captured)
            #expect(played.count > 100_000)
        }
    }

    /// The stream-input sessions that carried text, with the texts they carried.
    func textSessions(_ sandbox: Sandbox) -> [(session: RecordedRequest, texts: [String])] {
        sandbox.requests.filter { $0.path.hasSuffix("/stream-input") }.compactMap { session in
            let texts = session.messages.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["text"] as? String }
                .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            return texts.isEmpty ? nil : (session, texts)
        }
    }

    @Test func ssmlFromTheStartOpensTheStreamWithSSMLParsing() async throws {
        try await withSandbox { sandbox in
            let out = dir.appendingPathComponent("ssml.mp3")
            let r = try await run("elevenlabs", ["speak", "--live", "-o", out.path, "-m", "eleven_multilingual_v2"], env: env(sandbox),
                                  stdin: Data("Wait <break time=\"1s\"/> for it.\nThen more.\n".utf8))
            #expect(r.status == 0, "\(r.err)")
            let sessions = textSessions(sandbox)
            #expect(sessions.count == 1)
            #expect(sessions.first?.session.queryValue("enable_ssml_parsing") == "true")
            #expect(sessions.first?.texts.joined().contains("Wait <break time=\"1s\"/> for it.") == true)
            // The connection opened before the text was known was never used for text.
            #expect(sandbox.requests.filter { $0.path.hasSuffix("/stream-input") }.count <= 2)
            _ = try await expectWholeMP3(try Data(contentsOf: out), "the live file")
        }
    }

    @Test func ssmlAfterPlainTextGoesOnASecondStreamAndTheSoundGoesOn() async throws {
        try await withSandbox { sandbox in
            let out = dir.appendingPathComponent("switch.mp3")
            let r = try await run("elevenlabs", ["speak", "--live", "-o", out.path, "-m", "eleven_multilingual_v2"], env: env(sandbox),
                                  stdin: Data("Plain words first.\nThen a pause <break time=\"1.5s\"/> here.\nAnd the end.\n".utf8))
            #expect(r.status == 0, "\(r.err)")
            let sessions = textSessions(sandbox)
            #expect(sessions.count == 2)
            #expect(sessions.first?.session.queryValue("enable_ssml_parsing") == nil)
            #expect(sessions.first?.texts == ["Plain words first. "])
            #expect(sessions.last?.session.queryValue("enable_ssml_parsing") == "true")
            #expect(sessions.last?.texts == ["Then a pause <break time=\"1.5s\"/> here. ", "And the end. "])
            // Both streams' audio, in order, in one file that decodes whole.
            let probe = try await expectWholeMP3(try Data(contentsOf: out), "the live file")
            let characters = Double("Plain words first. Then a pause <break time=\"1.5s\"/> here. And the end.".count - 2)
            #expect(probe.seconds > characters / 15 * 0.8, "\(probe.seconds) s")
        }
    }

    @Test func v3PauseTagsBecomeBreaksAndTurnOnSSMLParsing() async throws {
        // eleven_v3 is not served on this WebSocket (contract §7.1), so its pause tags in live text
        // are for another model: they become <break> tags, which need SSML parsing.
        try await withSandbox { sandbox in
            let r = try await run("elevenlabs", ["speak", "--live", "-o", dir.appendingPathComponent("tags.mp3").path, "-m", "eleven_flash_v2_5"], env: env(sandbox),
                                  stdin: Data("Wait [pause] for it.\n".utf8))
            #expect(r.status == 0, "\(r.err)")
            #expect(r.err.contains("takes no v3 pause tags; 1 converted to <break> tags"), "\(r.err)")
            let sessions = textSessions(sandbox)
            #expect(sessions.count == 1 && sessions.first?.session.queryValue("enable_ssml_parsing") == "true")
            #expect(sessions.first?.texts == ["Wait <break time=\"1s\"/> for it. "])
        }
    }

    @Test func pipedTextForElevenV3IsReadWholeSinceTheSocketDoesNotServeIt() async throws {
        try await withSandbox { sandbox in
            let out = dir.appendingPathComponent("v3.mp3")
            let r = try await run("elevenlabs", ["-m", "eleven_v3", "-o", out.path], env: env(sandbox), stdin: Data("Piped to v3. [laughs]\n".utf8))
            #expect(r.status == 0, "\(r.err)")
            #expect(r.err.contains("eleven_v3 does not speak live input; reading standard input to its end first"))
            #expect(!sandbox.requests.contains { $0.path.hasSuffix("/stream-input") })
            #expect(sandbox.requests.filter { $0.path.hasSuffix("/stream") }.count == 1)
            // An explicit --live still tries the socket, and the server's refusal is the error.
            let live = try await run("elevenlabs", ["--live", "-m", "eleven_v3", "-o", out.path], env: env(sandbox), stdin: Data("x\n".utf8))
            #expect(live.status == 5 && live.err.contains("eleven_v3"), "\(live.err)")
        }
    }

    /// Piped text: the connection opens while the device does; a device that cannot be opened is
    /// the error (exit 8) before any text goes, so nothing is bought.
    @Test func aDeviceThatCannotOpenStopsLiveInputBeforeAnyText() async throws {
        try await withSandbox { sandbox in
            let r = try await run("elevenlabs", ["speak", "--live", "--device", "no_such_pcm_here"], env: env(sandbox),
                                  stdin: Data("Never spoken. Not one word.\n".utf8))
            #expect(r.status == 8, "\(r.err)")
            #expect(r.err.contains("--device"), "\(r.err)")
            // The texts only: a recorded session holds its replies' audio, too big for a message.
            let sent = textSessions(sandbox).map(\.texts)
            #expect(sent.isEmpty, "texts sent: \(sent)")
            #expect(sandbox.creditsUsed == 0)
            // The connection opened while the device was being opened (no wait for it first).
            #expect(sandbox.requests.contains { $0.path.hasSuffix("/stream-input") })
        }
    }

    @Test func liveAudioCanBeWrittenToAFile() async throws {
        try await withSandbox { sandbox in
            let out = dir.appendingPathComponent("live.mp3")
            let r = try await run("elevenlabs", ["speak", "--live", "-o", out.path], env: env(sandbox), stdin: Data("Written live. Two sentences.\n".utf8))
            #expect(r.status == 0, "\(r.err)")
            let bytes = try Data(contentsOf: out)
            #expect(bytes.count > 10_000 && bytes.first == 0xFF)
            #expect(sandbox.requests.contains { $0.path.hasSuffix("/stream-input") })
        }
    }

    // ASSUMED (contract §7.3, UNCONFIRMED): the service explains a refusal in a JSON message with an
    // "error" code and a "message" before closing with 1008. The sandbox sends that shape; these
    // tests check the exit codes and that the server's own words reach the user, not the wording.
    @Test("A refused stream exits with its class's code (assumed error-frame shape, contract §7.3)")
    func aRefusedStreamExitsWithItsClassCode_assumedErrorShape() async throws {
        try await withSandbox({ $0.characterLimit = 10 }) { sandbox in
            let r = try await run("elevenlabs", ["speak", "--device", "null"], env: env(sandbox),
                                  stdin: Data("This sentence costs more credits than the account has left.\n".utf8))
            #expect(r.status == 5, "\(r.err)")
            #expect(r.err.contains("This request exceeds your quota of 10."), "\(r.err)")
        }
        try await withSandbox { sandbox in
            let r = try await run("elevenlabs", ["speak", "--device", "null"], env: env(sandbox).merging(["ELEVENLABS_API_KEY": "sk_wrong_key_0000"]) { $1 },
                                  stdin: Data("Hello.\n".utf8))
            #expect(r.status == 4, "\(r.err)")
            #expect(r.err.contains("Invalid API key"), "\(r.err)")
            #expect(!r.err.contains("HTTP"), "a WebSocket refusal is not an HTTP status: \(r.err)")
        }
    }

    @Test func emptyOrBinaryLiveInputIsRefused() async throws {
        try await withSandbox { sandbox in
            let empty = try await run("elevenlabs", ["speak", "--device", "null"], env: env(sandbox), stdin: Data("  \n".utf8))
            #expect(empty.status == 3)
            #expect(empty.err.hasPrefix("elevenlabs: the text from standard input is empty"))
            let binary = try await run("elevenlabs", ["speak", "--device", "null"], env: env(sandbox), stdin: Data([0x61, 0, 0x62]))
            #expect(binary.status == 3)
            #expect(binary.err.hasPrefix("elevenlabs: standard input looks like binary data"))
        }
    }
}
