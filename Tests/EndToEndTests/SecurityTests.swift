// Hostile servers and hostile environments, through the binary (README "Security"): the key goes
// nowhere but the API host, in one header, never printed; what a server says never drives the
// terminal or crashes the tool; caches and signals cannot be turned against the user; memory stays
// bounded however large the input.
import Testing
import Foundation
import ElevenLabsAPI
import ElevenLabsSandbox
import TestSupport

@Suite struct SecurityTests {
    let dir: URL
    init() throws { dir = try temporaryDirectory() }
    func env(_ sandbox: Sandbox, _ extra: [String: String] = [:]) -> [String: String] {
        sandboxEnv(sandbox, cacheIn: dir).merging(extra) { $1 }
    }
    func tts(_ sandbox: Sandbox) -> Int { sandbox.requests.filter { $0.path.hasPrefix("/v1/text-to-speech/") }.count }
    func noEscape(_ r: ProcessResult, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!r.stdout.contains(0x1B) && !r.stderr.contains(0x1B), "\(what): an escape character reached the output",
                sourceLocation: sourceLocation)
    }

    // MARK: URLs and proxies

    @Test func plainHTTPGoesOnlyToALoopbackAddressAndNeverThroughAProxy() async throws {
        for url in ["http://127.0.0.1.evil.example/", "http://evil.example#@127.0.0.1/", "http://evil.example?@127.0.0.1/",
                    "http://localhost.evil.example/", "http://[::2]/"] {
            let r = try await run("elevenlabs", ["models", "--base-url", url], env: ["ELEVENLABS_API_KEY": sandboxKey])
            #expect(r.status == 2, "\(url): \(r.err)")
            #expect(r.err.contains("refusing"), "\(url): \(r.err)")
        }
        let userinfo = try await run("elevenlabs", ["models", "--base-url", "https://me@api.elevenlabs.io"], env: ["ELEVENLABS_API_KEY": sandboxKey])
        #expect(userinfo.status == 2 && userinfo.err.contains("user info"), "\(userinfo.err)")
        try await withSandbox { sandbox in
            // Proxies that do not exist: had the key gone through one, the command would fail.
            let proxied = env(sandbox, ["http_proxy": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "ALL_PROXY": "http://127.0.0.1:9",
                                        "https_proxy": "http://127.0.0.1:9"])
            let viaLocalhost = try await run("elevenlabs", ["models", "--base-url", "http://localhost:\(sandbox.port)"], env: proxied)
            #expect(viaLocalhost.status == 0, "\(viaLocalhost.err)")
            let live = try await run("elevenlabs", ["--device", "null"], env: proxied, stdin: Data("Over the socket.\n".utf8))
            #expect(live.status == 0, "\(live.err)")
        }
    }

    // MARK: The key

    @Test func keysWithControlCharactersAreRefusedFromEverySourceWithoutBeingShown() async throws {
        try await withSandbox { sandbox in
            let injected = "sk_abc\r\nX-Injected: yes"
            let fromEnv = try await run("elevenlabs", ["models"], env: env(sandbox, ["ELEVENLABS_API_KEY": injected]))
            #expect(fromEnv.status == 4, "\(fromEnv.err)")
            #expect(fromEnv.err.contains("ELEVENLABS_API_KEY holds a control character"), "\(fromEnv.err)")
            #expect(!fromEnv.err.contains("sk_abc") && !fromEnv.err.contains("Injected"))
            let file = dir.appendingPathComponent("key")
            for bad in ["sk_secretpart\r\nX-Injected2: yes\n", "sk_with space\n", "sk_caf\u{E9}\n"] {
                try Data(bad.utf8).write(to: file)
                chmod(file.path, 0o600)
                let r = try await run("elevenlabs", ["models", "--api-key-file", file.path], env: env(sandbox).filter { $0.key != "ELEVENLABS_API_KEY" })
                #expect(r.status == 4, "\(r.err)")
                #expect(!r.err.contains("secretpart") && !r.err.contains("with space"), "\(r.err)")
            }
            #expect(sandbox.requests.isEmpty)
            #expect(!sandbox.requests.contains { $0.headers["x-injected"] != nil })
        }
    }

    @Test func configErrorsNeverEchoALineAndWeakPermissionsWarn() async throws {
        try await withSandbox { sandbox in
            let xdg = dir.appendingPathComponent("xdg"), config = xdg.appendingPathComponent("elevenlabs/config")
            try FileManager.default.createDirectory(at: config.deletingLastPathComponent(), withIntermediateDirectories: true)
            try "voice = Roger\nsk_live_SECRETVALUE123\n".write(to: config, atomically: true, encoding: .utf8)
            let broken = try await run("elevenlabs", ["models"], env: env(sandbox, ["XDG_CONFIG_HOME": xdg.path]))
            #expect(broken.status == 3)
            #expect(broken.err.contains("config:2: expected a setting"), "\(broken.err)")
            #expect(!broken.err.contains("SECRET"), "\(broken.err)")

            // A config holding a key, readable and writable by others: two warnings, each with its fix.
            try "api_key = \(sandboxKey)\n".write(to: config, atomically: true, encoding: .utf8)
            chmod(config.path, 0o666)
            var noKey = env(sandbox, ["XDG_CONFIG_HOME": xdg.path]); noKey["ELEVENLABS_API_KEY"] = nil
            let loose = try await run("elevenlabs", ["models"], env: noKey)
            #expect(loose.status == 0, "\(loose.err)")
            #expect(loose.err.contains("holds an API key and others can read it; run: chmod 600 \(config.path)"), "\(loose.err)")
            #expect(loose.err.contains("run: chmod go-w \(config.path)"), "\(loose.err)")
            // A key file others can read, by each route.
            let keyFile = dir.appendingPathComponent("key.txt")
            try "\(sandboxKey)\n".write(to: keyFile, atomically: true, encoding: .utf8)
            chmod(keyFile.path, 0o644)
            var plain = env(sandbox); plain["ELEVENLABS_API_KEY"] = nil
            let byOption = try await run("elevenlabs", ["models", "--api-key-file", keyFile.path], env: plain)
            let byEnv = try await run("elevenlabs", ["models"], env: plain.merging(["ELEVENLABS_API_KEY_FILE": keyFile.path]) { $1 })
            try "api_key_file = \(keyFile.path)\n".write(to: config, atomically: true, encoding: .utf8)
            chmod(config.path, 0o600)
            let byConfig = try await run("elevenlabs", ["models"], env: noKey)
            for r in [byOption, byEnv, byConfig] {
                #expect(r.status == 0, "\(r.err)")
                #expect(r.err.contains("the key file \(keyFile.path) can be read by others; run: chmod 600 \(keyFile.path)"), "\(r.err)")
            }
            chmod(keyFile.path, 0o600)
            let quiet = try await run("elevenlabs", ["models"], env: noKey)
            #expect(quiet.err.isEmpty, "\(quiet.err)")
        }
    }

    // MARK: The cache is trusted only when it is ours

    @Test func aCacheOthersCanWriteIsNotUsedAndAFIFOCannotHangIt() async throws {
        try await withSandbox { sandbox in
            let out = dir.appendingPathComponent("c.mp3")
            let audio = dir.appendingPathComponent("cache/elevenlabs/audio")
            _ = try await run("elevenlabs", ["speak", "-o", out.path, "Cached once."], env: env(sandbox))
            #expect(tts(sandbox) == 1)
            // World-writable: someone could have forged an entry. Not used; one warning.
            chmod(audio.path, 0o777)
            let open = try await run("elevenlabs", ["speak", "-o", out.path, "Cached once."], env: env(sandbox))
            #expect(open.status == 0)
            #expect(tts(sandbox) == 2)
            #expect(open.err.contains("warning: not using the cache in \(audio.path): others can write to it"), "\(open.err)")
            // Owned by another user: the same.
            chmod(audio.path, 0o700)
            #expect(chown(audio.path, 65534, 65534) == 0)
            let foreign = try await run("elevenlabs", ["speak", "-o", out.path, "Cached once."], env: env(sandbox))
            #expect(foreign.status == 0 && tts(sandbox) == 3)
            #expect(foreign.err.contains("it belongs to another user"), "\(foreign.err)")
            #expect(chown(audio.path, getuid(), getgid()) == 0)
            // A FIFO where the entry belongs: read without blocking, refused, bought again.
            let entry = try #require(try FileManager.default.contentsOfDirectory(atPath: audio.path).first)
            unlink(audio.appendingPathComponent(entry).path)
            #expect(mkfifo(audio.appendingPathComponent(entry).path, 0o600) == 0)
            let started = Date()
            let fifo = try await run("elevenlabs", ["speak", "-o", out.path, "Cached once."], env: env(sandbox), timeout: 20)
            #expect(fifo.status == 0, "\(fifo.err)")
            #expect(Date().timeIntervalSince(started) < 10)
            #expect(tts(sandbox) == 4)
        }
    }

    // MARK: What a server says

    @Test func serverTextNeverReachesTheTerminalRawAndIdsNeverMakePaths() async throws {
        try await withSandbox { sandbox in
            let hostile = "Hello \u{1B}]2;TITLE\u{07}\u{1B}[2J there."
            _ = try await run("elevenlabs", ["speak", "--device", "null", "--no-live", hostile], env: env(sandbox))
            let id = try #require(try await onThread { try client(for: sandbox).history(ElevenLabsClient.HistoryQuery()).history.first?.historyItemID })
            for args in [["history"], ["history", "show", id], ["history", "--limit", "1"]] {
                let r = try await run("elevenlabs", args, env: env(sandbox))
                #expect(r.status == 0, "\(args): \(r.err)")
                noEscape(r, "\(args)")
                #expect(r.out.contains("Hello"), "\(args)")
            }
            let json = try await run("elevenlabs", ["history", "show", id, "--json"], env: env(sandbox))
            #expect(json.out.contains("\\u001b") && !json.stdout.contains(0x1B), "\(json.out)")
            // Dot segments: refused before anything is asked or sent.
            sandbox.clearLog()
            for args in [["history", "delete", "..", "--yes"], ["history", "show", "."], ["history", "save", "../x", "-o", dir.appendingPathComponent("s.mp3").path]] {
                let r = try await run("elevenlabs", args, env: env(sandbox))
                #expect(r.status == 2 && r.err.contains("is not a valid id"), "\(args): \(r.err)")
            }
            #expect(sandbox.requests.isEmpty)
        }
    }

    @Test(arguments: 1...12)
    func hostileNumbersAndStringsNeverCrashAnyCommand(seed: Int) async throws {
        try await withSandbox { sandbox in
            // Something in the history first, then every JSON answer turns hostile.
            _ = try await run("elevenlabs", ["speak", "--device", "null", "Seed the history."], env: env(sandbox))
            let pls = dir.appendingPathComponent("seed.pls")
            try "<lexicon version=\"1.0\"><lexeme><grapheme>A</grapheme><alias>Ay</alias></lexeme></lexicon>".write(to: pls, atomically: true, encoding: .utf8)
            let added = try await run("elevenlabs", ["dictionaries", "add", pls.path, "--name", "Seed", "--json"], env: env(sandbox))
            let dictionary = try #require((try JSONSerialization.jsonObject(with: added.stdout) as? [String: Any])?["id"] as? String)
            let id = try #require(try await onThread { try client(for: sandbox).history(ElevenLabsClient.HistoryQuery()).history.first?.historyItemID })
            let script = dir.appendingPathComponent("seed-script.txt")
            try "# cast: A=Roger, B=Sarah\nA: Hello there, how are you?\n\nB: Fine, thanks. And you?\n".write(to: script, atomically: true, encoding: .utf8)
            sandbox.updateFaults { $0.hostileSeed = UInt64(seed) }
            let long = String(repeating: "A sentence to split. ", count: 300)
            let captions = dir.appendingPathComponent("h.srt").path
            for args in [["user"], ["models"], ["voices"], ["voices", "show", "George"], ["history"], ["history", "show", id],
                         ["user", "--json"], ["history", "--json"], ["speak", "-m", "eleven_v3", "-o", dir.appendingPathComponent("h.mp3").path, long],
                         ["speak", "--device", "null", "-v", "Roger", "Short."], ["dictionaries"], ["dictionaries", "--json"], ["dictionaries", "show", dictionary],
                         ["speak", "--no-cache", "--captions", captions, "-o", dir.appendingPathComponent("c.mp3").path, "Timed words here."],
                         ["speak", "--dialogue", script.path, "--no-cache", "--captions", captions, "-o", dir.appendingPathComponent("d.mp3").path],
                         ["speak", "--dialogue", script.path, "--dry-run", "--json"]] {
                let r = try await run("elevenlabs", args, env: env(sandbox), timeout: 60)
                #expect((0...8).contains(r.status), "seed \(seed) \(args): exit \(r.status)\n\(r.err.prefix(300))")
                if !args.contains("--json") { noEscape(r, "seed \(seed) \(args)") }
                if args.contains("--json") && r.status == 0 {
                    #expect((try? JSONSerialization.jsonObject(with: r.stdout)) != nil, "seed \(seed) \(args): not JSON")
                }
            }
        }
    }

    @Test func anOversizedResponseHeaderIsAClearNetworkError() async throws {
        try await withSandbox({ $0.faults.hugeHeaderBytes = 120_000 }) { sandbox in
            let r = try await run("elevenlabs", ["speak", "-o", dir.appendingPathComponent("h.mp3").path, "Big head."], env: env(sandbox))
            #expect(r.status == 7)
            #expect(r.err.contains("the response header is too large"), "\(r.err)")
            #expect(tts(sandbox) == 1)
        }
    }

    // MARK: Environment numbers

    @Test func environmentNumbersAreRangeChecked() async throws {
        try await withSandbox { sandbox in
            for bad in ["inf", "1e300", "-1", "nan", "lots"] {
                let r = try await run("elevenlabs", ["speak", "-o", dir.appendingPathComponent("n.mp3").path, "x"],
                                      env: env(sandbox, ["ELEVENLABS_CACHE_MAX_MB": bad]))
                #expect(r.status == 2, "\(bad): \(r.err)")
                #expect(r.err.contains("ELEVENLABS_CACHE_MAX_MB must be a number of MiB"), "\(bad): \(r.err)")
            }
            #expect(tts(sandbox) == 0)
        }
    }

    // MARK: Signals

    @Test(arguments: [(SIGHUP, Int32(129)), (SIGQUIT, 131), (SIGUSR1, 138), (SIGUSR2, 140), (SIGALRM, 142)] as [(Int32, Int32)])
    func stoppingSignalsCleanUpAndExitWithTheirCode(signal: Int32, code: Int32) async throws {
        let sub = dir.appendingPathComponent("sig\(signal)")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        try await withSandbox({ $0.faults.chunkSize = 500; $0.faults.chunkDelay = 0.2 }) { sandbox in
            let out = sub.appendingPathComponent("partial.mp3")
            let status = try await onThread { () -> Int32 in
                let p = Child()
                p.executableURL = binary("elevenlabs")
                p.arguments = ["speak", "--no-cache", "-o", out.path, String(repeating: "Interrupt me please. ", count: 20)]
                p.environment = childEnvironment(self.env(sandbox))
                p.standardError = FileHandle.nullDevice
                try spawn(p)
                let deadline = Date().addingTimeInterval(10)
                while Date() < deadline && ((try? FileManager.default.contentsOfDirectory(atPath: sub.path).filter { $0.hasSuffix(".part") }.isEmpty) ?? true) {
                    Thread.sleep(forTimeInterval: 0.02)
                }
                kill(p.processIdentifier, signal)
                p.waitUntilExit()
                return p.terminationStatus
            }
            #expect(status == code)
            #expect(try FileManager.default.contentsOfDirectory(atPath: sub.path).isEmpty)
        }
    }

    // MARK: Memory

    @Test func memoryStaysFlatForLargeStandardInput() async throws {
        try requireTool("time")
        let big = dir.appendingPathComponent("ten.txt"), small = dir.appendingPathComponent("one.txt")
        let sentence = "Every sentence here is spoken in its turn, and none is kept in memory twice. "
        let ten = String(repeating: sentence, count: 10_000_000 / sentence.utf8.count)
        try ten.write(to: big, atomically: true, encoding: .utf8)
        try String(ten.prefix(400_000)).write(to: small, atomically: true, encoding: .utf8)
        // 10 MB: read, checked and priced (then refused for its cost: 10 million credits).
        try await withSandbox({ $0.characterLimit = 1000 }) { sandbox in
            let r = try await runShell("/usr/bin/time -f 'peak %M' \"$ELEVENLABS\" speak --no-live -o '\(dir.path)/big.mp3' < '\(big.path)'", env: env(sandbox))
            #expect(r.status == 5, "\(r.err)")
            let kb = Int(r.err.split(separator: "\n").last { $0.hasPrefix("peak ") }?.dropFirst(5) ?? "") ?? Int.max
            #expect(kb < 64 * 1024, "peak RSS \(kb) KB for 10 MB of standard input")
        }
        // 400 kB spoken whole, written to a file: about 40 requests, memory flat.
        try await withSandbox({ $0.tier = "pro"; $0.characterLimit = 10_000_000 }) { sandbox in
            let out = dir.appendingPathComponent("small.mp3")
            let r = try await runShell("/usr/bin/time -f 'peak %M' \"$ELEVENLABS\" speak --no-live --no-cache --format mp3_22050_32 -o '\(out.path)' < '\(small.path)'",
                                       env: env(sandbox), timeout: 240)
            #expect(r.status == 0, "\(r.err)")
            let kb = Int(r.err.split(separator: "\n").last { $0.hasPrefix("peak ") }?.dropFirst(5) ?? "") ?? Int.max
            #expect(kb < 64 * 1024, "peak RSS \(kb) KB for 400 kB of standard input")
            #expect(tts(sandbox) > 30)
        }
    }
}
