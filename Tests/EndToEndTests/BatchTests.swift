// Batch conversion through the binary: many inputs at the plan's concurrency and no more, 429s
// ridden out, every output complete, nothing bought twice, a second run buying nothing, and the
// cost checked before spending.
import Testing
import Foundation
import ElevenLabsAPI
@testable import ElevenLabsSandbox
import TestSupport

@Suite struct BatchTests {
    let dir: URL
    init() throws { dir = try temporaryDirectory() }
    func env(_ sandbox: Sandbox) -> [String: String] {
        sandboxEnv(sandbox, cacheIn: dir)
    }

    func inputs(_ n: Int) throws -> [String] {
        let inDir = dir.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: inDir, withIntermediateDirectories: true)
        return try (1...n).map { i in
            let url = inDir.appendingPathComponent(String(format: "part%03d.txt", i))
            try "This is input number \(i), spoken on its own.".write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
    }

    func outDir() throws -> URL {
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        return out
    }

    @Test func captionsGoBesideEachOutputAndOptionsForOneSoundAreRefused() async throws {
        try await withSandbox { sandbox in
            let files = try inputs(3)
            let out = try outDir()
            let r = try await run("elevenlabs", ["speak", "--out-dir", out.path, "--captions", "srt"] + files, env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            for i in 1...3 {
                let srt = try String(contentsOf: out.appendingPathComponent(String(format: "part%03d.srt", i)), encoding: .utf8)
                #expect(srt.hasPrefix("1\n00:00:00,000 --> ") && srt.contains("This is input number \(i),"), "\(srt)")
            }
            #expect(sandbox.requests.filter { $0.path.hasSuffix("/stream/with-timestamps") }.count == 3)
            // The same outputs with WebVTT: the audio is up to date but the captions are missing, so
            // each item runs again, from the cache (the timings are kept with the audio).
            let before = sandbox.requests.filter { $0.path.hasPrefix("/v1/text-to-speech/") }.count
            let v = try await run("elevenlabs", ["speak", "--out-dir", out.path, "--captions", "vtt"] + files, env: env(sandbox))
            #expect(v.status == 0, "\(v.err)")
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("part002.vtt").path))
            #expect(sandbox.requests.filter { $0.path.hasPrefix("/v1/text-to-speech/") }.count == before)
            let manifest = try String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8)
            #expect(manifest.contains("part002.vtt"))
            for (args, message) in [(["--captions", "talk.srt"], "--captions takes a format: srt, vtt or json, not 'talk.srt'"),
                                    (["--play"], "--play cannot be used with --out-dir"), (["--highlight"], "--highlight cannot be used with --out-dir"),
                                    (["--metrics"], "--metrics cannot be used with --out-dir"),
                                    (["--captions", "srt", "--format", "wav_44100"], "--captions cannot be used with wav_44100")] {
                let bad = try await run("elevenlabs", ["speak", "--out-dir", out.path] + args + files, env: env(sandbox))
                #expect(bad.status == 2 && bad.err.contains(message), "\(args): \(bad.err)")
            }
            #expect(sandbox.requests.filter { $0.path.hasPrefix("/v1/text-to-speech/") }.count == before)
        }
    }

    @Test func twoHundredInputsAtTheConcurrencyLimitWith429s() async throws {
        let files = try inputs(200)
        let out = try outDir()
        try await withSandbox({ $0.faults.concurrencyLimit = 3; $0.faults.rateLimitFirst = 4; $0.faults.retryAfter = 0
                                $0.faults.firstByteDelay = 0.01 }) { sandbox in
            let r = try await run("elevenlabs", ["speak", "--out-dir", out.path] + files, env: env(sandbox), timeout: 240)
            #expect(r.status == 0, "\(r.err)")
            #expect(sandbox.peakConcurrency <= 3)
            // Every input was generated exactly once.
            let generated = sandbox.requests.filter { $0.path.hasSuffix("/stream") && $0.status == 200 }.compactMap { $0.jsonObject?["text"] as? String }
            #expect(generated.count == 200 && Set(generated).count == 200)
            #expect(sandbox.requests.filter { $0.status == 429 }.count >= 4)
            // Every output is complete: whole MP3 frames by mpg123's account.
            for i in [1, 77, 200] {
                let name = String(format: "part%03d.mp3", i)
                try await expectWholeMP3(Data(contentsOf: out.appendingPathComponent(name)), name)
            }
            let manifest = try String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8).split(separator: "\n")
            #expect(manifest.count == 200)
            let first = try #require(try JSONSerialization.jsonObject(with: Data(manifest[0].utf8)) as? [String: Any])
            #expect(first["status"] as? String == "ok" && (first["request_id"] as? String)?.count == 20 && first["credits"] as? Int != nil)
            // A second run buys nothing: it makes no request at all.
            sandbox.clearLog()
            let again = try await run("elevenlabs", ["speak", "--out-dir", out.path] + files, env: env(sandbox))
            #expect(again.status == 0)
            #expect(sandbox.requests.isEmpty)
        }
    }

    @Test func eachLineNumbersTheFilesAndPrintsPathsAsWritten() async throws {
        let out = try outDir()
        try await withSandbox { sandbox in
            let r = try await run("elevenlabs", ["speak", "--each-line", "--out-dir", out.path, "-f", "-"], env: env(sandbox),
                                  stdin: Data("First line.\n\n  Second line.  \nThird line.\n".utf8))
            #expect(r.status == 0, "\(r.err)")
            let printed = r.out.split(separator: "\n").map(String.init).sorted()
            #expect(printed == ["0001", "0002", "0003"].map { out.appendingPathComponent("\($0).mp3").path })
            #expect(r.err.isEmpty) // not a terminal: nothing on stderr but errors
            let texts = sandbox.requests.compactMap { $0.jsonObject?["text"] as? String }.sorted()
            #expect(texts == ["First line.", "Second line.", "Third line."])
        }
    }

    @Test func theCostIsCheckedBeforeSpendingAndDryRunSpendsNothing() async throws {
        let files = try inputs(5)
        let out = try outDir()
        try await withSandbox({ $0.characterLimit = 100 }) { sandbox in
            let dry = try await run("elevenlabs", ["speak", "--dry-run", "--out-dir", out.path] + files, env: env(sandbox))
            #expect(dry.status == 0)
            #expect(dry.out.hasPrefix("elevenlabs: would convert 5 items (0 already done), 210 characters, about 210 credits of 100 left"))
            let refused = try await run("elevenlabs", ["speak", "--out-dir", out.path] + files, env: env(sandbox))
            #expect(refused.status == 5)
            #expect(refused.err.hasPrefix("elevenlabs: this batch needs about 210 credits, but 100 are left"))
            #expect(!sandbox.requests.contains { $0.path.hasPrefix("/v1/text-to-speech") })
            #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).isEmpty)
        }
    }

    @Test func aFailingItemDoesNotStopTheRestAndIsRetriedNextRun() async throws {
        let files = try inputs(6)
        let out = try outDir()
        try await withSandbox({ $0.faults.serverErrorFirst = 1 }) { sandbox in
            let r = try await run("elevenlabs", ["speak", "--retries", "0", "--out-dir", out.path] + files, env: env(sandbox))
            #expect(r.status == 6)
            #expect(r.err.contains("5 converted, 1 failed, 0 skipped"))
            let manifest = try String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8)
            #expect(manifest.contains("\"status\":\"failed\""))
            let outputs = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".mp3") }
            #expect(outputs.count == 5)
            sandbox.clearLog()
            let again = try await run("elevenlabs", ["speak", "--out-dir", out.path] + files, env: env(sandbox))
            #expect(again.status == 0, "\(again.err)")
            #expect(sandbox.requests.filter { $0.path.hasPrefix("/v1/text-to-speech") }.count == 1)
            #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".mp3") }.count == 6)
        }
    }
}

