// Every day after, round two (#31), through the real binary against the sandbox: JSON as gh prints
// it (fields in the table's order, a selection, a list of the fields), the cache as a command,
// tables whose free text gives way first, outputs that behave like curl's and gh's, and one
// did-you-mean for every enumerated value.
import Testing
import Foundation
import ElevenLabsSandbox
import TestSupport
@testable import ElevenLabsCLI

@Suite struct EverydayTests {
    let dir: URL
    init() throws { dir = try temporaryDirectory() }
    func env(_ sandbox: Sandbox) -> [String: String] {
        var e = sandboxEnv(sandbox, cacheIn: dir)
        e["XDG_CONFIG_HOME"] = dir.appendingPathComponent("config").path
        e["HOME"] = dir.path
        return e
    }
    func keys(_ json: String) -> [[String]] {
        // Keys in the order printed: each `"key" : ` at the objects' first level of indentation.
        let lines = json.split(separator: "\n").map(String.init)
        var objects: [[String]] = [], current: [String] = []
        let depth = json.hasPrefix("[") ? 4 : 2
        for line in lines {
            let indent = line.prefix { $0 == " " }.count
            if indent == depth, line.dropFirst(indent).hasPrefix("\""), let end = line.range(of: "\" : ") {
                current.append(String(line[line.index(line.startIndex, offsetBy: indent + 1)..<end.lowerBound]))
            }
            if indent == depth - 2 && line.dropFirst(indent).hasPrefix("}") { objects.append(current); current = [] }
        }
        return objects
    }

