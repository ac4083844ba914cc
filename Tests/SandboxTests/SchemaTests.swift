// Every JSON answer the sandbox gives validates against the official OpenAPI response schemas in
// Tests/API, and every stream-input message (both ways) against the official AsyncAPI file,
// checked by Python's jsonschema over traffic made by the real client and the real binary.
import Testing
import Foundation
import ElevenLabsAPI
import ElevenLabsSandbox
import TestSupport

private let george = "JBFqnCBsd6RMkjVDRZzb"

private struct DialogueRequestBody: Encodable { let inputs: [DialogueInput]; var model_id = "eleven_v3" }

@Suite struct SchemaTests {
    @Test func everyJSONAnswerMatchesTheOpenAPISchemas() async throws {
                let dir = try temporaryDirectory()
        let sample = dir.appendingPathComponent("sample.mp3")
        try Data(repeating: 0xAB, count: 2048).write(to: sample)

        let answers = try await withSandbox { sandbox in
            try await onThread { () -> SchemaCheck in
                let c = client(for: sandbox)
                let a = SchemaCheck()
                func get(_ path: String, _ template: String, query: [(String, String)] = []) throws {
                    let (head, body) = try c.collect(method: "GET", path: path, query: query)
                    try a.add(method: "get", path: template, status: head.status, body: Data(body))
                }
                try get("/v1/models", "/v1/models")
                try get("/v1/user", "/v1/user")
                try get("/v1/user/subscription", "/v1/user/subscription")
                try get("/v1/voices", "/v1/voices")
                try get("/v2/voices", "/v2/voices", query: [("page_size", "5"), ("search", "a")])
                try get("/v1/voices/\(george)", "/v1/voices/{voice_id}")
                try get("/v1/voices/\(george)/settings", "/v1/voices/{voice_id}/settings")
                try get("/v1/voices/settings/default", "/v1/voices/settings/default")

                var (head, body) = try c.collect(method: "POST", path: "/v1/voices/\(george)/settings/edit",
                                                 body: try ElevenLabsClient.jsonBody(["stability": 0.3, "speed": 1.1]))
                try a.add(method: "post", path: "/v1/voices/{voice_id}/settings/edit", status: head.status, body: Data(body))

                (head, body) = try c.collect(method: "POST", path: "/v1/voices/add", body: .multipart([
                    MultipartPart(name: "name", content: .text("My Clone")),
                    MultipartPart(name: "files", content: .file(path: sample.path, filename: "a.mp3", contentType: "audio/mpeg")),
                    MultipartPart(name: "files", content: .file(path: sample.path, filename: "b.mp3", contentType: "audio/mpeg")),
                    MultipartPart(name: "labels", content: .text(#"{"accent":"british"}"#)),
                ]))
                try a.add(method: "post", path: "/v1/voices/add", status: head.status, body: Data(body))
                let cloneID = try #require((try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])?["voice_id"] as? String)
                try get("/v1/voices/\(cloneID)", "/v1/voices/{voice_id}")
                (head, body) = try c.collect(method: "POST", path: "/v1/voices/\(cloneID)/edit", body: .multipart([
                    MultipartPart(name: "name", content: .text("Renamed")),
                ]))
                try a.add(method: "post", path: "/v1/voices/{voice_id}/edit", status: head.status, body: Data(body))
                (head, body) = try c.collect(method: "DELETE", path: "/v1/voices/\(cloneID)")
                try a.add(method: "delete", path: "/v1/voices/{voice_id}", status: head.status, body: Data(body))

                let tts = try ElevenLabsClient.jsonBody(["text": "Schemas keep us honest.", "model_id": "eleven_flash_v2_5"])
                (head, body) = try c.collect(method: "POST", path: "/v1/text-to-speech/\(george)/with-timestamps", body: tts)
                try a.add(method: "post", path: "/v1/text-to-speech/{voice_id}/with-timestamps", status: head.status, body: Data(body))
                (head, body) = try c.collect(method: "POST", path: "/v1/text-to-speech/\(george)/stream/with-timestamps", body: tts)
                for line in body.split(separator: 10) where !line.isEmpty {
                    try a.add(method: "post", path: "/v1/text-to-speech/{voice_id}/stream/with-timestamps", status: head.status, body: Data(Array(line)))
                }
                let bad = try c.send(method: "POST", path: "/v1/text-to-speech/\(george)", body: try ElevenLabsClient.jsonBody(["txt": 1]))
                #expect(bad.0.status == 422)
                try a.add(method: "post", path: "/v1/text-to-speech/{voice_id}", status: bad.0.status, body: Data(bad.1))

                try get("/v1/history", "/v1/history", query: [("page_size", "1")])
                let page = try c.json(HistoryPage.self, path: "/v1/history")
                let item = try #require(page.history.first)
                try get("/v1/history/\(item.historyItemID)", "/v1/history/{history_item_id}")
                (head, body) = try c.collect(method: "DELETE", path: "/v1/history/\(item.historyItemID)")
                try a.add(method: "delete", path: "/v1/history/{history_item_id}", status: head.status, body: Data(body))
                return a
            }
        }
        let result = try await answers.run()
        #expect(result.0 == 0, "\(result.1)")
        #expect(result.1.contains("0 failed"))
        #expect(answers.lines.count >= 20)
    }
}

extension SchemaTests {
    /// Text to dialogue and pronunciation dictionaries are not in the subset: their traffic is
    /// checked against the official OpenAPI (the subset in Tests/API, cut from it by make-subset.py), both what the sandbox answers and what the
    /// real binary sends (the dialogue bodies, the locators).
    @Test func dialogueAndDictionaryTrafficMatchesTheFullOpenAPI() async throws {
        let dir = try temporaryDirectory()
        let script = dir.appendingPathComponent("episode.txt")
        try "# cast: HOST=Sarah, GUEST=Roger\n\nHOST: Hello there.\n\nGUEST: Hi, and welcome.\n".write(to: script, atomically: true, encoding: .utf8)
        let lexicon = dir.appendingPathComponent("names.pls")
        try "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<lexicon version=\"1.0\" xmlns=\"http://www.w3.org/2005/01/pronunciation-lexicon\" alphabet=\"ipa\" xml:lang=\"en-US\"><lexeme><grapheme>Siobhan</grapheme><alias>Shivawn</alias></lexeme></lexicon>\n"
            .write(to: lexicon, atomically: true, encoding: .utf8)
        let check = SchemaCheck()
        try await withSandbox { sandbox in
            let env = sandboxEnv(sandbox, cacheIn: dir)
            let added = try await run("elevenlabs", ["dictionaries", "add", lexicon.path, "--name", "Names", "--json"], env: env)
            #expect(added.status == 0, "\(added.err)")
            let id = try #require((try JSONSerialization.jsonObject(with: added.stdout) as? [String: Any])?["id"] as? String)
            for (args, path) in [(["--captions", dir.appendingPathComponent("e.srt").path], "/v1/text-to-dialogue/stream/with-timestamps"),
                                 (["--stability", "0.4", "--seed", "7", "--language", "en", "--no-cache"], "/v1/text-to-dialogue/stream")] {
                let r = try await run("elevenlabs", ["speak", "--dialogue", script.path, "--dict", id, "-o", dir.appendingPathComponent("e.mp3").path] + args, env: env)
                #expect(r.status == 0, "\(r.err)")
                let sent = try #require(sandbox.requests.last { $0.path.hasPrefix("/v1/text-to-dialogue") })
                #expect(sent.path == path)
                try check.add(method: "post", path: path, body: sent.body, request: true)
            }
            let tts = try await run("elevenlabs", ["speak", "--dict", id, "--no-cache", "-o", dir.appendingPathComponent("t.mp3").path, "Siobhan waved."], env: env)
            #expect(tts.status == 0, "\(tts.err)")
            let sent = try #require(sandbox.requests.last { $0.path.hasPrefix("/v1/text-to-speech/") })
            try check.add(method: "post", path: "/v1/text-to-speech/{voice_id}/stream", body: sent.body, request: true)

            try await onThread {
                let c = client(for: sandbox)
                var (head, body) = try c.collect(method: "GET", path: "/v1/pronunciation-dictionaries")
                try check.add(method: "get", path: "/v1/pronunciation-dictionaries", status: head.status, body: Data(body))
                (head, body) = try c.collect(method: "GET", path: "/v1/pronunciation-dictionaries/\(id)")
                try check.add(method: "get", path: "/v1/pronunciation-dictionaries/{pronunciation_dictionary_id}", status: head.status, body: Data(body))
                (head, body) = try c.collect(method: "POST", path: "/v1/pronunciation-dictionaries/add-from-file", body: .multipart([
                    MultipartPart(name: "name", content: .text("Second")),
                    MultipartPart(name: "file", content: .file(path: lexicon.path, filename: "names.pls", contentType: "application/pls+xml")),
                ]))
                try check.add(method: "post", path: "/v1/pronunciation-dictionaries/add-from-file", status: head.status, body: Data(body))

                let dialogue = try ElevenLabsClient.jsonBody(DialogueRequestBody(inputs: [DialogueInput(text: "Hello there.", voiceID: george),
                                                                                          DialogueInput(text: "Hi!", voiceID: "EXAVITQu4vr4xnSDxMaL")]))
                (head, body) = try c.collect(method: "POST", path: "/v1/text-to-dialogue/with-timestamps", body: dialogue)
                #expect(head.status == 200)
                try check.add(method: "post", path: "/v1/text-to-dialogue/with-timestamps", status: head.status, body: Data(body))
                (head, body) = try c.collect(method: "POST", path: "/v1/text-to-dialogue/stream/with-timestamps", body: dialogue)
                #expect(head.status == 200)
                for line in body.split(separator: 10) where !line.isEmpty {
                    try check.add(method: "post", path: "/v1/text-to-dialogue/stream/with-timestamps", status: head.status, body: Data(Array(line)))
                }
                let bad = try c.send(method: "POST", path: "/v1/text-to-dialogue/stream", body: .bytes(Array(#"{"inputs":[{"text":1}]}"#.utf8), contentType: "application/json"))
                #expect(bad.0.status == 422)
                try check.add(method: "post", path: "/v1/text-to-dialogue/stream", status: bad.0.status, body: Data(bad.1))
                // The history keeps a dialogue with its lines.
                (head, body) = try c.collect(method: "GET", path: "/v1/history", query: [("page_size", "3")])
                try check.add(method: "get", path: "/v1/history", status: head.status, body: Data(body))
                let page = try c.json(HistoryPage.self, path: "/v1/history", query: [("page_size", "1")])
                let item = try #require(page.history.first)
                (head, body) = try c.collect(method: "GET", path: "/v1/history/\(item.historyItemID)")
                let parsed = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
                #expect((parsed["dialogue"] as? [[String: Any]])?.count == 2)
                try check.add(method: "get", path: "/v1/history/{history_item_id}", status: head.status, body: Data(body))
            }
        }
        let result = try await check.run()
        #expect(result.0 == 0, "\(result.1)")
        #expect(result.1.contains("0 failed"))
        #expect(check.lines.count >= 12)
    }

    /// Both sides of stream-input sessions, against Tests/API/elevenlabs-asyncapi.yml: the
    /// sandbox's messages, and the ones the real CLI sends for piped text (checked by Python's
    /// jsonschema, the Fern literals made enforceable; see validate_stream_input.py).
    @Test func everyStreamInputMessageMatchesTheAsyncAPI() async throws {
        let api = try #require(sharedAPIDirectory)
        try await withSandbox({ $0.faults.chunkSize = 3000 }) { sandbox in
            // The CLI, fed a pipe: BOS, sentences, flush at the paragraph, EOS.
            let text = "The first sentence goes out at once. A second follows it.\n\nA new paragraph, then the end."
            let r = try await run("elevenlabs", ["--device", "null", "-v", "George"], env: sandboxEnv(sandbox), stdin: Data(text.utf8))
            #expect(r.status == 0, "\(r.err)")
            // With a pronunciation dictionary: its locator, version resolved, in the first message.
            let pls = try temporaryDirectory().appendingPathComponent("names.pls")
            try "<lexicon version=\"1.0\" alphabet=\"ipa\"><lexeme><grapheme>Siobhan</grapheme><alias>Shivawn</alias></lexeme></lexicon>"
                .write(to: pls, atomically: true, encoding: .utf8)
            let added = try await run("elevenlabs", ["dictionaries", "add", pls.path, "--name", "Names", "--json"], env: sandboxEnv(sandbox))
            let dictionary = try #require((try JSONSerialization.jsonObject(with: added.stdout) as? [String: Any])?["id"] as? String)
            let withDict = try await run("elevenlabs", ["--device", "null", "--dict", dictionary], env: sandboxEnv(sandbox),
                                         stdin: Data("Siobhan says hello.\n".utf8))
            #expect(withDict.status == 0, "\(withDict.err)")
            let first = sandbox.requests.last { $0.path.hasSuffix("/stream-input") }?.messages.first ?? ""
            #expect(first.contains(#""pronunciation_dictionary_id":"\#(dictionary)""#) && first.contains(#""version_id":"#), "\(first)")
            // The core client, with sync_alignment and every optional first-message field.
            try await onThread {
                let ws = try client(for: sandbox).openWebSocket(path: "/v1/text-to-speech/\(george)/stream-input",
                                                               query: [("model_id", "eleven_flash_v2_5"), ("sync_alignment", "true")])
                try ws.sendText(#"{"text":" ","voice_settings":{"stability":0.4,"similarity_boost":0.7,"style":0.1,"use_speaker_boost":true,"speed":1.1},"generation_config":{"chunk_length_schedule":[50,120]}}"#)
                try ws.sendText(#"{"text":"Every message is checked against the official file. ","try_trigger_generation":true}"#)
                try ws.sendText(#"{"text":"Flushed now. ","flush":true}"#)
                try ws.sendText(#"{"text":""}"#)
                while true { if case .closed = try ws.receive(timeout: 10) { break } }
            }
            // And a refused one (the error shape is UNCONFIRMED; the validator counts it apart).
            try await onThread {
                let ws = try client(for: sandbox, key: "sk_wrong_key_99999999").openWebSocket(
                    path: "/v1/text-to-speech/\(george)/stream-input", query: [("model_id", "eleven_flash_v2_5")])
                try ws.sendText(#"{"text":" "}"#)
                while true { if case .closed = try ws.receive(timeout: 10) { break } }
            }
            let sessions = sandbox.requests.filter { $0.path.hasSuffix("/stream-input") }
            #expect(sessions.count == 4)
            #expect(sessions.allSatisfy { !$0.replies.isEmpty })
            let file = try temporaryDirectory().appendingPathComponent("sessions.ndjson")
            let lines = try sessions.map { s -> String in
                let parse = { (m: String) throws -> Any in try JSONSerialization.jsonObject(with: Data(m.utf8)) }
                let object: [String: Any] = ["client": try s.messages.map(parse), "server": try s.replies.map(parse)]
                return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
            }
            try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
            let script = repositoryRoot.appendingPathComponent("Tests/SandboxTests/validate_stream_input.py")
            let result = try await tool(["python3", script.path, api.appendingPathComponent("elevenlabs-asyncapi.yml").path, file.path])
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains(", 0 failed") && result.output.contains("(1 of the UNCONFIRMED error shape)"), "\(result.output)")
        }
    }
}
