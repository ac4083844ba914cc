// The real binaries, spawned as a user would run them, against the sandbox over real sockets:
// output, exit codes, and that the API key never shows.
import Testing
import Foundation
import ElevenLabsSandbox
import TestSupport

@Suite struct BinaryTests {
    @Test func helpAndVersionExitZero() async throws {
        let help = try await run("elevenlabs", ["--help"])
        #expect(help.status == 0)
        #expect(help.out.hasPrefix("elevenlabs: ElevenLabs text to speech"))
        #expect(help.err.isEmpty)
        let version = try await run("elevenlabs", ["--version"])
        #expect(version.status == 0)
        #expect(version.out.contains("libcurl 7.") || version.out.contains("libcurl 8."))
        #expect(version.out.contains("libmpg123") && version.out.contains("alsa-lib 1."))
        let sub = try await run("elevenlabs", ["help", "voices"])
        #expect(sub.status == 0 && sub.out.contains("voices show NAME|ID"))
    }

    /// libasound and libmpg123 are loaded with dlopen on the player's thread (#19): the dynamic
    /// loader's report (LD_DEBUG=files) shows them only in a run that plays, loaded by dlopen.
    @Test func audioLibrariesLoadOnlyToPlay() async throws {
        func loaded(_ r: ProcessResult) -> [String] {
            ["libasound.so.2", "libmpg123.so.0"].filter { r.err.contains("file=\($0)") }
        }
        let version = try await run("elevenlabs", ["--version"], env: ["LD_DEBUG": "files"])
        #expect(version.status == 0)
        #expect(loaded(version).isEmpty, "--version loaded \(loaded(version))")
        try await withSandbox { sandbox in
            let dir = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: dir) }
            var env = sandboxEnv(sandbox)
            env["LD_DEBUG"] = "files"
            let file = try await run("elevenlabs", ["speak", "--no-cache", "-o", dir.appendingPathComponent("a.mp3").path, "Hello."], env: env)
            #expect(file.status == 0)
            #expect(loaded(file).isEmpty, "writing a file loaded \(loaded(file))")
            let play = try await run("elevenlabs", ["speak", "--no-cache", "--device", "null", "Hello."], env: env)
            #expect(play.status == 0)
            #expect(loaded(play) == ["libasound.so.2", "libmpg123.so.0"])
            #expect(play.err.contains("file=libasound.so.2 [0];  dynamically loaded by"))
        }
    }

    /// libcurl (and its thirty libraries) is loaded with dlopen when the service is first needed
    /// (Sources/CCurl/include/CCurl.h): help and the local commands never load it; a request does,
    /// through dlopen.
    @Test func libcurlLoadsOnlyToReachTheService() async throws {
        func loadsCurl(_ r: ProcessResult) -> Bool { r.err.contains("file=libcurl.so.4") }
        let help = try await run("elevenlabs", ["speak", "--help"], env: ["LD_DEBUG": "files"])
        #expect(help.status == 0 && !loadsCurl(help), "speak --help loaded libcurl")
        for args in [["help", "voices"], ["config", "path"], ["cache", "info"], ["completion", "bash"]] {
            let local = try await run("elevenlabs", args, env: ["LD_DEBUG": "files"])
            #expect(local.status == 0 && !loadsCurl(local), "\(args): exit \(local.status), libcurl loaded: \(loadsCurl(local))")
        }
        try await withSandbox { sandbox in
            var env = sandboxEnv(sandbox)
            env["LD_DEBUG"] = "files"
            let r = try await run("elevenlabs", ["models"], env: env)
            #expect(r.status == 0)
            #expect(r.err.contains("file=libcurl.so.4 [0];  dynamically loaded by"), "libcurl was not loaded by dlopen")
        }
    }

    /// Without a loadable libcurl, a command that needs the service says so in one line with the fix
    /// and exits 7, before anything is sent. The library is hidden by bind-mounting an empty file
    /// over it in a private mount namespace (unshare -rm: a user namespace, no root needed).
    @Test func aMissingLibcurlIsOneLineAndExit7() async throws {
        try requireTool("unshare")
        let candidates = ["x86_64-linux-gnu", "aarch64-linux-gnu"].map { "/usr/lib/\($0)/libcurl.so.4" } + ["/usr/lib64/libcurl.so.4"]
        let library = try #require(candidates.first { FileManager.default.fileExists(atPath: $0) }, "no libcurl.so.4 to hide")
        let real = URL(fileURLWithPath: library).resolvingSymlinksInPath().path
        try await withSandbox { sandbox in
            let env = sandboxEnv(sandbox).merging(["PATH": "/usr/bin:/bin"]) { $1 }
            let script = "mount --bind /dev/null '\(real)' || exit 99; exec \"$ELEVENLABS\" \"$@\""
            let elevenlabs = binary("elevenlabs").path
            for args in [["speak", "--device", "null", "Hello."], ["voices"], ["speak", "--live", "--device", "null"]] {
                let r = try await runProcess(URL(fileURLWithPath: "/usr/bin/unshare"), ["-rm", "sh", "-c", script, "sh"] + args,
                                             env: env.merging(["ELEVENLABS": elevenlabs]) { $1 }, stdin: Data(), timeout: 30)
                #expect(r.status != 99, "could not hide libcurl in a private mount namespace: \(r.err)")
                #expect(r.status == 7, "\(args): exit \(r.status), \(r.err)")
                let lines = r.err.split(separator: "\n")
                #expect(lines.first?.hasPrefix("elevenlabs: cannot load libcurl, which reaching the service needs (") == true, "\(args): \(r.err)")
                #expect(lines.count == 2 && lines.last?.contains("apt-get install libcurl4") == true, "\(args): \(r.err)")
            }
            #expect(sandbox.requests.isEmpty, "a request reached the server: \(sandbox.requests.map(\.path))")
        }
    }

    @Test func usageErrorsExit2WithAPointerToHelp() async throws {
        let r = try await run("elevenlabs", ["models", "--bogus"])
        #expect(r.status == 2)
        #expect(r.out.isEmpty)
        #expect(r.err == "elevenlabs: unknown option --bogus\nelevenlabs: try 'elevenlabs models --help' for more information\n")
    }

    @Test func modelsAgainstTheSandbox() async throws {
        try await withSandbox { sandbox in
            let table = try await run("elevenlabs", ["models"], env: sandboxEnv(sandbox))
            #expect(table.status == 0, "\(table.err)")
            let lines = table.out.split(separator: "\n")
            #expect(lines.first?.hasPrefix("MODEL") == true)
            #expect(lines.contains { $0.hasPrefix("eleven_flash_v2_5") && $0.contains("40,000") && $0.contains("0.5") })
            let json = try await run("elevenlabs", ["models", "--json"], env: sandboxEnv(sandbox))
            let array = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [[String: Any]])
            #expect(array.count == 6)
            #expect(array.first?["model_id"] as? String == "eleven_multilingual_v2")
            #expect(array.first?["max_characters_per_request"] as? Int == 10_000)
            #expect(sandbox.requests.filter { $0.path == "/v1/models" }.count == 2)
        }
    }

    @Test func eachErrorClassHasItsExitCode() async throws {
        try await withSandbox({ $0.restrictedKeys["sk_scoped_0000000000"] = ["models_read"]; $0.faults.htmlErrorFirst = 0 }) { sandbox in
            let noKey = try await run("elevenlabs", ["models"], env: ["ELEVENLABS_BASE_URL": sandbox.baseURL])
            #expect(noKey.status == 4)
            #expect(noKey.err.hasPrefix("elevenlabs: no API key found\nelevenlabs: hint: create a key on the ElevenLabs site (your profile, API keys)"), "\(noKey.err)")
            #expect(sandbox.requests.isEmpty)

            let wrong = try await run("elevenlabs", ["models"], env: sandboxEnv(sandbox, key: "sk_not_the_right_key_42"))
            #expect(wrong.status == 4)
            #expect(wrong.err.contains("Invalid API key (HTTP 401, invalid_api_key)"))
            #expect(!wrong.err.contains("sk_not_the_right_key_42"))
            #expect(wrong.err.contains("hint: the key from ELEVENLABS_API_KEY was refused"), "\(wrong.err)")

            let scoped = try await run("elevenlabs", ["models"], env: sandboxEnv(sandbox, key: "sk_scoped_0000000000"))
            #expect(scoped.status == 4)
            #expect(scoped.err.contains("lacks 'models_read'"))

            let refused = try await run("elevenlabs", ["models", "--retries", "0"], env: ["ELEVENLABS_BASE_URL": "http://127.0.0.1:9", "ELEVENLABS_API_KEY": "sk_x"])
            #expect(refused.status == 7)
            #expect(refused.err.hasPrefix("elevenlabs: network error:"))

            let plain = try await run("elevenlabs", ["models", "--base-url", "http://api.example.com"], env: ["ELEVENLABS_API_KEY": "sk_x"])
            #expect(plain.status == 2)
            #expect(plain.err.hasPrefix("elevenlabs: refusing plain http to api.example.com"))
        }
    }

    @Test func verboseTracesMaskTheKey() async throws {
        try await withSandbox { sandbox in
            let r = try await run("elevenlabs", ["models", "--verbose"], env: sandboxEnv(sandbox))
            #expect(r.status == 0)
            #expect(r.err.contains("> GET \(sandbox.baseURL)/v1/models"))
            #expect(r.err.contains("> xi-api-key: sk_...cdef"))
            #expect(r.err.contains("< HTTP/1.1 200 OK"))
            #expect(!r.err.contains(sandboxKey) && !r.out.contains(sandboxKey))
        }
    }

    @Test func keyFileOptionAndConfigFile() async throws {
        let dir = try temporaryDirectory()
        let keyFile = dir.appendingPathComponent("key")
        try (sandboxKey + "\n").write(to: keyFile, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("elevenlabs"), withIntermediateDirectories: true)
        let config = dir.appendingPathComponent("elevenlabs/config")
        try "api_key = \(sandboxKey)\n".write(to: config, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: config.path)
        try await withSandbox { sandbox in
            let viaFile = try await run("elevenlabs", ["user", "--api-key-file", keyFile.path], env: ["ELEVENLABS_BASE_URL": sandbox.baseURL])
            #expect(viaFile.status == 0, "\(viaFile.err)")
            #expect(viaFile.out.contains("API key      sk_...cdef from --api-key-file \(keyFile.path)"))
            let viaConfig = try await run("elevenlabs", ["user"], env: ["ELEVENLABS_BASE_URL": sandbox.baseURL, "XDG_CONFIG_HOME": dir.path])
            #expect(viaConfig.status == 0)
            #expect(viaConfig.err.contains("holds an API key and others can read it; run: chmod 600"))
            #expect(viaConfig.out.contains("from config file \(config.path)"))
        }
    }

    @Test func voicesListsEveryPageAndShowResolvesNames() async throws {
        try await withSandbox({ $0.extraVoices = 150 }) { sandbox in
            let all = try await run("elevenlabs", ["voices", "--json"], env: sandboxEnv(sandbox))
            let list = try #require(try JSONSerialization.jsonObject(with: all.stdout) as? [[String: Any]])
            #expect(list.count == 168)
            let roger = try await run("elevenlabs", ["voices", "show", "roger", "--json"], env: sandboxEnv(sandbox))
            #expect(roger.status == 0, "\(roger.err)")
            let obj = try #require(try JSONSerialization.jsonObject(with: roger.stdout) as? [String: Any])
            #expect(obj["voice_id"] as? String == "CwhRBWXzGAHq8TQ4Fs17")
            let retired = try await run("elevenlabs", ["voices", "show", "Rachel"], env: sandboxEnv(sandbox))
            #expect(retired.status == 1)
            #expect(retired.err.hasPrefix("elevenlabs: 'Rachel' is a retired ElevenLabs voice"))
            let ambiguous = try await run("elevenlabs", ["voices", "show", "Sandbox"], env: sandboxEnv(sandbox))
            #expect(ambiguous.status == 2)
            #expect(ambiguous.err.contains("matches"))
            let typo = try await run("elevenlabs", ["voices", "show", "Gorge"], env: sandboxEnv(sandbox))
            #expect(typo.status == 1)
            #expect(typo.err.contains("did you mean 'George'?"))
        }
    }

    @Test func aClosedStdoutEndsQuietly() async throws {
        try await withSandbox({ $0.extraVoices = 3000 }) { sandbox in
            // `| head -1`: the reader goes away after one line; no error, exit 0 (pipefail reports the
            // status of elevenlabs, not of head).
            let listing = try await runShell("\"$ELEVENLABS\" voices | head -1 >/dev/null", env: sandboxEnv(sandbox))
            #expect(listing.status == 0, "\(listing.err)")
            #expect(listing.err.isEmpty)
            // The same while audio streams to stdout.
            let audio = try await runShell("\"$ELEVENLABS\" speak -o - \"$(printf 'Long enough to fill a pipe. %.0s' $(seq 40))\" | head -c 100 >/dev/null",
                                           env: sandboxEnv(sandbox))
            #expect(audio.status == 0, "\(audio.err)")
            #expect(audio.err.isEmpty)
            // And a failure is still seen through a pipe.
            let failing = try await runShell("\"$ELEVENLABS\" voices --bogus | head -1", env: sandboxEnv(sandbox))
            #expect(failing.status == 2)

        }
    }

    @Test func theSandboxBinaryServesTheCLI() async throws {
        let sandbox = Child()
        sandbox.executableURL = productsDirectory.appendingPathComponent("elevenlabs-sandbox")
        sandbox.arguments = ["--port", "0", "--extra-voices", "2"]
        let out = Pipe()
        sandbox.standardOutput = out
        try spawn(sandbox)
        defer { sandbox.terminate() } // no wait here: the cooperative pool must not block on a child
        let banner = try await onThread { () -> String in
            var data = Data()
            while !data.contains(10) { data += out.fileHandleForReading.availableData }
            return String(decoding: data, as: UTF8.self)
        }
        let firstLine = banner.split(separator: "\n").first ?? ""
        let url = try #require(firstLine.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        #expect(url.hasPrefix("http://127.0.0.1:"))
        let r = try await run("elevenlabs", ["voices", "--category", "cloned"], env: ["ELEVENLABS_BASE_URL": url, "ELEVENLABS_API_KEY": sandboxKey])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.split(separator: "\n").count == 3) // header + 2 cloned voices
    }
}
