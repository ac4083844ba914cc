// --help, the man page and the three completion files against the option table, both ways: every
// command and option is in each, and nothing is in them that the table does not have. The committed
// files must equal what Docs generates; ELEVENLABS_WRITE_DOCS=1 swift test --filter DocsTests rewrites them.
import Testing
import Foundation
@testable import ElevenLabsCLI
import TestSupport

/// Runs a helper program on its own thread: tests run on the cooperative pool, which must never block.
private func shell(_ args: [String]) async throws -> (Int32, String) {
    try await tool(args)
}

/// Every `--long-option` mentioned in a text: man pages escape dashes and switch fonts, and fish
/// names long options as `-l name`.
private func mentionedOptions(_ text: String) -> Set<String> {
    var plain = text.replacingOccurrences(of: "\\-", with: "-")
    for font in ["\\fB", "\\fR", "\\fI"] { plain = plain.replacingOccurrences(of: font, with: "") }
    var found: Set<String> = []
    for pattern in ["(?<![A-Za-z0-9-])--([a-z][a-z0-9-]*)", "complete -c elevenlabs[^\\n]* -l ([a-z][a-z0-9-]*)"] {
        let regex = try! NSRegularExpression(pattern: pattern)
        let range = NSRange(plain.startIndex..., in: plain)
        found.formUnion(regex.matches(in: plain, range: range).compactMap { Range($0.range(at: 1), in: plain).map { String(plain[$0]) } })
    }
    return found
}

@Suite(.serialized) struct DocsTests {
    @Test func committedFilesAreWhatTheTableGenerates() throws {
        for (path, content) in Docs.files() {
            let url = repositoryRoot.appendingPathComponent(path)
            if ProcessInfo.processInfo.environment["ELEVENLABS_WRITE_DOCS"] == "1" {
                try content.write(to: url, atomically: true, encoding: .utf8)
            }
            let committed = try String(contentsOf: url, encoding: .utf8)
            expectSameText(committed, content, "\(path) is stale: run ELEVENLABS_WRITE_DOCS=1 swift test --filter DocsTests")
        }
    }

    /// Code names options by OptionName; each name has exactly one row in the table, and no row is unnamed.
    @Test func everyOptionNameHasExactlyOneRow() {
        for name in OptionName.allCases {
            #expect(OptionTable.options.filter { $0.name == name }.count == 1, "--\(name.rawValue)")
        }
        #expect(OptionTable.options.count == OptionName.allCases.count)
    }

