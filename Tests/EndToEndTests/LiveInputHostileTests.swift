// Live input against servers that misbehave, one of them written with an independent WebSocket
// implementation (Python's `websockets`, which the official SDK uses): it never hangs (every wait
// has a deadline), never stays silent (units are cut as text arrives), never succeeds without audio,
// keeps the stream alive well inside the inactivity timeout, and captions and highlights live text.
import Testing
import Foundation
import ElevenLabsSandbox
import TestSupport

/// The Python server, started for one test; stops when the test ends (and by itself after 120 s).
private struct HostileServer {
    let process: Child
    let port: Int
    let log: URL

    /// `raw`: the raw-socket server that breaks RFC 6455 itself (raw_websocket.py).
    static func start(_ mode: String, in dir: URL, raw: Bool = false) async throws -> HostileServer {
        let portFile = dir.appendingPathComponent("port-\(mode)"), log = dir.appendingPathComponent("log-\(mode).jsonl")
        let servers = repositoryRoot.appendingPathComponent("Tests/EndToEndTests/Servers")
        let (p, port) = try await startPortFileServer(
            raw ? ["python3", servers.appendingPathComponent("raw_websocket.py").path, mode, portFile.path]
                : ["python3", servers.appendingPathComponent("hostile_stream_input.py").path,
                   mode, portFile.path, repositoryRoot.appendingPathComponent("Sources/ElevenLabsSandbox/Fixtures/sweep-44100-128.mp3").path,
                   log.path],
            portFile: portFile)
        #expect(port > 0, "the WebSocket server did not start (is python3-websockets installed?)")
        return HostileServer(process: p, port: port, log: log)
    }

    func stop() { process.terminate() }

    var env: [String: String] {
        ["ELEVENLABS_BASE_URL": "http://127.0.0.1:\(port)", "ELEVENLABS_API_KEY": sandboxKey]
    }

    /// The client's messages and when they arrived.
    func messages() -> [(t: Double, message: [String: Any])] {
        guard let text = try? String(contentsOf: log, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let t = o["t"] as? Double, let m = o["message"] as? [String: Any] else { return nil }
            return (t, m)
        }
    }
}

@Suite struct LiveInputHostileTests {
    let dir: URL
    init() throws { dir = try temporaryDirectory() }

    @Test func aServerThatSendsTheFinalMessageButNeverClosesIsLeftAfterAGrace() async throws {
        let server = try await HostileServer.start("final-no-close", in: dir)
        defer { server.stop() }
        let out = dir.appendingPathComponent("grace.mp3")
        let started = Date()
        let r = try await run("elevenlabs", ["--live", "-o", out.path], env: server.env.merging(["XDG_CACHE_HOME": dir.path]) { $1 },
                              stdin: Data("Hello there.\n".utf8), timeout: 30)
        #expect(r.status == 0, "\(r.err)")
        #expect(Date().timeIntervalSince(started) < 10, "it waited for a close that never came")
        try await expectWholeMP3(Data(contentsOf: out), "the audio before the final message")
    }

    @Test func switchingStreamsForSSMLDoesNotWaitForACloseThatNeverComes() async throws {
        // Plain text, then SSML: the first stream is ended to start one with SSML parsing; this server
        // sends its final message and never closes, so the switch happens after the grace, not never.
        let server = try await HostileServer.start("final-no-close", in: dir)
        defer { server.stop() }
        let out = dir.appendingPathComponent("switch.mp3")
        let started = Date()
        let r = try await run("elevenlabs", ["--live", "-o", out.path], env: server.env.merging(["XDG_CACHE_HOME": dir.path]) { $1 },
                              stdin: Data("Plain first.\nThen <break time=\"1s\"/> more.\n".utf8), timeout: 30)
        #expect(r.status == 0, "\(r.err)")
        #expect(Date().timeIntervalSince(started) < 12, "it waited for a close that never came")
        // Each stream got its text and its end, in order: plain on the first, the SSML on the second.
        let texts = try String(contentsOf: server.log, encoding: .utf8).split(separator: "\n").compactMap {
            ((try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any])?["message"] as? [String: Any]
        }.compactMap { $0["text"] as? String }.filter { $0 != " " }
        #expect(texts == ["Plain first. ", "", "Then <break time=\"1s\"/> more. ", ""], "\(texts)")
        try await expectWholeMP3(Data(contentsOf: out), "both streams' audio")
    }

