// The sandbox behaves like the service: real audio encodings sized by the text, credits and quota,
// plan gating, concurrency, injected faults, history paging, multipart parsing, the zip download.
import Testing
import Foundation
import ElevenLabsAPI
@testable import ElevenLabsSandbox
import TestSupport

private let george = "JBFqnCBsd6RMkjVDRZzb"

private func speak(_ c: ElevenLabsClient, _ text: String, format: String? = nil, stream: Bool = true,
                   model: String = "eleven_multilingual_v2") throws -> (ResponseHead, [UInt8]) {
    try c.collect(method: "POST", path: "/v1/text-to-speech/\(george)" + (stream ? "/stream" : ""),
                  query: format.map { [("output_format", $0)] } ?? [],
                  body: try ElevenLabsClient.jsonBody(["text": text, "model_id": model]))
}

@Suite struct SandboxBehaviourTests {
    @Test func mp3IsWholeFramesAndGrowsWithTheText() async throws {
        try await withSandbox { sandbox in
            let (short, long) = try await onThread {
                let c = client(for: sandbox)
                return (try speak(c, String(repeating: "a", count: 30)).1, try speak(c, String(repeating: "a", count: 300)).1)
            }
            // Checked by mpg123, not by the sandbox's own frame splitter: whole valid frames, and
            // 30 characters last 2 s and 300 last 20 s (15 characters a second), within a frame.
            let a = try await expectWholeMP3(short, "30 characters")
            let b = try await expectWholeMP3(long, "300 characters")
            #expect(a.sampleRate == 44100 && a.channels == 1)
            #expect(abs(a.seconds - 2.0) < 0.03, "\(a.seconds) s")
            #expect(abs(b.seconds - 20.0) < 0.03, "\(b.seconds) s")
        }
    }

    @Test func everyFormatHasItsRealEncoding() async throws {
        try await withSandbox({ $0.tier = "pro" }) { sandbox in
            let results = try await onThread { () -> [String: (String, [UInt8])] in
                let c = client(for: sandbox)
                var out: [String: (String, [UInt8])] = [:]
                for f in ["pcm_16000", "ulaw_8000", "alaw_8000", "mp3_22050_32"] {
                    let (h, b) = try speak(c, String(repeating: "x", count: 15), format: f)
                    out[f] = (h.contentType ?? "", b)
                }
                let (h, b) = try speak(c, String(repeating: "x", count: 15), format: "wav_44100", stream: false)
                out["wav_44100"] = (h.contentType ?? "", b)
                return out
            }
            #expect(results["pcm_16000"]!.1.count == 32_000)      // 1 s of 16-bit mono at 16 kHz
            #expect(results["ulaw_8000"]!.1.count == 8_000)
            #expect(results["alaw_8000"]!.1.count == 8_000)
            let wav = results["wav_44100"]!.1
            #expect(Array(wav[0..<4]) == Array("RIFF".utf8) && Array(wav[8..<12]) == Array("WAVE".utf8))
            #expect(wav.count == 44 + 88_200)
            #expect(results["mp3_22050_32"]!.0 == "audio/mpeg")
            #expect(results["pcm_16000"]!.0 == "audio/pcm")
        }
    }

    @Test func wavIsRefusedOnTheStreamingEndpoint() async throws {
        try await withSandbox { sandbox in
            let e = try await onThread { () -> APIError? in
                do { _ = try speak(client(for: sandbox), "hi", format: "wav_16000"); return nil } catch let e as APIError { return e }
            }
            #expect(e?.httpStatus == 422)
            #expect(e?.validation.first?.location == ["query", "output_format"])
        }
    }

    @Test func creditsAreChargedAndQuotaRefusesWith401() async throws {
        try await withSandbox({ $0.characterLimit = 90 }) { sandbox in
            let outcome = try await onThread { () -> (String?, String?, APIError?) in
                let c = client(for: sandbox)
                let flash = try speak(c, String(repeating: "b", count: 40), model: "eleven_flash_v2_5").0
                let full = try speak(c, String(repeating: "b", count: 40)).0
                do { _ = try speak(c, String(repeating: "b", count: 40)); return (nil, nil, nil) } catch let e as APIError {
                    return (flash.value(for: "character-cost"), full.value(for: "character-cost"), e)
                }
            }
            #expect(outcome.0 == "20")
            #expect(outcome.1 == "40")
            #expect(outcome.2?.httpStatus == 401)
            #expect(outcome.2?.code == "quota_exceeded")
            #expect(outcome.2?.message == "This request exceeds your quota of 90. You have 30 credits remaining, while 40 credits are required for this request.")
            #expect(sandbox.creditsUsed == 60)
        }
    }

