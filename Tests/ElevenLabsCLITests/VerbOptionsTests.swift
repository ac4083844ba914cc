// The option × verb walk (#27, beyond speak): every option of every other command, on each of its
// verbs, through CLI.main in-process against the sandbox: an option the verb does not honour
// (VerbOptions) is refused with exit 2 before any request, naming the option; one it honours is
// never refused for that reason.
import Testing
import Foundation
import AudioPlayback
import ElevenLabsSandbox
import TestSupport
@testable import ElevenLabsCLI

@Suite struct VerbOptionsTests {
    /// A value each option accepts.
    static let samples: [OptionName: String] = [
        .search: "Ro", .category: "premade", .gender: "male", .accent: "american", .age: "young", .language: "en",
        .stability: "0.5", .similarityBoost: "0.5", .style: "0.2", .speed: "1.1", .limit: "3", .model: "eleven_multilingual_v2",
        .voice: "Roger", .after: "2020-01-01", .before: "2040-01-01", .name: "Renamed", .label: "accent=irish", .description: "described",
    ]

    @Test func everyOptionOfEveryVerbIsHonouredOrRefusedBeforeAnyRequest() async throws {
        try await withSandbox { sandbox in
            let dir = try temporaryDirectory()
            var env = sandboxEnv(sandbox, cacheIn: dir)
            env["XDG_CONFIG_HOME"] = dir.appendingPathComponent("config").path
            env["HOME"] = dir.path
            func main(_ args: [String]) async throws -> (ExitCode, String, String) {
                let out = ElevenLabsCLI.OutputStream(capturing: ()), err = ElevenLabsCLI.OutputStream(capturing: ())
                let ctx = Context(stdout: out, stderr: err, stdinFD: open("/dev/null", O_RDONLY), environment: env,
                                  stdoutIsTerminal: false, stderrIsTerminal: false, stdinIsTerminal: false, makeSink: { _ in MemorySink() })
                let code = try await onThread { CLI.main(args, context: ctx) }
                return (code, out.capturedText, err.capturedText)
            }
            // A generation and a dictionary to act on.
            #expect(try await main(["speak", "A generation."]).0 == .ok)
            let listed = try await main(["history", "--json"]).1
            let id = (try JSONSerialization.jsonObject(with: Data(listed.utf8)) as? [[String: Any]])?.first?["history_item_id"] as? String ?? "?"
            let wav = dir.appendingPathComponent("take.wav")
            try writeSilentWAV(to: wav)
            let pls = dir.appendingPathComponent("names.pls")
            try #"<?xml version="1.0" encoding="UTF-8"?><lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="en-US"><lexeme><grapheme>A</grapheme><alias>Ay</alias></lexeme></lexicon>"#
                .write(to: pls, atomically: true, encoding: .utf8)

            let verbs: [String: [String: [String]]] = [
                "voices": ["list": ["voices"], "search": ["voices", "search", "Ro"], "show": ["voices", "show", "Roger"], "settings": ["voices", "settings", "Roger"],
                           "delete": ["voices", "delete", "No Such Voice"], "preview": ["voices", "preview", "Roger"]],
                "history": ["list": ["history"], "search": ["history", "search", "generation"], "show": ["history", "show", id], "play": ["history", "play", id],
                            "save": ["history", "save", id], "download": ["history", "download", id], "delete": ["history", "delete", "NoSuchItem00000000000"]],
                "clone": ["": ["clone", "Probe Voice", wav.path], "edit": ["clone", "edit", "No Such Voice"]],
                "dictionaries": ["list": ["dictionaries"], "show": ["dictionaries", "show", "nosuchdictionary"], "add": ["dictionaries", "add", pls.path]],
                "config": ["show": ["config"], "set": ["config", "set", "model", "eleven_v3"], "unset": ["config", "unset", "model"], "path": ["config", "path"]],
                "cache": ["info": ["cache"], "clear": ["cache", "clear"], "path": ["cache", "path"]],
                "models": ["": ["models"]], "user": ["": ["user"]], "version": ["": ["version"]], "completion": ["": ["completion", "bash"]],
            ]
            #expect(Set(verbs.keys) == Set(VerbOptions.honours.keys))
            var refused = 0, honoured = 0
            for (command, byVerb) in verbs.sorted(by: { $0.key < $1.key }) {
                #expect(Set(byVerb.keys) == Set(VerbOptions.honours[command]?.keys.map { $0 } ?? []), "\(command)")
                let options = OptionTable.options(for: command).filter { !$0.isGlobal || $0.name == .json }
                for (verb, base) in byVerb.sorted(by: { $0.key < $1.key }) {
                    for o in options {
                        var given = ["--\(o.long)"]
                        if o.takesValue {
                            switch o.name {
                            case .output: given.append(dir.appendingPathComponent("out-\(command)-\(verb).mp3").path)
                            case .outDir: given.append(dir.appendingPathComponent("dl-\(command)-\(verb)").path)
                            case .device: given.append("null")
                            default: given.append(Self.samples[o.name] ?? "x")
                            }
                        }
                        let args = base + given
                        let before = sandbox.requests.count
                        let (code, _, err) = try await main(args)
                        let what = args.joined(separator: " ")
                        if VerbOptions.honours[command]?[verb]?.contains(o.name) == true {
                            honoured += 1
                            #expect(!err.contains("does not apply"), "\(what): refused though '\(command) \(verb)' honours it: \(err)")
                        } else {
                            refused += 1
                            #expect(code == .usage && err.contains("--\(o.long)") && err.contains("does not apply"), "\(what): \(code) \(err)")
                            #expect(sandbox.requests.count == before, "\(what): a request was made before the refusal")
                        }
                    }
                }
            }
            #expect(honoured > 30 && refused > 30, "\(honoured) honoured, \(refused) refused")
        }
    }
}
