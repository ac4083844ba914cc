// What a person sees at 120, 80, 60 and 40 columns (script(1) gives the binary a terminal, COLUMNS
// its width): help folded to the width in two columns, tables that cut descriptions but never ids,
// progress lines that never wrap and end in one summary line.
import Testing
import Foundation
import ElevenLabsSandbox
import TestSupport

@Suite struct TerminalWidthTests {
    /// The lines a command shows on a terminal `width` columns wide (colour and the pty's \r removed).
    func screen(_ command: String, width: Int, env: [String: String] = [:]) async throws -> [String] {
        let r = try await runShell("COLUMNS=\(width) \"$ELEVENLABS\" \(command)", env: env, terminal: true)
        return r.out.replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\u{1B}[1m", with: "")
            .replacingOccurrences(of: "\u{1B}[0m", with: "").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    @Test(arguments: [120, 80, 60, 40])
    func helpFitsTheTerminal(width: Int) async throws {
        for command in ["--help", "help speak", "help voices", "help options"] {
            let lines = try await screen(command, width: width)
            #expect(lines.count > 10, "\(command)")
            // Examples are command lines to copy: never folded, so they alone may pass the width.
            let long = lines.filter { $0.count > width && !$0.hasPrefix("  elevenlabs ") && !$0.hasPrefix("  fortune ") }
            #expect(long.isEmpty, "\(command) at \(width) columns: \(long.prefix(3))")
        }
        let top = try await screen("--help", width: width).joined(separator: "\n")
        #expect(top.contains("elevenlabs \"TEXT\"") && top.contains("--voice") && top.contains("ELEVENLABS_VOICE"))
    }

    @Test func tablesNeverCutIds() async throws {
        try await withSandbox { sandbox in
            let dir = try temporaryDirectory()
            let env = sandboxEnv(sandbox, cacheIn: dir)
            _ = try await run("elevenlabs", ["speak", "--device", "null", "A generation to list."], env: env)
            for width in [80, 60, 40] {
                let models = try await screen("models", width: width, env: env)
                #expect(models.contains { $0.hasPrefix("eleven_multilingual_v2 ") }, "models at \(width): \(models.prefix(3))")
                let voices = try await screen("voices", width: width, env: env)
                #expect(voices.contains { $0.hasPrefix("CwhRBWXzGAHq8TQ4Fs17 ") }, "voices at \(width)")
                let history = try await screen("history", width: width, env: env)
                #expect(history.dropFirst().first.map { $0.split(separator: " ").first?.count == 20 } == true, "history at \(width): \(history.prefix(2))")
            }
            // Voices sort by name, and names are whole.
            let names = try await screen("voices", width: 200, env: env).dropFirst().compactMap { $0.split(separator: " ", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } }
            #expect(names.first?.hasPrefix("Alice - Clear") == true, "\(names.prefix(2))")
        }
    }

    /// Help into a pipe: COLUMNS is the width when set (80 when not), examples are never folded, a
    /// command's help names the shared options once instead of describing them again, and each
    /// option is described as that command uses it (#31: `voices --help` described history's --search).
    @Test func pipedHelpHonoursColumnsAndKeepsExamplesWhole() async throws {
        let wide = try await run("elevenlabs", ["speak", "--help"], env: ["COLUMNS": "200"])
        #expect(wide.out.contains("\n  elevenlabs speak --format pcm_16000 -o - \"hi\" | aplay -r 16000 -f S16_LE -t raw -\n"), "\(wide.out)")
        #expect(wide.out.split(separator: "\n").contains { $0.count > 100 }, "COLUMNS=200 was not honoured")
        let narrow = try await run("elevenlabs", ["speak", "--help"], env: ["COLUMNS": "50"])
        #expect(narrow.out.contains("| aplay -r 16000 -f S16_LE -t raw -\n"), "an example was folded")
        #expect(narrow.out.split(separator: "\n").filter { !$0.hasPrefix("  elevenlabs ") && !$0.hasPrefix("  fortune ") }.allSatisfy { $0.count <= 50 })
        let piped = try await run("elevenlabs", ["voices", "--help"])
        #expect(piped.out.split(separator: "\n").allSatisfy { $0.count <= 80 })
        #expect(!piped.out.contains("Global options:") && piped.out.contains("'elevenlabs help options' describes them"), "\(piped.out)")
        #expect(!piped.out.contains("generations") && piped.out.contains("--json"), "voices --help: \(piped.out)")
        let history = try await run("elevenlabs", ["history", "--help"])
        #expect(history.out.contains("only generations whose text contains TEXT") && !history.out.contains("only voices whose"), "\(history.out)")
        let clone = try await run("elevenlabs", ["clone", "--help"])
        #expect(!clone.out.contains("dictionaries add:"), "\(clone.out)")
        let options = try await run("elevenlabs", ["help", "options"])
        #expect(options.status == 0 && options.out.contains("--connect-timeout SECONDS") && options.out.contains("--cacert FILE"))
    }

    /// Free text gives way first, names after it, ids, dates and numbers never; into a pipe, nothing is
    /// cut (#31: at 70 columns the history date was cut while its text kept 16 characters; models cut
    /// its languages even into a pipe).
    @Test func freeTextGivesWayFirstAndAPipeGetsEverything() async throws {
        try await withSandbox { sandbox in
            let dir = try temporaryDirectory()
            let env = sandboxEnv(sandbox, cacheIn: dir)
            _ = try await run("elevenlabs", ["speak", "--device", "null", "A generation with a text long enough to be cut in a table of seventy columns."], env: env)
            let history = try await screen("history", width: 70, env: env)
            let row = try #require(history.dropFirst().first)
            #expect(row.count <= 70, "\(row)")
            #expect(row.range(of: #"20\d\d-\d\d-\d\d \d\d:\d\d"#, options: .regularExpression) != nil, "the date was cut: \(row)")
            #expect(row.hasSuffix("…") && row.contains("George"), "the text gives way, the voice stays: \(row)")
            // Voices at 60: the labels give way before the names (whole here), the id is whole.
            let voices = try await screen("voices", width: 60, env: env)
            let roger = try #require(voices.first { $0.hasPrefix("CwhRBWXzGAHq8TQ4Fs17 ") })
            #expect(roger.count <= 60 && roger.contains("Roger - Laid"), "\(roger)")
            // Into a pipe: every language of every model, nothing cut.
            let piped = try await run("elevenlabs", ["models"], env: env)
            #expect(!piped.out.contains("…") && piped.out.contains("29: en, ja, zh, de"), "\(piped.out)")
            let all = try await run("elevenlabs", ["models", "--json", "model_id,languages"], env: env)
            let langs = (try JSONSerialization.jsonObject(with: all.stdout) as? [[String: Any]])?.first?["languages"] as? [String] ?? []
            #expect(langs.count == 29 && piped.out.contains(langs.joined(separator: ", ")), "\(langs.count)")
        }
    }

    /// Every state a progress line was drawn in (the pieces between carriage returns), escapes removed.
    func redraws(_ stderr: String) -> [String] {
        stderr.replacingOccurrences(of: "\u{1B}[K", with: "").split(whereSeparator: { $0 == "\r" || $0 == "\n" }).map(String.init)
    }

    @Test(arguments: [80, 40])
    func progressLinesFitAndEndInASummary(width: Int) async throws {
        try await withSandbox { sandbox in
            let dir = try temporaryDirectory()
            let env = sandboxEnv(sandbox, cacheIn: dir)
            var text = ""
            for n in 1...350 { text += "Sentence number \(n) of a text long enough for several requests. " }
            let book = dir.appendingPathComponent("book.txt")
            try text.write(to: book, atomically: true, encoding: .utf8)
            // A long text on a terminal: stderr is the pty, so the redraws are on the screen.
            let r = try await runShell("COLUMNS=\(width) \"$ELEVENLABS\" speak --yes --no-live -o \(dir.path)/book.mp3 -f \(book.path)", env: env, terminal: true, timeout: 120)
            let lines = redraws(r.out)
            let drawn = lines.filter { $0.contains("% of ") }
            #expect(drawn.count >= 2, "\(lines.prefix(5))")
            // The redraws never wrap; the summary is a plain line and may.
            #expect(lines.dropLast().allSatisfy { $0.count < width }, "\(lines.filter { $0.count >= width }.prefix(3))")
            #expect(lines.last?.contains("characters in several requests") == true, "\(lines.suffix(2))")
            // A batch of files.
            for n in 1...4 { try "File \(n) to speak.".write(to: dir.appendingPathComponent("in\(n).txt"), atomically: true, encoding: .utf8) }
            let b = try await runShell("COLUMNS=\(width) \"$ELEVENLABS\" speak --out-dir \(dir.path)/out \(dir.path)/in1.txt \(dir.path)/in2.txt \(dir.path)/in3.txt \(dir.path)/in4.txt", env: env, terminal: true)
            let blines = redraws(b.out)
            #expect(blines.contains { $0.contains("/4 files") }, "\(blines)")
            #expect(blines.dropLast().allSatisfy { $0.count < width }, "\(blines.filter { $0.count >= width })")
            #expect(blines.last?.contains("4 converted, 0 failed") == true, "\(blines.suffix(2))")
        }
    }

    @Test func progressIsQuietInScriptsUnlessAsked() async throws {
        try await withSandbox { sandbox in
            let dir = try temporaryDirectory()
            let env = sandboxEnv(sandbox, cacheIn: dir)
            var text = ""
            for n in 1...350 { text += "Sentence number \(n) of a text long enough for several requests. " }
            let quiet = try await run("elevenlabs", ["speak", "--yes", "--no-live", "-o", dir.appendingPathComponent("a.mp3").path, "-f", "-"],
                                      env: env, stdin: Data(text.utf8), timeout: 120)
            #expect(quiet.status == 0 && quiet.err.isEmpty, "\(quiet.err)")
            let asked = try await run("elevenlabs", ["speak", "--yes", "--no-live", "--no-cache", "--progress", "-o", dir.appendingPathComponent("b.mp3").path, "-f", "-"],
                                      env: env, stdin: Data(text.utf8), timeout: 120)
            #expect(asked.status == 0)
            #expect(redraws(asked.err).contains { $0.contains("% of ") }, "\(asked.err)")
            #expect(asked.err.hasSuffix("credits\n"), "\(asked.err)")
        }
    }
}