    @Test func formatsAboveThePlanAreRefusedWith403() async throws {
        try await withSandbox({ $0.tier = "creator" }) { sandbox in
            let e = try await onThread { () -> APIError? in
                do { _ = try speak(client(for: sandbox), "hi", format: "pcm_44100"); return nil } catch let e as APIError { return e }
            }
            #expect(e?.httpStatus == 403)
            #expect(e?.code == "output_format_not_allowed")
            #expect(e?.message == "Requested output format pcm_44100 (PCM at 44100hz) is only allowed for Pro tier and above.")
        }
    }

    @Test func injectedFaultsComeInOrderThenSuccess() async throws {
        try await withSandbox({ $0.faults.rateLimitFirst = 1; $0.faults.systemBusyFirst = 1; $0.faults.serverErrorFirst = 1
                                $0.faults.serverErrorStatus = 503; $0.faults.retryAfter = 2 }) { sandbox in
            let seen = try await onThread { () -> [String] in
                let c = client(for: sandbox)
                var out: [String] = []
                for _ in 0..<4 {
                    do { _ = try speak(c, "hello"); out.append("200") } catch let e as APIError {
                        out.append("\(e.httpStatus) \(e.code ?? "") \(e.retryAfter.map { String(Int($0)) } ?? "-")")
                    }
                }
                return out
            }
            #expect(seen == ["429 too_many_concurrent_requests 2", "429 system_busy 2", "503 something_went_wrong -", "200"])
        }
    }

    @Test func concurrencyAboveTheLimitGets429() async throws {
        try await withSandbox({ $0.faults.concurrencyLimit = 2; $0.faults.firstByteDelay = 0.4 }) { sandbox in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await onThread { () -> Int in
                            do { _ = try speak(client(for: sandbox), "hello there"); return 200 } catch let e as APIError { return e.httpStatus }
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count == 2)
            #expect(statuses.filter { $0 == 429 }.count == 2)
            #expect(sandbox.peakConcurrency >= 2)
        }
    }

    @Test func historyPagesNewestFirstWithACursor() async throws {
        try await withSandbox { sandbox in
            let pages = try await onThread { () -> [[String]] in
                let c = client(for: sandbox)
                for i in 1...5 { _ = try speak(c, "item \(i)") }
                var out: [[String]] = []
                var cursor: String? = nil
                repeat {
                    var q = [("page_size", "2")]
                    if let cursor { q.append(("start_after_history_item_id", cursor)) }
                    let page = try c.json(HistoryPage.self, path: "/v1/history", query: q)
                    out.append(page.history.compactMap(\.text))
                    cursor = page.hasMore ? page.lastHistoryItemID : nil
                } while cursor != nil
                return out
            }
            #expect(pages == [["item 5", "item 4"], ["item 3", "item 2"], ["item 1"]])
        }
    }