    @Test func aServerSilentAfterTheEndOfInputExits7WithinTheStallTimeout() async throws {
        let server = try await HostileServer.start("silent", in: dir)
        defer { server.stop() }
        let started = Date()
        let r = try await run("elevenlabs", ["--device", "null", "--stall-timeout", "2"], env: server.env,
                              stdin: Data("Anyone there?\n".utf8), timeout: 30)
        #expect(r.status == 7, "\(r.err)")
        #expect(r.err.contains("sent nothing for 2 seconds after the end of the text") && r.err.contains("--stall-timeout"), "\(r.err)")
        #expect(Date().timeIntervalSince(started) < 8)
    }

    @Test(arguments: ["no-audio", "bad-base64"])
    func aStreamWithNoAudioIsAnErrorAndWritesNoFile(mode: String) async throws {
        let server = try await HostileServer.start(mode, in: dir)
        defer { server.stop() }
        let out = dir.appendingPathComponent("\(mode).mp3")
        let r = try await run("elevenlabs", ["--live", "-o", out.path], env: server.env, stdin: Data("Say something.\n".utf8), timeout: 30)
        #expect(r.status == 1, "\(r.err)")
        #expect(r.err.hasPrefix("elevenlabs: the server sent no audio"), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func keepAlivesComeWellInsideTheInactivityTimeout() async throws {
        let server = try await HostileServer.start("normal", in: dir)
        defer { server.stop() }
        // A writer that pauses for 9 s mid-stream.
        let r = try await runShell("(printf 'Before the pause.\\n'; sleep 9; printf 'After it.\\n') | \"$ELEVENLABS\" --device null",
                                   env: server.env, timeout: 40)
        #expect(r.status == 0, "\(r.err)")
        let times = server.messages().map(\.t)
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        #expect((gaps.max() ?? 99) <= 7.5, "client messages \(times): a gap over 7.5 s (the service's default inactivity timeout is 20 s)")
        #expect(server.messages().contains { ($0.message["text"] as? String) == " " && $0.t > 1 }, "no keep-alive was sent")
    }
}

extension LiveInputHostileTests {
    @Test(arguments: [("no-upgrade", "no 'Upgrade: websocket'"), ("masked", "a server frame is masked"),
                      ("rsv", "reserved bits"), ("big-control", "a control frame is over 125 bytes")])
    func aServerThatBreaksRFC6455IsRefused(mode: String, says: String) async throws {
        let server = try await HostileServer.start(mode, in: dir, raw: true)
        defer { server.stop() }
        let r = try await run("elevenlabs", ["--device", "null"], env: server.env, stdin: Data("Hello.\n".utf8), timeout: 30)
        #expect(r.status == 7, "\(mode): \(r.err)")
        #expect(r.err.contains(says), "\(mode): \(r.err)")
    }

