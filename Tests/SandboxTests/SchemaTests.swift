// Every JSON answer the sandbox gives validates against the official OpenAPI response schemas in
// ../shared/api, checked by Python's jsonschema (a well-kept validator) over answers fetched with
// the real client over a real socket.
import Testing
import Foundation
import ElevenLabsAPI
import ElevenLabsSandbox
import TestSupport

private let george = "JBFqnCBsd6RMkjVDRZzb"

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
