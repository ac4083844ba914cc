// What a person sees at 120, 80, 60 and 40 columns (script(1) gives the binary a terminal, COLUMNS
// its width): help folded to the width in two columns, tables that cut descriptions but never ids.
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
        for command in ["--help", "help speak", "help voices"] {
            let lines = try await screen(command, width: width)
            #expect(lines.count > 10, "\(command)")
            let long = lines.filter { $0.count > width }
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
}
