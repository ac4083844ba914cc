// Pronunciation dictionaries (#20, part 2) through the binary against the sandbox: a .pls lexicon
// added from the shell, listed, applied with --dict (in order, latest version named for the cache),
// from the config file, and every local mistake refused before a request.
import Testing
import Foundation
import ElevenLabsSandbox
import TestSupport

@Suite struct DictionariesTests {
    let dir: URL
    init() throws { dir = try temporaryDirectory() }
    func env(_ sandbox: Sandbox) -> [String: String] { sandboxEnv(sandbox, cacheIn: dir) }

    func lexicon(_ name: String, lexemes: Int) throws -> URL {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<lexicon version=\"1.0\" xmlns=\"http://www.w3.org/2005/01/pronunciation-lexicon\" alphabet=\"ipa\" xml:lang=\"en-US\">\n"
        for i in 0..<lexemes { xml += "  <lexeme><grapheme>Name\(i)</grapheme><alias>Nay mee \(i)</alias></lexeme>\n" }
        xml += "</lexicon>\n"
        let url = dir.appendingPathComponent(name)
        try xml.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func locators(_ request: RecordedRequest) throws -> [[String: Any]]? {
        let body = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: Any])
        return body["pronunciation_dictionary_locators"] as? [[String: Any]]
    }

    @Test func addListShowAndSpeakWithADictionary() async throws {
        try await withSandbox { sandbox in
            let pls = try lexicon("names.pls", lexemes: 2)
            let added = try await run("elevenlabs", ["dictionaries", "add", pls.path, "--name", "Character names", "--json"], env: env(sandbox))
            #expect(added.status == 0, "\(added.err)")
            let info = try #require(try JSONSerialization.jsonObject(with: added.stdout) as? [String: Any])
            let id = try #require(info["id"] as? String)
            let version = try #require(info["version_id"] as? String)
            #expect(info["rules"] as? Int == 2)
            // The upload is real multipart: the name, and the file with its bytes.
            let upload = try #require(sandbox.requests.first { $0.path == "/v1/pronunciation-dictionaries/add-from-file" })
            #expect(upload.parts.first { $0.name == "name" }?.text == "Character names")
            #expect(upload.parts.first { $0.name == "file" }?.body == (try Data(contentsOf: pls)))

            let table = try await run("elevenlabs", ["dictionaries"], env: env(sandbox))
            #expect(table.status == 0)
            #expect(table.out.hasPrefix("ID") && table.out.contains(id) && table.out.contains("Character names") && table.out.contains(version))
            let show = try await run("elevenlabs", ["dictionaries", "show", id], env: env(sandbox))
            #expect(show.out.contains("rules: 2"))
            // And the rules themselves, as the lexicon wrote them.
            #expect(show.out.contains("  Name0 -> \"Nay mee 0\"\n") && show.out.contains("  Name1 -> \"Nay mee 1\"\n"), "\(show.out)")

            // --dict without a version: the latest is looked up and named, so cached audio is tied to it.
            let out = dir.appendingPathComponent("a.mp3")
            let speak = try await run("elevenlabs", ["speak", "--dict", id, "-o", out.path, "Name0 waved."], env: env(sandbox))
            #expect(speak.status == 0, "\(speak.err)")
            let tts = try #require(sandbox.requests.last { $0.path.hasPrefix("/v1/text-to-speech/") })
            let sent = try #require(try locators(tts))
            #expect(sent.count == 1)
            #expect(sent.first?["pronunciation_dictionary_id"] as? String == id && sent.first?["version_id"] as? String == version)
            #expect(FileManager.default.fileExists(atPath: out.path))

            // The same text without the dictionary is different audio: not served from the cache.
            let before = sandbox.requests.filter { $0.path.hasPrefix("/v1/text-to-speech/") }.count
            let plain = try await run("elevenlabs", ["speak", "-o", dir.appendingPathComponent("b.mp3").path, "Name0 waved."], env: env(sandbox))
            #expect(plain.status == 0)
            let last = try #require(sandbox.requests.last { $0.path.hasPrefix("/v1/text-to-speech/") })
            #expect(sandbox.requests.filter { $0.path.hasPrefix("/v1/text-to-speech/") }.count == before + 1)
            #expect(try locators(last) == nil)
            // And again with it: now it is.
            let again = try await run("elevenlabs", ["speak", "--dict", id, "-o", dir.appendingPathComponent("c.mp3").path, "Name0 waved."], env: env(sandbox))
            #expect(again.status == 0)
            #expect(sandbox.requests.filter { $0.path.hasPrefix("/v1/text-to-speech/") }.count == before + 1)
        }
    }

    @Test func dictionariesApplyInOrderFromOptionsOrConfig() async throws {
        try await withSandbox { sandbox in
            var ids: [String] = []
            for n in 0..<2 {
                let r = try await run("elevenlabs", ["dictionaries", "add", try lexicon("d\(n).pls", lexemes: 1).path, "--name", "D\(n)", "--json"], env: env(sandbox))
                ids.append(try #require((try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])?["id"] as? String))
            }
            let r = try await run("elevenlabs", ["speak", "--no-cache", "--dict", ids[1], "--dict", "\(ids[0]):v1x", "-o", dir.appendingPathComponent("x.mp3").path, "Hi."],
                                  env: env(sandbox))
            // A version that does not exist is the service's 404, reported with its message.
            #expect(r.status != 0)
            #expect(r.err.contains("not found"))
            let tts = try #require(sandbox.requests.last { $0.path.hasPrefix("/v1/text-to-speech/") })
            let sent = try #require(try locators(tts))
            #expect(sent.map { $0["pronunciation_dictionary_id"] as? String } == [ids[1], ids[0]])
            #expect(sent.last?["version_id"] as? String == "v1x")
            // --no-cache and no version: nothing to look up; the latest applies.
            #expect(sent.first?["version_id"] == nil || sent.first?["version_id"] is NSNull)

            let xdg = dir.appendingPathComponent("xdg")
            try FileManager.default.createDirectory(at: xdg.appendingPathComponent("elevenlabs"), withIntermediateDirectories: true)
            try "dictionary = \(ids[0]), \(ids[1])\n".write(to: xdg.appendingPathComponent("elevenlabs/config"), atomically: true, encoding: .utf8)
            var e = env(sandbox)
            e["XDG_CONFIG_HOME"] = xdg.path
            let fromConfig = try await run("elevenlabs", ["speak", "--no-cache", "-o", dir.appendingPathComponent("y.mp3").path, "Hi."], env: e)
            #expect(fromConfig.status == 0, "\(fromConfig.err)")
            let viaConfig = try #require(sandbox.requests.last { $0.path.hasPrefix("/v1/text-to-speech/") })
            #expect(try locators(viaConfig)?.map { $0["pronunciation_dictionary_id"] as? String } == [ids[0], ids[1]])
        }
    }

    @Test func mistakesAreRefusedBeforeAnyRequest() async throws {
        try await withSandbox { sandbox in
            let four = try await run("elevenlabs", ["speak", "--dict", "a", "--dict", "b", "--dict", "c", "--dict", "d", "-o", dir.appendingPathComponent("z.mp3").path, "Hi."], env: env(sandbox))
            #expect(four.status == 2)
            #expect(four.err.contains("at most 3 pronunciation dictionaries"))
            let bad = try await run("elevenlabs", ["speak", "--dict", "../x", "-o", dir.appendingPathComponent("z.mp3").path, "Hi."], env: env(sandbox))
            #expect(bad.status == 2)
            #expect(bad.err.contains("is not a dictionary id"))
            let notPLS = dir.appendingPathComponent("notes.txt")
            try "just words".write(to: notPLS, atomically: true, encoding: .utf8)
            let add = try await run("elevenlabs", ["dictionaries", "add", notPLS.path, "--name", "X"], env: env(sandbox))
            #expect(add.status != 0 && add.err.contains("not a pronunciation lexicon"))
            let noName = try await run("elevenlabs", ["dictionaries", "add", notPLS.path], env: env(sandbox))
            #expect(noName.status == 2 && noName.err.contains("--name"))
            #expect(sandbox.requests.isEmpty)
            let empty = try await run("elevenlabs", ["dictionaries"], env: env(sandbox))
            #expect(empty.status == 0 && empty.out.isEmpty && empty.err.contains("no pronunciation dictionaries yet"))
        }
    }
}
