// CLI.main in-process (#27): a Context with captured streams, a memory sink for the device and the
// sandbox for the service runs a whole command without spawning the binary, and what one run learns
// (RunState) stays in its own Context.
import Testing
import Foundation
import AudioPlayback
import ElevenLabsSandbox
import TestSupport
@testable import ElevenLabsCLI

@Suite struct InProcessTests {
    func context(_ env: [String: String], sink: MemorySink) -> (Context, ElevenLabsCLI.OutputStream, ElevenLabsCLI.OutputStream) {
        let out = ElevenLabsCLI.OutputStream(capturing: ()), err = ElevenLabsCLI.OutputStream(capturing: ())
        let devnull = open("/dev/null", O_RDONLY)
        return (Context(stdout: out, stderr: err, stdinFD: devnull, environment: env, stdoutIsTerminal: false,
                        stderrIsTerminal: false, stdinIsTerminal: false, makeSink: { _ in sink }), out, err)
    }

    @Test func speakPlaysIntoTheContextsSinkAndReportsItsMetrics() async throws {
        try await withSandbox { sandbox in
            let dir = try temporaryDirectory()
            let env = sandboxEnv(sandbox, cacheIn: dir).merging(["XDG_CONFIG_HOME": dir.appendingPathComponent("config").path]) { $1 }
            let sink = MemorySink()
            let (ctx, _, err) = context(env, sink: sink)
            let code = try await onThread { CLI.main(["speak", "--metrics", "Spoken in process."], context: ctx) }
            #expect(code == .ok, "\(err.capturedText)")
            // Everything the service sent reached the device, played to its end.
            #expect(sink.pcm.count > 10_000 && sink.drained && !sink.dropped)
            #expect(sink.formats.first?.sampleRate == 44100)
            #expect(err.capturedText.contains("first sound") && err.capturedText.contains("bytes"))
            let spoken = sandbox.requests.filter { $0.path.hasPrefix("/v1/text-to-speech/") }
            #expect(spoken.count == 1 && spoken.first?.jsonObject?["text"] as? String == "Spoken in process.")

            // Again, in a fresh Context: from the audio cache, the same sound, no request.
            let again = MemorySink()
            let (ctx2, _, err2) = context(env, sink: again)
            #expect(try await onThread { CLI.main(["speak", "Spoken in process."], context: ctx2) } == .ok, "\(err2.capturedText)")
            #expect(again.pcm == sink.pcm)
            #expect(sandbox.requests.filter { $0.path.hasPrefix("/v1/text-to-speech/") }.count == 1)
        }
    }

    @Test func aRefusedKeysAdviceNamesItsSourceOnlyInItsOwnRun() async throws {
        try await withSandbox { sandbox in
            let dir = try temporaryDirectory()
            let keyFile = dir.appendingPathComponent("key")
            try "sk_wrong_0000000000000000".write(to: keyFile, atomically: true, encoding: .utf8)
            _ = chmod(keyFile.path, 0o600)
            var env = sandboxEnv(sandbox, cacheIn: dir)
            env["ELEVENLABS_API_KEY"] = nil
            let (ctx, _, err) = context(env, sink: MemorySink())
            let code = try await onThread { CLI.main(["user", "--api-key-file", keyFile.path], context: ctx) }
            #expect(code == .auth)
            #expect(err.capturedText.contains("the key from") && err.capturedText.contains(keyFile.path), "\(err.capturedText)")
            // Another run, another Context: no key source carried over from the first.
            let (other, _, otherErr) = context(sandboxEnv(sandbox, key: "sk_wrong_1111111111111111", cacheIn: dir), sink: MemorySink())
            #expect(try await onThread { CLI.main(["user"], context: other) } == .auth)
            #expect(!otherErr.capturedText.contains(keyFile.path), "\(otherErr.capturedText)")
        }
    }

    /// --quiet drops notes, retries and progress, and keeps errors and warnings, as its help says.
    @Test func quietKeepsWarningsAndDropsNotes() async throws {
        try await withSandbox { sandbox in
            let dir = try temporaryDirectory()
            let env = sandboxEnv(sandbox, cacheIn: dir).merging(["XDG_CONFIG_HOME": dir.appendingPathComponent("config").path]) { $1 }
            let out = dir.appendingPathComponent("x").path
            let (ctx, _, err) = context(env, sink: MemorySink())
            // A rate beyond what voices do (a warning), and a file with no extension (a note).
            let code = try await onThread { CLI.main(["speak", "-q", "--rate", "300", "-o", out, "Quietly."], context: ctx) }
            #expect(code == .ok, "\(err.capturedText)")
            #expect(err.capturedText.contains("warning: --rate 300 is beyond"), "\(err.capturedText)")
            #expect(!err.capturedText.contains("note:"), "\(err.capturedText)")
        }
    }

    @Test func helpAndParsingRunInProcess() async throws {
        let (ctx, out, err) = context([:], sink: MemorySink())
        #expect(CLI.main(["speak", "--help"], context: ctx) == .ok)
        #expect(out.capturedText.contains("--out-dir") && err.capturedText.isEmpty)
        let (bad, _, badErr) = context([:], sink: MemorySink())
        #expect(CLI.main(["speak", "--out-dir", "o", "--device", "x", "a.txt"], context: bad) == .usage)
        #expect(badErr.capturedText.contains("--device (-a) cannot be used with --out-dir"))
    }
}
