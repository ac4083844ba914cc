// Reliability through the binary: for each fault the sandbox can inject and each bad local input,
// the exit code, the message, what is left on disk, and how many requests reached the server.
import Testing
import Foundation
import ElevenLabsSandbox
import TestSupport

@Suite struct FaultTests {
    let dir: URL
    init() throws { dir = try temporaryDirectory() }

    func env(_ sandbox: Sandbox, _ extra: [String: String] = [:]) -> [String: String] {
        sandboxEnv(sandbox, cacheIn: dir).merging(extra) { $1 }
    }

    func files() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0 != "cache" && $0 != "xdg" } }

    @Test func aStormOf429sIsRidOutWithinTheRetryBudget() async throws {
        try await withSandbox({ $0.faults.rateLimitFirst = 3; $0.faults.retryAfter = 0 }) { sandbox in
            let out = dir.appendingPathComponent("storm.mp3")
            let r = try await run("elevenlabs", ["speak", "-o", out.path, "Patience."], env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            #expect(r.err.components(separatedBy: "429 too_many_concurrent_requests; trying again").count == 4)
            #expect(sandbox.requests.count == 4)
            #expect(FileManager.default.fileExists(atPath: out.path))
        }
    }

    @Test func a503ThenSuccess() async throws {
        try await withSandbox({ $0.faults.serverErrorFirst = 1; $0.faults.serverErrorStatus = 503 }) { sandbox in
            let r = try await run("elevenlabs", ["speak", "--quiet", "--device", "null", "Second time lucky."], env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            #expect(r.err.isEmpty)
            #expect(sandbox.requests.count == 2)
        }
    }

    @Test func aStalledStreamIsCutAfterTheStallTimeout() async throws {
        try await withSandbox({ $0.faults.stallAfterBytes = 2000; $0.faults.chunkSize = 1000 }) { sandbox in
            let out = dir.appendingPathComponent("stalled.mp3")
            let r = try await run("elevenlabs", ["speak", "--stall-timeout", "1", "--retries", "0", "-o", out.path,
                                                 String(repeating: "Stalling text. ", count: 10)], env: env(sandbox))
            #expect(r.status == 7)
            #expect(r.err.contains("no data received for 1 seconds"))
            #expect(try files().isEmpty)
        }
    }

    @Test func aSlowFirstByteWaitsOrTimesOutAsConfigured() async throws {
        try await withSandbox({ $0.faults.firstByteDelay = 1.2 }) { sandbox in
            let patient = try await run("elevenlabs", ["speak", "--stall-timeout", "1", "--device", "null", "Slow start."], env: env(sandbox))
            #expect(patient.status == 0, "\(patient.err)")
            let impatient = try await run("elevenlabs", ["speak", "--no-cache", "--first-byte-timeout", "1", "--retries", "0", "--device", "null", "Slow start."], env: env(sandbox))
            #expect(impatient.status == 7)
            #expect(impatient.err.hasPrefix("elevenlabs: network error: no answer from the server within 1 seconds"))
        }
    }

    @Test func answersThatAreNotTheAPIAreReportedPlainly() async throws {
        try await withSandbox({ $0.faults.htmlErrorFirst = 100 }) { sandbox in
            let html = try await run("elevenlabs", ["speak", "--retries", "0", "--device", "null", "hi"], env: env(sandbox))
            #expect(html.status == 6)
            #expect(html.err.hasPrefix("elevenlabs: HTTP 502 with a non-API answer (text/html): 502 bad gateway"))
        }
        try await withSandbox({ $0.faults.malformedJSON = true }) { sandbox in
            let malformed = try await run("elevenlabs", ["models"], env: env(sandbox))
            #expect(malformed.status == 1)
            #expect(malformed.err.hasPrefix("elevenlabs: unexpected answer from GET /v1/models: the body is not the expected JSON"))
        }
        try await withSandbox({ $0.faults.jsonInsteadOfAudio = true }) { sandbox in
            let out = dir.appendingPathComponent("json.mp3")
            let notAudio = try await run("elevenlabs", ["speak", "-o", out.path, "hi"], env: env(sandbox))
            #expect(notAudio.status == 1)
            #expect(notAudio.err.hasPrefix("elevenlabs: unexpected answer from POST /v1/text-to-speech/JBFqnCBsd6RMkjVDRZzb/stream: expected audio but got application/json"))
            #expect(try files().isEmpty)
        }
        try await withSandbox({ $0.faults.emptyAudio = true }) { sandbox in
            let out = dir.appendingPathComponent("empty.mp3")
            let empty = try await run("elevenlabs", ["speak", "-o", out.path, "hi"], env: env(sandbox))
            #expect(empty.status == 1)
            #expect(empty.err.hasPrefix("elevenlabs: the server sent no audio"))
            #expect(try files().isEmpty)
        }
    }

    @Test func anUnwritableOutputFailsBeforeAnyRequest() async throws {
        try await withSandbox { sandbox in
            let r = try await run("elevenlabs", ["speak", "-o", "/proc/nope/out.mp3", "hi"], env: env(sandbox))
            #expect(r.status == 3)
            #expect(r.err.hasPrefix("elevenlabs: cannot write /proc/nope/out.mp3:"))
            #expect(sandbox.requests.filter { $0.path.contains("text-to-speech") }.isEmpty)
        }
    }

    @Test func aBrokenConfigFileNamesTheLine() async throws {
        let xdg = dir.appendingPathComponent("xdg")
        try FileManager.default.createDirectory(at: xdg.appendingPathComponent("elevenlabs"), withIntermediateDirectories: true)
        try "voice = Roger\nspeed 2\n".write(to: xdg.appendingPathComponent("elevenlabs/config"), atomically: true, encoding: .utf8)
        try await withSandbox { sandbox in
            let r = try await run("elevenlabs", ["speak", "--device", "null", "hi"], env: env(sandbox, ["XDG_CONFIG_HOME": xdg.path]))
            #expect(r.status == 3)
            #expect(r.err.hasPrefix("elevenlabs: \(xdg.path)/elevenlabs/config:2: expected a setting as 'name = value'"), "\(r.err)")
            #expect(!r.err.contains("speed 2"), "the line's contents are never echoed (it may be a key)")
            #expect(sandbox.requests.isEmpty)
        }
    }

    @Test func theKeyNeverShowsAndCachesArePrivate() async throws {
        let key = sandboxKey
        try await withSandbox({ $0.faults.rateLimitFirst = 1; $0.faults.retryAfter = 0 }) { sandbox in
            let r = try await run("elevenlabs", ["speak", "--verbose", "--metrics", "-v", "Roger", "--device", "null", "hi"], env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            #expect(!r.err.contains(key) && !r.out.contains(key))
            #expect(r.err.contains("xi-api-key: sk_...cdef"))
            let cache = dir.appendingPathComponent("cache/elevenlabs")
            for folder in [cache, cache.appendingPathComponent("audio")] {
                #expect((try FileManager.default.attributesOfItem(atPath: folder.path)[.posixPermissions] as? Int) == 0o700)
                for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name != "audio" {
                    let path = folder.appendingPathComponent(name).path
                    #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o600)
                    #expect(!(try Data(contentsOf: URL(fileURLWithPath: path))).contains(Data(key.utf8)))
                }
            }
        }
    }
}
