// Completion as a person meets it: each shell (bash, zsh, fish) runs interactively in a tmux pane,
// the generated script is loaded, a line is typed and Tab pressed, and the line the shell then
// shows is compared. The last case runs a completed line, so a name with spaces must arrive whole.
import Testing
import Foundation
import ElevenLabsSandbox
import TestSupport

@Suite struct CompletionTests {
    @Test(arguments: ["bash", "zsh", "fish"])
    func tabGivesWholeQuotedNamesAndIds(shell: String) async throws {
        try requireTool("tmux")
        try requireTool(shell)
        try await withSandbox { sandbox in
            let dir = try temporaryDirectory()
            // What Tab offers is checked here, not how fast: a loaded machine gets 30 s (the 3 s
            // default is checked against a silent server below).
            let env = sandboxEnv(sandbox, cacheIn: dir).merging(
                ["PATH": binary("elevenlabs").deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
                 "ELEVENLABS_COMPLETE_TIMEOUT": "30"]) { $1 }
            // A voice whose name has a space and a colon, and one generation in the history.
            let wav = try sampleWAV(in: dir)
            let narrator = try await run("elevenlabs", ["clone", "My Narrator", wav.path], env: env)
            let narratorID = narrator.out.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(narrator.status == 0 && narratorID.count == 20, "\(narrator.err)")
            #expect(try await run("elevenlabs", ["clone", "Old: Voice", wav.path], env: env).status == 0)
            #expect(try await run("elevenlabs", ["--device", "null", "A generation."], env: env).status == 0)
            // The id from the listing itself (the completion helper gives up after 3 s, which a loaded
            // machine may need; what it offers is checked by typing below).
            let listed = try await run("elevenlabs", ["history", "--json"], env: env)
            let items = try JSONSerialization.jsonObject(with: listed.stdout) as? [[String: Any]] ?? []
            let historyID = items.first?["history_item_id"] as? String ?? "?"
            #expect(historyID.count == 20, "\(listed.out)")

            let file = dir.appendingPathComponent(shell == "zsh" ? "_elevenlabs" : "elevenlabs.\(shell)")
            let script = try await run("elevenlabs", ["completion", shell], env: env)
            try script.stdout.write(to: file)

            let cases: [(typed: String, shown: String)] = [
                ("elevenlabs -v My", #"elevenlabs -v My\ Narrator"#),
                (#"elevenlabs -v "My"#, #"elevenlabs -v "My Narrator""#),
                ("elevenlabs voices show Ol", #"elevenlabs voices show Old:\ Voice"#),
                ("elevenlabs voices delete my", #"elevenlabs voices delete My\ Narrator"#),
                ("elevenlabs --vo", "elevenlabs --voice"),
                ("elevenlabs -m fl", "elevenlabs -m flash"),
                ("elevenlabs speak --format mp3_22", "elevenlabs speak --format mp3_22050_32"),
                ("elevenlabs history play ", "elevenlabs history play \(historyID)"),
                ("elevenlabs config set vo", "elevenlabs config set voice"),
                ("elevenlabs config set voice My", #"elevenlabs config set voice My\ Narrator"#),
                ("elevenlabs config set format mp3_22", "elevenlabs config set format mp3_22050_32"),
            ]
            let driver = repositoryRoot.appendingPathComponent("Tests/EndToEndTests/Servers/complete_in_shell.sh").path
            let lines = cases.map(\.typed) + ["elevenlabs --device null -v My", "@type  Spoken by the narrator.", "@enter"]
            let before = sandbox.requests.count
            let r = try await onThread { try runToolSync([driver, shell, file.path] + lines, env: env) }
            let shown = r.split(separator: "\n").map { String($0.dropFirst(2)).trimmingCharacters(in: .whitespaces) }
            for (i, c) in cases.enumerated() {
                #expect(i < shown.count && shown[i] == c.shown, "\(shell): '\(c.typed)' + Tab gave '\(i < shown.count ? shown[i] : "nothing")'")
            }
            // The completed line ran: one request, to the narrator's voice, with the whole text.
            let spoken = sandbox.requests.dropFirst(before).filter { $0.path.hasPrefix("/v1/text-to-speech/") }
            #expect(spoken.count == 1 && spoken.first?.path.contains(narratorID) == true, "\(shell): \(spoken.map(\.path))")
            #expect(spoken.first?.jsonObject?["text"] as? String == "Spoken by the narrator.")
        }
    }

    /// Trust round three: server text never becomes shell syntax, whatever quote the user opened,
    /// and file names complete as the shell's own completion does them.
    @Test func namesThatAreShellSyntaxAreOfferedByIdAndFilesStayWhole() async throws {
        try requireTool("tmux")
        try await withSandbox { sandbox in
            let dir = try temporaryDirectory()
            let pwned = dir.appendingPathComponent("pwned")
            // What Tab offers is checked here, not how fast: a loaded machine gets 30 s (the 3 s
            // default is checked against a silent server below).
            let env = sandboxEnv(sandbox, cacheIn: dir).merging(
                ["PATH": binary("elevenlabs").deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
                 "ELEVENLABS_COMPLETE_TIMEOUT": "30"]) { $1 }
            let wav = try sampleWAV(in: dir)
            var ids: [String] = []
            for name in ["Eve $(touch \(pwned.path))", "Eva'; touch \(pwned.path); '", "Evan `touch \(pwned.path)`"] {
                let r = try await run("elevenlabs", ["clone", name, wav.path], env: env)
                #expect(r.status == 0, "\(r.err)")
                ids.append(r.out.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            let listed = try await run("elevenlabs", ["__complete", "voices"], env: env)
            for id in ids { #expect(listed.out.contains(id + "\t"), "\(listed.out)") }
            #expect(!listed.out.split(separator: "\n").contains { $0.split(separator: "\t").first?.contains("$") == true || $0.hasPrefix("Eva") })
            let files = dir.appendingPathComponent("files")
            try FileManager.default.createDirectory(at: files.appendingPathComponent("sub dir"), withIntermediateDirectories: true)
            try "x".write(to: files.appendingPathComponent("my text.txt"), atomically: true, encoding: .utf8)

            let script = dir.appendingPathComponent("elevenlabs.bash")
            try (try await run("elevenlabs", ["completion", "bash"], env: env)).stdout.write(to: script)
            let cases: [(typed: String, shown: String)] = [
                (#"elevenlabs -v "Ev"#, #"elevenlabs -v "Ev"#), // nothing of the names goes into an open quote
                ("elevenlabs -v 'Ev", "elevenlabs -v 'Ev"),
                ("elevenlabs -f my", #"elevenlabs -f my\ text.txt"#),
                ("elevenlabs -o sub", #"elevenlabs -o sub\ dir/"#),
            ]
            let driver = repositoryRoot.appendingPathComponent("Tests/EndToEndTests/Servers/complete_in_shell.sh").path
            let r = try await onThread { try runToolSync([driver, "bash", script.path, "@run cd '\(files.path)'"] + cases.map(\.typed), env: env) }
            let shown = r.split(separator: "\n").map { String($0.dropFirst(2)).trimmingCharacters(in: .whitespaces) }
            for (i, c) in cases.enumerated() {
                #expect(i < shown.count && shown[i] == c.shown, "'\(c.typed)' + Tab gave '\(i < shown.count ? shown[i] : "nothing")'")
            }
            #expect(!FileManager.default.fileExists(atPath: pwned.path), "a completion ran a command")
        }
    }

    @Test func theHelperNeverPutsControlBytesOnTheLineNorWaitsLong() async throws {
        try await withSandbox { sandbox in
            let dir = try temporaryDirectory()
            let env = sandboxEnv(sandbox, cacheIn: dir).merging(["ELEVENLABS_COMPLETE_TIMEOUT": "30"]) { $1 }
            let wav = try sampleWAV(in: dir)
            let evil = try await run("elevenlabs", ["clone", "Evil\u{1B}[2J Name", wav.path], env: env)
            let evilID = evil.out.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(evil.status == 0 && evilID.count == 20, "\(evil.err)")
            let listed = try await run("elevenlabs", ["__complete", "voices"], env: env)
            #expect(listed.status == 0 && !listed.stdout.contains(0x1B), "\(listed.out)")
            // Offered by its id, the name (made harmless) as the description.
            #expect(listed.out.split(separator: "\n").contains { $0.hasPrefix(evilID + "\t") }, "\(listed.out)")
            #expect(listed.out.contains("George\t"))
        }
        // No server: nothing printed, nothing on stderr, and no long wait (no retries, short timeouts).
        let started = Date()
        let down = try await run("elevenlabs", ["__complete", "history"], env: ["ELEVENLABS_BASE_URL": "http://127.0.0.1:9", "ELEVENLABS_API_KEY": sandboxKey])
        #expect(down.status == 0 && down.out.isEmpty && down.err.isEmpty, "\(down.err)")
        #expect(Date().timeIntervalSince(started) < 8)

        // A silent server: it takes the connection (the kernel's backlog) and never answers.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { a in
            a.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && listen(listener, 8) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        #expect(bound)
        let port = UInt16(bigEndian: address.sin_port)
        // ELEVENLABS_COMPLETE_TIMEOUT values that are no time (unset, infinite, huge, negative, not a
        // number) leave the 3 s default: a Tab never waits long because of a bad setting.
        for bad in [nil, "inf", "1e300", "-5", "nan", "0", "soon"] as [String?] {
            var env = ["ELEVENLABS_BASE_URL": "http://127.0.0.1:\(port)", "ELEVENLABS_API_KEY": sandboxKey]
            env["ELEVENLABS_COMPLETE_TIMEOUT"] = bad
            let silentStart = Date()
            let silent = try await run("elevenlabs", ["__complete", "history"], env: env)
            #expect(silent.status == 0 && silent.out.isEmpty && silent.err.isEmpty, "\(bad ?? "unset"): \(silent.err)")
            #expect(Date().timeIntervalSince(silentStart) < 8,
                    "with ELEVENLABS_COMPLETE_TIMEOUT=\(bad ?? "unset") a Tab press waited \(Date().timeIntervalSince(silentStart)) s on a silent server")
        }
    }
}

/// Half a second of 8 kHz silence as a WAV: a sample the sandbox accepts for a clone.
private func sampleWAV(in dir: URL) throws -> URL {
    let wav = dir.appendingPathComponent("take.wav")
    let pcm = [UInt8](repeating: 0, count: 8000)
    let le32 = { (v: Int) in (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
    try Data(Array("RIFF".utf8) + le32(36 + pcm.count) + Array("WAVEfmt ".utf8) + le32(16) + [1, 0, 1, 0] + le32(8000) + le32(16000)
             + [2, 0, 16, 0] + Array("data".utf8) + le32(pcm.count) + pcm).write(to: wav)
    return wav
}

/// Runs a program to its end with `env` added and returns its standard output (stderr discarded).
private func runToolSync(_ args: [String], env: [String: String]) throws -> String {
    let p = Child()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = args
    p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    p.standardInput = FileHandle.nullDevice
    try spawn(p)
    let data = readAll(out.fileHandleForReading)
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}