extension BatchTests {
    @Test func ctrlCStopsTheBatchCleanly() async throws {
        let files = try inputs(30)
        let out = try outDir()
        let errors = try temporaryDirectory().appendingPathComponent("stderr.txt")
        try await withSandbox({ $0.faults.chunkSize = 2000; $0.faults.chunkDelay = 0.02; $0.faults.concurrencyLimit = 2 }) { sandbox in
            let status = try await onThread { () -> Int32 in
                let p = Child()
                p.executableURL = binary("elevenlabs")
                p.arguments = ["speak", "--out-dir", out.path] + files
                p.environment = childEnvironment(self.env(sandbox))
                #expect(FileManager.default.createFile(atPath: errors.path, contents: nil))
                p.standardError = try FileHandle(forWritingTo: errors)
                try spawn(p)
                let deadline = Date().addingTimeInterval(60)
                while Date() < deadline && ((try? FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".mp3") }.count) ?? 0) < 2 {
                    Thread.sleep(forTimeInterval: 0.02)
                }
                kill(p.processIdentifier, SIGINT)
                p.waitUntilExit()
                return p.terminationStatus
            }
            #expect(status == 130)
            let names = try FileManager.default.contentsOfDirectory(atPath: out.path)
            #expect(!names.contains { $0.hasSuffix(".part") })
            let done = names.filter { $0.hasSuffix(".mp3") }
            #expect(done.count >= 2 && done.count < 30)
            let manifest = try String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8).split(separator: "\n")
            #expect(manifest.count == done.count) // exactly the finished items, all ok
            #expect(manifest.allSatisfy { $0.contains("\"status\":\"ok\"") })
            // It says where it stopped (#31): done, left and spent, on a line of its own.
            let said = try String(contentsOf: errors, encoding: .utf8)
            #expect(said.range(of: #"(^|\n)elevenlabs: interrupted: \d+ of 30 files done, \d+ left \(a rerun converts only those\), [\d,]+ credits spent\n"#,
                               options: .regularExpression) != nil, "\(said)")
        }
    }
}