    /// Every listing's JSON: its fields printed in the declared (table) order, no field that `--json ?`
    /// does not list, a selection printing just those fields in that order, and a slip refused by name.
    @Test func jsonPrintsTheTablesFieldsAndSelectsThem() async throws {
        try await withSandbox { sandbox in
            let e = env(sandbox)
            #expect(try await run("elevenlabs", ["speak", "A generation.", "-o", dir.appendingPathComponent("a.mp3").path], env: e).status == 0)
            let pls = dir.appendingPathComponent("names.pls")
            try #"<?xml version="1.0" encoding="UTF-8"?><lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="en-US"><lexeme><grapheme>A</grapheme><alias>Ay</alias></lexeme></lexicon>"#
                .write(to: pls, atomically: true, encoding: .utf8)
            #expect(try await run("elevenlabs", ["dictionaries", "add", pls.path, "--name", "Names"], env: e).status == 0)
            let listings: [(String, [String])] = [
                ("voices list", ["voices"]), ("voices show", ["voices", "show", "Roger"]), ("voices settings", ["voices", "settings", "Roger"]),
                ("history list", ["history"]), ("models", ["models"]), ("dictionaries list", ["dictionaries"]),
                ("user", ["user"]), ("config show", ["config"]), ("version", ["version"]), ("cache info", ["cache"]),
            ]
            for (key, args) in listings {
                let declared = JSONFields.outputs[key]!
                let all = try await run("elevenlabs", args + ["--json"], env: e)
                #expect(all.status == 0, "\(args): \(all.err)")
                #expect(!keys(all.out).isEmpty && keys(all.out).allSatisfy { !$0.isEmpty }, "\(key): no objects read from \(all.out.prefix(200))")
                for object in keys(all.out) {
                    #expect(object.allSatisfy(declared.contains), "\(key): fields not listed by --json ?: \(object.filter { !declared.contains($0) })")
                    #expect(object == declared.filter(object.contains), "\(key): not in the table's order: \(object)")
                }
                let listed = try await run("elevenlabs", args + ["--json", "?"], env: e)
                #expect(listed.status == 0 && listed.out == declared.map { $0 + "\n" }.joined(), "\(key): \(listed.out)")
                // Asked in reverse, printed in the table's order.
                let two = Array(declared.prefix(2))
                let some = try await run("elevenlabs", args + ["--json", two.reversed().joined(separator: ",")], env: e)
                #expect(some.status == 0, "\(key): \(some.err)")
                for object in keys(some.out) { #expect(object == two.filter(object.contains) && !object.isEmpty, "\(key): \(object)") }
            }
            let voices = try await run("elevenlabs", ["voices", "--json", "name,voise_id"], env: e)
            #expect(voices.status == 2 && voices.err.contains("no field 'voise_id'; did you mean 'voice_id'?"), "\(voices.err)")
            // A list on an output without fields is refused, and the word after a plain --json of a
            // command without fields stays text.
            let speak = try await run("elevenlabs", ["speak", "--dry-run", "--json=characters", "Some words here."], env: e)
            #expect(speak.status == 2 && speak.err.contains("takes no field list"), "\(speak.err)")
            // config is an object keyed by setting; version and voices show carry what their text shows.
            let config = try JSONSerialization.jsonObject(with: Data(try await run("elevenlabs", ["config", "--json"], env: e).stdout)) as? [String: [String: String]]
            #expect(config?["voice"]?["source"] == "default" && config?["model"]?["value"] != nil, "\(String(describing: config))")
            let version = try JSONSerialization.jsonObject(with: Data(try await run("elevenlabs", ["version", "--json"], env: e).stdout)) as? [String: Any]
            #expect(version?["version"] as? String == BuildInfo.version && version?["libcurl"] != nil)
            let show = try JSONSerialization.jsonObject(with: Data(try await run("elevenlabs", ["voices", "show", "Roger", "--json"], env: e).stdout)) as? [String: Any]
            #expect(show?["settings"] is [String: Any], "voices show --json lacks the settings its table shows")
            // The list's rows in the table's order (by name).
            let names = (try JSONSerialization.jsonObject(with: Data(try await run("elevenlabs", ["voices", "--json", "name"], env: e).stdout)) as? [[String: String]])?.compactMap { $0["name"] } ?? []
            #expect(!names.isEmpty && names == names.sorted { $0.lowercased() < $1.lowercased() })
        }
    }

    /// `elevenlabs cache`: what it holds in sizes people read, its place, and clearing it; the cap
    /// from the config file (`config set cache_max_mb`), checked when set.
    @Test func theCacheIsACommandWithSizesPeopleRead() async throws {
        try await withSandbox { sandbox in
            let e = env(sandbox)
            #expect(try await run("elevenlabs", ["speak", "Cached words.", "-o", dir.appendingPathComponent("c.mp3").path], env: e).status == 0)
            let info = try await run("elevenlabs", ["cache"], env: e)
            #expect(info.status == 0 && info.out.hasPrefix("1 cached audio entry, ") && info.out.contains(" KiB of 512 MiB, in \(dir.path)/cache/elevenlabs/audio"), "\(info.out)")
            #expect(try await run("elevenlabs", ["cache", "path"], env: e).out == "\(dir.path)/cache/elevenlabs/audio\n")
            let set = try await run("elevenlabs", ["config", "set", "cache_max_mb", "100"], env: e)
            #expect(set.status == 0, "\(set.err)")
            #expect(try await run("elevenlabs", ["cache"], env: e).out.contains(" of 100 MiB"))
            let config = try await run("elevenlabs", ["config"], env: e)
            #expect(config.out.contains("cache_max_mb  100") && config.out.contains("config:1"), "\(config.out)")
            let bad = try await run("elevenlabs", ["config", "set", "cache_max_mb", "lots"], env: e)
            #expect(bad.status == 2 && bad.err.contains("cache_max_mb must be a number of MiB"), "\(bad.err)")
            let cleared = try await run("elevenlabs", ["cache", "clear"], env: e)
            #expect(cleared.status == 0 && cleared.out.hasPrefix("removed 1 cached audio entry ("), "\(cleared.out)")
            #expect(try await run("elevenlabs", ["cache"], env: e).out.hasPrefix("0 cached audio entries, 0 bytes of 100 MiB"))
            let slip = try await run("elevenlabs", ["cache", "clera"], env: e)
            #expect(slip.status == 2 && slip.err.contains("did you mean 'clear'?"), "\(slip.err)")
        }
    }

    /// One did-you-mean for every enumerated value, and nothing sent for a slip: label filters look at
    /// the values the account's voices have, a cast voice is suggested as `-v` suggests it, and a
    /// language must be one the model speaks.
    @Test func everyEnumeratedValueSuggestsTheNearest() async throws {
        try await withSandbox { sandbox in
            let e = env(sandbox)
            let script = dir.appendingPathComponent("s.txt")
            try "GUEST: Hello there.\n\nHOST: Hi.\n".write(to: script, atomically: true, encoding: .utf8)
            let cases: [([String], String)] = [
                (["voices", "--gender", "femal"], "no voice has the gender 'femal'; did you mean 'female'?"),
                (["voices", "--age", "midle_aged"], "did you mean 'middle_aged'?"),
                (["voices", "--category", "clone"], "did you mean 'cloned'?"),
                (["speak", "-m", "flahs", "Some words to say."], "did you mean 'flash'?"),
                (["speak", "-v", "Brain", "Some words to say."], "did you mean 'Brian'?"), // exit 1: the account has no such voice
                (["speak", "--dialogue", script.path, "--cast", "GUEST=Brain", "--cast", "HOST=Roger"], "did you mean 'Brian'?"),
                (["speak", "--language", "xx", "-m", "flash", "Some words to say."], "eleven_flash_v2_5 does not speak 'xx'"),
                (["speak", "--language", "xx", "-m", "flash", "--out-dir", dir.appendingPathComponent("o").path, script.path], "does not speak 'xx'"),
            ]
            for (args, expected) in cases {
                let r = try await run("elevenlabs", args + ["-o", dir.appendingPathComponent("x.mp3").path].filter { _ in args[0] == "speak" && !args.contains("--out-dir") }, env: e)
                #expect(r.status == (args.contains("-v") ? 1 : 2) && r.err.contains(expected), "\(args): \(r.status) \(r.err)")
            }
            #expect(!sandbox.requests.contains { $0.method == "POST" }, "a slip was bought")
            // A value the account has, in a combination nothing matches, is only "no voices match".
            let none = try await run("elevenlabs", ["voices", "--gender", "female", "--age", "old", "--accent", "australian"], env: e)
            #expect(none.status == 0 && none.err.contains("no voices match"), "\(none.err)")
            let spoken = try await run("elevenlabs", ["speak", "--language", "de", "-m", "flash", "-o", dir.appendingPathComponent("de.mp3").path, "Guten Tag."], env: e)
            #expect(spoken.status == 0, "\(spoken.err)")
        }
    }

    /// `history download` twice leaves one file, named the same each time (letters of every script
    /// kept), skipped the second time and replaced with --clobber; every output (-o, --captions,
    /// --out-dir, history save and download) makes a missing last directory and refuses a deeper
    /// missing path, before anything is bought, unless --create-dirs.
    @Test func downloadsAreIdempotentAndMissingDirectoriesFollowOneRule() async throws {
        try await withSandbox { sandbox in
            let e = env(sandbox)
            #expect(try await run("elevenlabs", ["speak", "Siobhán met Tomás at the café.", "-o", dir.appendingPathComponent("s.mp3").path], env: e).status == 0)
            let listed = try await run("elevenlabs", ["history", "--json", "history_item_id", "--limit", "1"], env: e)
            let id = try #require((try JSONSerialization.jsonObject(with: listed.stdout) as? [[String: String]])?.first?["history_item_id"])
            let out = dir.appendingPathComponent("takes").path // missing: the last level is made
            let first = try await run("elevenlabs", ["history", "download", id, "--out-dir", out], env: e)
            #expect(first.status == 0, "\(first.err)")
            let name = first.out.trimmingCharacters(in: .newlines)
            #expect(name.hasPrefix(out + "/") && name.contains("siobhán-met-tomás-at-the-café") && name.hasSuffix("_\(id.prefix(8)).mp3"), "\(name)")
            let audio = sandbox.requests.filter { $0.path.hasSuffix("/audio") }.count
            let second = try await run("elevenlabs", ["history", "download", id, "--out-dir", out], env: e)
            #expect(second.status == 0 && second.out == first.out && second.err.contains("already in"), "\(second.err)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: out).count == 1)
            #expect(sandbox.requests.filter { $0.path.hasSuffix("/audio") }.count == audio, "a file already there was downloaded again")
            let clobber = try await run("elevenlabs", ["history", "download", id, "--out-dir", out, "--clobber"], env: e)
            #expect(clobber.status == 0 && sandbox.requests.filter { $0.path.hasSuffix("/audio") }.count == audio + 1)
            #expect(try FileManager.default.contentsOfDirectory(atPath: out).count == 1)

            // A deeper missing path: refused (exit 3) for every output, with nothing bought or made.
            let deep = dir.appendingPathComponent("typo/deeper").path
            let text = "Words for a deep path."
            let refusedRuns: [[String]] = [
                ["speak", text, "-o", deep + "/x.mp3"], ["speak", text, "-o", dir.appendingPathComponent("ok.mp3").path, "--captions", deep + "/x.srt"],
                ["speak", "--out-dir", deep, dir.appendingPathComponent("in.txt").path], ["history", "save", id, "-o", deep + "/x.mp3"],
                ["history", "download", id, "--out-dir", deep], ["voices", "preview", "Roger", "-o", deep + "/p.mp3"],
            ]
            try "Words in a file.".write(to: dir.appendingPathComponent("in.txt"), atomically: true, encoding: .utf8)
            let posts = sandbox.requests.filter { $0.method == "POST" }.count
            for args in refusedRuns {
                let r = try await run("elevenlabs", args, env: e)
                #expect(r.status == 3 && r.err.contains("does not exist, nor does") && r.err.contains("--create-dirs"), "\(args): \(r.status) \(r.err)")
            }
            #expect(sandbox.requests.filter { $0.method == "POST" }.count == posts, "a refused output was bought")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("typo").path))
            // With --create-dirs each is made.
            for args in refusedRuns {
                let r = try await run("elevenlabs", args + ["--create-dirs"], env: e)
                #expect(r.status == 0, "\(args) --create-dirs: \(r.err)")
            }
            #expect(FileManager.default.fileExists(atPath: deep + "/x.mp3") && FileManager.default.fileExists(atPath: deep + "/x.srt"))
            // One missing level is made without asking.
            let one = try await run("elevenlabs", ["speak", text, "-o", dir.appendingPathComponent("fresh/x.mp3").path], env: e)
            #expect(one.status == 0 && FileManager.default.fileExists(atPath: dir.appendingPathComponent("fresh/x.mp3").path), "\(one.err)")
        }
    }

    /// The refusal and `--dry-run` price one text with one function: the parts as they will be sent,
    /// less what the cache holds (#31: 12,001 against 11,994 credits).
    @Test func theRefusalAndTheDryRunNameOneFigure() async throws {
        let text = (1...250).map { "Sentence number \(1000 + $0) costs its characters." }.joined(separator: "  \n ")
        try await withSandbox({ $0.characterLimit = 10_000 }) { sandbox in
            let e = env(sandbox)
            let out = dir.appendingPathComponent("q.mp3").path
            let plan = try await run("elevenlabs", ["speak", "--dry-run", "--json", "-o", out, "-m", "eleven_multilingual_v2", text], env: e)
            let credits = try #require((try JSONSerialization.jsonObject(with: plan.stdout) as? [String: Any])?["credits"] as? Int, "\(plan.out)\(plan.err)")
            #expect(credits > 10_000)
            let refused = try await run("elevenlabs", ["speak", "-o", out, "-m", "eleven_multilingual_v2", text], env: e)
            #expect(refused.status == 5 && refused.err.contains("needs about \(Output.grouped(credits)) credits"), "plan said \(credits): \(refused.err)")
            #expect(sandbox.creditsUsed == 0)
        }
    }

    /// Ctrl-C in a long text ends the progress line and says where it stopped: the share done, and
    /// that the parts bought are cached (#31: the prompt landed on the unfinished line).
    @Test func ctrlCInALongTextSaysWhereItStopped() async throws {
        let text = (1...160).map { "Sentence \($0) of a text that needs several requests of the model." }.joined(separator: " ")
        let errors = dir.appendingPathComponent("stderr.txt")
        try await withSandbox({ $0.faults.chunkSize = 2000; $0.faults.chunkDelay = 0.05 }) { sandbox in
            let e = env(sandbox)
            let status = try await onThread { () -> Int32 in
                let p = Child()
                p.executableURL = binary("elevenlabs")
                p.arguments = ["speak", "--progress", "-m", "eleven_v3", "-o", self.dir.appendingPathComponent("long.mp3").path, text]
                p.environment = childEnvironment(e)
                #expect(FileManager.default.createFile(atPath: errors.path, contents: nil))
                p.standardError = try FileHandle(forWritingTo: errors)
                try spawn(p)
                let deadline = Date().addingTimeInterval(60)
                while Date() < deadline && !((try? String(contentsOf: errors, encoding: .utf8))?.contains("% of") ?? false) {
                    Thread.sleep(forTimeInterval: 0.02)
                }
                kill(p.processIdentifier, SIGINT)
                p.waitUntilExit()
                return p.terminationStatus
            }
            #expect(status == 130)
            let said = try String(contentsOf: errors, encoding: .utf8)
            #expect(said.range(of: #"\nelevenlabs: interrupted: \d+% of [\d,]+ characters done in \d+ parts?; the parts bought are cached, so a rerun buys only the rest\n$"#,
                               options: .regularExpression) != nil, "\(said.suffix(300))")
        }
    }
}