    @Test func everyOptionAndCommandIsDocumentedAndNothingElse() throws {
        let table = Set(OptionTable.options.map(\.long))
        let sampleTexts = ["--help text": OptionTable.commands.map { Help.text(for: $0.name) }.joined() + Help.text(for: nil)]
            .merging(Dictionary(uniqueKeysWithValues: Docs.files().map { ($0.path, $0.content) })) { a, _ in a }
        for (name, text) in sampleTexts {
            let mentioned = mentionedOptions(text)
            #expect(table.subtracting(mentioned).isEmpty, "\(name) misses \(table.subtracting(mentioned).sorted())")
            #expect(mentioned.subtracting(table).isEmpty, "\(name) mentions unknown \(mentioned.subtracting(table).sorted())")
            for c in OptionTable.commands { #expect(text.contains(c.name), "\(name) misses the command \(c.name)") }
        }
        // Each command's help lists exactly its own options and the global ones.
        for c in OptionTable.commands {
            let expected = Set(OptionTable.options(for: c.name).map(\.long))
            #expect(mentionedOptions(Help.text(for: c.name)) == expected, "\(c.name) --help")
        }
    }

    @Test func theManPageRendersWithoutWarnings() async throws {
        try requireTool("man")
        let page = repositoryRoot.appendingPathComponent("man/elevenlabs.1").path
        let (status, output) = try await shell(["groff", "-man", "-ww", "-z", page])
        #expect(status == 0 && output.isEmpty, "\(output)")
        let (_, text) = try await shell(["sh", "-c", "MANWIDTH=100 man -l \(page) 2>&1 | head -5"])
        #expect(text.contains("elevenlabs - speak text with ElevenLabs voices"))
    }

    @Test func theCompletionScriptsParse() async throws {
        let dir = repositoryRoot.appendingPathComponent("completions")
        for (shellName, file) in [("bash", "elevenlabs.bash"), ("zsh", "_elevenlabs"), ("fish", "elevenlabs.fish")] {
            let (status, output) = try await shell([shellName, "-n", dir.appendingPathComponent(file).path])
            #expect(status == 0, "\(shellName): \(output)")
        }
        // bash, for real: complete a subcommand and a --format value.
        let script = """
        source \(dir.appendingPathComponent("elevenlabs.bash").path)
        COMP_WORDS=(elevenlabs mod); COMP_CWORD=1; _elevenlabs; echo "${COMPREPLY[*]}"
        COMP_WORDS=(elevenlabs speak --format mp3_44100_1); COMP_CWORD=3; _elevenlabs; echo "${COMPREPLY[*]}"
        """
        let (_, out) = try await shell(["bash", "-c", script])
        let lines = out.split(separator: "\n")
        #expect(lines.first == "models")
        #expect(lines.dropFirst().first?.split(separator: " ").sorted() == ["mp3_44100_128", "mp3_44100_192"])
    }
}

extension DocsTests {
    @Test func installPutsEachFileWhereItBelongsAndUninstallRemovesThem() async throws {
        let stage = try temporaryDirectory()
        let script = repositoryRoot.appendingPathComponent("completions/install.sh").path
        let (status, output) = try await shell(["sh", script, "--prefix", "/usr", "--destdir", stage.path, "--build-dir", productsDirectory.path])
        #expect(status == 0, "\(output)")
        let expected = ["usr/bin/elevenlabs", "usr/bin/elevenlabs-sandbox", "usr/share/man/man1/elevenlabs.1",
                        "usr/share/bash-completion/completions/elevenlabs", "usr/share/zsh/site-functions/_elevenlabs",
                        "usr/share/fish/vendor_completions.d/elevenlabs.fish"]
        for path in expected { #expect(FileManager.default.fileExists(atPath: stage.appendingPathComponent(path).path), "\(path)") }
        let (version, text) = try await shell([stage.appendingPathComponent("usr/bin/elevenlabs").path, "--version"])
        #expect(version == 0 && text.hasPrefix("elevenlabs "))
        let (removed, _) = try await shell(["sh", script, "--prefix", "/usr", "--destdir", stage.path, "--uninstall"])
        #expect(removed == 0)
        for path in expected { #expect(!FileManager.default.fileExists(atPath: stage.appendingPathComponent(path).path), "\(path)") }
    }
}

extension DocsTests {
    /// Every environment variable the program's code reads is in --help and the man page.
    @Test func everyEnvironmentVariableTheCodeReadsIsDocumented() throws {
        let pattern = try NSRegularExpression(pattern: #"(?:environment|env)\["([A-Z_]+)"\]|getenv\("([A-Z_]+)"\)|ProcessEnvironment\.value\("([A-Z_]+)"\)"#)
        var read: Set<String> = []
        for dir in ["Sources/ElevenLabsCLI", "Sources/ElevenLabsAPI", "Sources/AudioPlayback", "Sources/elevenlabs"] {
            let root = repositoryRoot.appendingPathComponent(dir)
            let files = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
            for f in files {
                let text = try String(contentsOf: root.appendingPathComponent(f), encoding: .utf8)
                for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    for g in 1...3 { if let r = Range(m.range(at: g), in: text) { read.insert(String(text[r])) } }
                }
            }
        }
        #expect(read.count >= 10, "\(read)")
        let help = Help.text(for: nil), man = Docs.manPage()
        for name in read.sorted() {
            #expect(help.contains(name), "--help does not mention \(name)")
            #expect(man.contains(name), "the man page does not mention \(name)")
        }
    }
}