extension BatchTests {
    /// Trust round three: a Ctrl-C at any moment of a batch (starting, mid-transfer, between items,
    /// ending) always exits 130: never a crash (it once died of "Recursive call to lock Mutex", about
    /// one run in 37), never a partial file: 100 rounds (#27). The moments are seeded, so a failure can be repeated.
    @Test func ctrlCAtRandomMomentsNeverCrashes() async throws {
        let files = try inputs(8)
        try await withSandbox({ $0.faults.chunkSize = 2000; $0.faults.chunkDelay = 0.005; $0.faults.concurrencyLimit = 4 }) { sandbox in
            var g = SeededGenerator(seed: 20261204)
            var statuses: [Int32] = []
            for round in 0..<100 {
                let out = dir.appendingPathComponent("ctrl-c-\(round)")
                let delay = Double(g.int(0...400)) / 1000
                let status = try await onThread { () -> Int32 in
                    let p = Child()
                    p.executableURL = binary("elevenlabs")
                    p.arguments = ["speak", "--out-dir", out.path, "-j", "4", "--no-cache"] + files
                    p.environment = childEnvironment(self.env(sandbox))
                    p.standardError = FileHandle.nullDevice
                    p.standardOutput = FileHandle.nullDevice
                    try spawn(p)
                    // Every other round counts from the moment the batch has begun (its output
                    // directory exists), so a slow start (the sanitizer's) still meets mid-batch moments.
                    if round % 2 == 1 {
                        let ready = Date().addingTimeInterval(30)
                        while Date() < ready && !FileManager.default.fileExists(atPath: out.path) { Thread.sleep(forTimeInterval: 0.002) }
                    }
                    Thread.sleep(forTimeInterval: delay)
                    kill(p.processIdentifier, SIGINT)
                    p.waitUntilExit()
                    return p.terminationStatus
                }
                statuses.append(status)
                // 130 when the signal came in time; 0 when the batch had already finished; 256 + 2
                // (killed by SIGINT, as any program is) in the first milliseconds, before main.
                #expect(status == 130 || status == 0 || status == 258, "round \(round) (\(delay) s): status \(status)")
                let names = (try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []
                #expect(!names.contains { $0.hasSuffix(".part") || $0.hasSuffix(".tmp") }, "round \(round): \(names)")
            }
            #expect(statuses.filter { $0 == 130 }.count >= 30, "many rounds must really be interrupted mid-batch: \(statuses)")
        }
    }
}

extension BatchTests {
    /// Fingerprints now come from the request's identity (#27); a manifest written by 0.3, with its
    /// older fingerprint, still marks its outputs done, so an upgrade never buys a finished batch again.
    @Test func aManifestFromTheLastVersionStillCountsAsDone() async throws {
        let files = try inputs(2)
        let out = try outDir()
        let text = try String(contentsOfFile: files[0], encoding: .utf8)
        let legacy = #"{"model_id":"eleven_multilingual_v2","output_format":"mp3_44100_128","text":"\#(text)","voice":"JBFqnCBsd6RMkjVDRZzb"}"#
        let done = out.appendingPathComponent("part001.mp3")
        try Data([0xFF, 0xFB, 0x90, 0x00]).write(to: done)
        try #"{"fingerprint":"\#(Digest.sha256Hex(legacy))","input":"\#(files[0])","output":"\#(done.path)","status":"ok"}"#
            .appending("\n").write(to: out.appendingPathComponent("manifest.jsonl"), atomically: true, encoding: .utf8)
        try await withSandbox { sandbox in
            let r = try await run("elevenlabs", ["speak", "--out-dir", out.path] + files, env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            // Only the second input was bought; the first, done by the old version, was left alone.
            let bought = sandbox.requests.filter { $0.path.hasPrefix("/v1/text-to-speech") }.compactMap { $0.jsonObject?["text"] as? String }
            #expect(bought.count == 1 && bought.first?.contains("number 2") == true, "\(bought)")
            #expect(try Data(contentsOf: done).count == 4)
        }
    }
}