    @Test func multipartUploadsAreParsedPartByPart() async throws {
        let dir = try temporaryDirectory()
        let a = dir.appendingPathComponent("a.mp3"), b = dir.appendingPathComponent("b.wav")
        try Data([1, 2, 3, 13, 10, 45, 45]).write(to: a)
        try Data(repeating: 7, count: 5000).write(to: b)
        try await withSandbox { sandbox in
            let added = try await onThread {
                try client(for: sandbox).json(AddedVoice.self, method: "POST", path: "/v1/voices/add", body: .multipart([
                    MultipartPart(name: "name", content: .text("Narrator")),
                    MultipartPart(name: "files", content: .file(path: a.path, filename: "a.mp3", contentType: "audio/mpeg")),
                    MultipartPart(name: "files", content: .file(path: b.path, filename: "b.wav", contentType: "audio/wav")),
                    MultipartPart(name: "labels", content: .text(#"{"accent":"irish"}"#)),
                    MultipartPart(name: "remove_background_noise", content: .text("true")),
                ]))
            }
            #expect(added.voiceID.count == 20)
            let req = try #require(sandbox.requests.last)
            #expect(req.parts.map(\.name) == ["name", "files", "files", "labels", "remove_background_noise"])
            #expect(req.parts[1].filename == "a.mp3" && req.parts[1].body == Data([1, 2, 3, 13, 10, 45, 45]))
            #expect(req.parts[2].contentType == "audio/wav" && req.parts[2].body.count == 5000)
            #expect(req.parts[3].text == #"{"accent":"irish"}"#)
            let voice = try await onThread { try client(for: sandbox).voice(id: added.voiceID) }
            #expect(voice.labels == ["accent": "irish"])
            #expect(voice.category == "cloned")
        }
    }

    @Test func downloadGivesOneFileOrAZip() async throws {
        try await withSandbox { sandbox in
            let (one, many) = try await onThread { () -> (ResponseHead, (ResponseHead, [UInt8])) in
                let c = client(for: sandbox)
                _ = try speak(c, "first"); _ = try speak(c, "second")
                let ids = try c.json(HistoryPage.self, path: "/v1/history").history.map(\.historyItemID)
                let one = try c.collect(method: "POST", path: "/v1/history/download", body: try ElevenLabsClient.jsonBody(["history_item_ids": [ids[0]]])).0
                let many = try c.collect(method: "POST", path: "/v1/history/download", body: try ElevenLabsClient.jsonBody(["history_item_ids": ids]))
                return (one, many)
            }
            #expect(one.contentType == "audio/mpeg")
            #expect(many.0.contentType == "application/zip")
            #expect(Array(many.1.prefix(2)) == Array("PK".utf8))
        }
    }
}

/// Trust round three: the four calls the official Python SDK failed against the sandbox (47 of 51):
/// Opus as real Ogg Opus, `workspace_id` on the user, `output_format=wav` on a history download;
/// and a port in use said in words at once.
@Suite struct SandboxConformanceTests {
    @Test func opusIsRealOggOpus() async throws {
        try await withSandbox { sandbox in
            let (whole, streamed) = try await onThread {
                let c = client(for: sandbox)
                return (try speak(c, "Hello opus.", format: "opus_48000_64", stream: false), try speak(c, "Hello opus.", format: "opus_48000_128"))
            }
            for (head, bytes) in [whole, streamed] {
                #expect(head.status == 200 && head.contentType == "audio/ogg")
                #expect(bytes.prefix(4).elementsEqual("OggS".utf8) && bytes.count > 1000)
                #expect(Data(bytes.prefix(200)).range(of: Data("OpusHead".utf8)) != nil)
            }
            if (try? requireTool("opusinfo")) != nil {
                let file = try temporaryDirectory().appendingPathComponent("x.opus")
                try Data(whole.1).write(to: file)
                let info = try await tool(["opusinfo", file.path])
                #expect(info.status == 0 && info.output.contains("Playback length"), "\(info.output)")
            }
        }
    }

    @Test func theUserHasAWorkspaceAndHistoryDownloadsAsWAV() async throws {
        try await withSandbox { sandbox in
            let (workspace, ids) = try await onThread { () -> (String?, [String]) in
                let c = client(for: sandbox)
                _ = try speak(c, "First of two."); _ = try speak(c, "Second of two.")
                let (_, u) = try c.collect(method: "GET", path: "/v1/user")
                let (_, h) = try c.collect(method: "GET", path: "/v1/history")
                let items = (try JSONSerialization.jsonObject(with: Data(h)) as? [String: Any])?["history"] as? [[String: Any]] ?? []
                return ((try JSONSerialization.jsonObject(with: Data(u)) as? [String: Any])?["workspace_id"] as? String, items.compactMap { $0["history_item_id"] as? String })
            }
            #expect(workspace != nil)
            #expect(ids.count == 2)
            let (one, two) = try await onThread {
                let c = client(for: sandbox)
                return (try c.collect(method: "POST", path: "/v1/history/download", body: try ElevenLabsClient.jsonBody(["history_item_ids": .strings([ids[0]]), "output_format": "wav"] as [String: AnyEncodable])),
                        try c.collect(method: "POST", path: "/v1/history/download", body: try ElevenLabsClient.jsonBody(["history_item_ids": .strings(ids), "output_format": "wav"] as [String: AnyEncodable])))
            }
            #expect(one.0.contentType == "audio/wav" && one.1.prefix(4).elementsEqual("RIFF".utf8))
            #expect(two.0.contentType == "application/zip")
            let zip = try temporaryDirectory().appendingPathComponent("h.zip")
            try Data(two.1).write(to: zip)
            let listing = try await tool(["python3", "-c", "import zipfile,sys; print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))", zip.path])
            #expect(listing.output.split(separator: "\n").count == 2 && listing.output.split(separator: "\n").allSatisfy { $0.hasSuffix(".wav") }, "\(listing.output)")
        }
    }

    @Test func aPortInUseIsSaidAtOnce() async throws {
        try await withSandbox { sandbox in
            let port = sandbox.baseURL.split(separator: ":").last.map(String.init) ?? "0"
            let started = Date()
            let r = try await run("elevenlabs-sandbox", ["--port", port, "--quiet"], timeout: 20)
            #expect(r.status == 1 && r.err.contains("address already in use"), "\(r.err)")
            #expect(Date().timeIntervalSince(started) < 5)
        }
    }
}

/// A JSON value of either kind, for request bodies mixing strings and lists.
enum AnyEncodable: Encodable, ExpressibleByStringLiteral, ExpressibleByArrayLiteral {
    case string(String), strings([String])
    init(stringLiteral s: String) { self = .string(s) }
    init(arrayLiteral s: String...) { self = .strings(s) }
    func encode(to e: Encoder) throws {
        var c = e.singleValueContainer()
        switch self { case .string(let s): try c.encode(s); case .strings(let s): try c.encode(s) }
    }
}