    @Test func logLinesAreSpokenAsTheyArriveAndLongUnpunctuatedTextIsCut() async throws {
        try await withSandbox { sandbox in
            // Log lines every 0.1 s, each a unit of its own, sent while the pipe is still open.
            let script = "(for i in $(seq 10); do printf 'GET /index.html 200 %s\\n' $i; sleep 0.1; done; sleep 2) | \"$ELEVENLABS\" --device null"
            let r = try await runShell(script, env: sandboxEnv(sandbox, cacheIn: dir))
            #expect(r.status == 0, "\(r.err)")
            let session = try #require(sandbox.requests.first { $0.path.hasSuffix("/stream-input") })
            let texts = session.messages.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["text"] as? String }
            #expect(texts.filter { $0.hasPrefix("GET /index.html 200") }.count == 10, "\(texts)")
            // 600 characters of words with no punctuation and no newline: cut at word boundaries, not held.
            sandbox.clearLog()
            let words = Array(repeating: "word", count: 120).joined(separator: " ")
            let long = try await runShell("(printf '\(words)'; sleep 2) | \"$ELEVENLABS\" --device null", env: sandboxEnv(sandbox, cacheIn: dir))
            #expect(long.status == 0, "\(long.err)")
            let cut = try #require(sandbox.requests.first { $0.path.hasSuffix("/stream-input") })
            let sent = cut.messages.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["text"] as? String }
                .filter { $0.trimmingCharacters(in: .whitespaces).count > 0 }
            #expect(sent.count >= 3 && sent.allSatisfy { $0.count <= 201 && !$0.contains("wor d") }, "\(sent.map(\.count))")
        }
    }

    @Test func liveInputWritesCaptionsAndHighlightsWords() async throws {
        try await withSandbox { sandbox in
            let audio = dir.appendingPathComponent("live.mp3"), srt = dir.appendingPathComponent("live.json")
            let r = try await run("elevenlabs", ["-o", audio.path, "--captions", srt.path], env: sandboxEnv(sandbox, cacheIn: dir),
                                  stdin: Data("The first line is here.\nAnd a second one follows it.\n".utf8))
            #expect(r.status == 0, "\(r.err)")
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: srt)) as? [String: Any])
            let words = try #require(doc["words"] as? [[String: Any]])
            #expect(words.compactMap { $0["text"] as? String } == ["The", "first", "line", "is", "here.", "And", "a", "second", "one", "follows", "it."])
            let ends = words.compactMap { $0["end"] as? Double }
            let duration = try await mpg123Probe(Data(contentsOf: audio)).seconds
            #expect(zip(ends.dropFirst(), ends).allSatisfy { $0 >= $1 } && abs((ends.last ?? 0) - duration) < 0.1,
                    "captions end at \(ends.last ?? 0), audio lasts \(duration)")
            // (runShell quotes the script in single quotes for script(1): none inside it.)
            let shown = try await runShell("printf \"One two three.\\n\" | \"$ELEVENLABS\" --highlight --device null",
                                           env: sandboxEnv(sandbox, cacheIn: dir), terminal: true).out
            let marked = shown.components(separatedBy: "\u{1B}[7m").dropFirst().compactMap { $0.components(separatedBy: "\u{1B}[0m").first }
            #expect(marked == ["One", "two", "three."], "\(shown)")
        }
    }

    @Test func modelRulesLeaveOutWhatTheModelDoesNotTake() async throws {
        try await withSandbox { sandbox in
            let text = (1...150).map { "Sentence \($0) goes on for a while here." }.joined(separator: " ")
            let v3 = try await run("elevenlabs", ["speak", "-m", "eleven_v3", "-o", dir.appendingPathComponent("v3.mp3").path, text],
                                   env: sandboxEnv(sandbox, cacheIn: dir), timeout: 120)
            #expect(v3.status == 0, "\(v3.err)")
            #expect(v3.err.contains("eleven_v3 takes no request stitching"), "\(v3.err)")
            let bodies = sandbox.requests.filter { $0.path.hasPrefix("/v1/text-to-speech/") }.compactMap(\.jsonObject)
            #expect(bodies.count > 1 && bodies.allSatisfy { $0["previous_request_ids"] == nil && $0["next_text"] == nil })
            sandbox.clearLog()
            let lang = try await run("elevenlabs", ["speak", "--language", "de", "--device", "null", "Guten Tag."], env: sandboxEnv(sandbox, cacheIn: dir))
            #expect(lang.status == 0)
            #expect(lang.err.contains("eleven_multilingual_v2 does not take --language"), "\(lang.err)")
            #expect(sandbox.requests.last?.jsonObject?["language_code"] == nil)
            let flash = try await run("elevenlabs", ["speak", "--language", "de", "-m", "eleven_flash_v2_5", "--device", "null", "Guten Tag."],
                                      env: sandboxEnv(sandbox, cacheIn: dir))
            #expect(flash.status == 0 && flash.err.isEmpty, "\(flash.err)")
            #expect(sandbox.requests.last?.jsonObject?["language_code"] as? String == "de")
        }
    }
}

extension LiveInputHostileTests {
    /// Trust round three: the final message came, every text was answered, then TCP dropped with
    /// no close frame. The audio was paid for in full, so it is kept (exit 0) with a warning.
    @Test func aCompleteAnswerIsKeptWhenTheConnectionDropsAfterTheFinalMessage() async throws {
        let server = try await HostileServer.start("final-then-drop", in: dir)
        defer { server.stop() }
        let out = dir.appendingPathComponent("dropped.mp3")
        let r = try await run("elevenlabs", ["--live", "-o", out.path], env: server.env.merging(["XDG_CACHE_HOME": dir.path]) { $1 },
                              stdin: Data("Hello there.\nA second line.\n".utf8), timeout: 30)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.contains("dropped after the server's final message") && r.err.contains("kept"), "\(r.err)")
        try await expectWholeMP3(Data(contentsOf: out), "the audio of a complete answer")
        #expect(server.messages().compactMap { $0.message["text"] as? String }.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.count == 2)
    }
}
