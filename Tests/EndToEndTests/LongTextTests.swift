// Long texts through the binary: split within the model's limit, in order, stitched, with a short
// first chunk; played as one continuous stream equal to the chunks' decodes end to end; written as
// one valid file.
import Testing
import Foundation
import ElevenLabsAPI
import ElevenLabsSandbox
import TestSupport

/// A text of `count` characters in sentences and paragraphs.
private func book(_ count: Int) -> String {
    var s = ""
    var n = 0
    while s.count < count {
        n += 1
        s += "This is sentence \(n) of the book, and it goes on for a while. "
        if n % 9 == 0 { s += "\n\n" }
    }
    return String(s.prefix(count)).trimmingCharacters(in: .whitespaces) + "."
}

/// The audio of every history item, oldest first: one per chunk requested.
private func chunkAudio(_ sandbox: Sandbox) async throws -> [Data] {
    try await onThread {
        let c = client(for: sandbox)
        let items = try c.json(HistoryPage.self, path: "/v1/history", query: [("page_size", "1000"), ("sort_direction", "asc")]).history
        return try items.map { Data(try c.collect(method: "GET", path: "/v1/history/\($0.historyItemID)/audio").1) }
    }
}

@Suite struct LongTextTests {
    let dir: URL
    init() throws { dir = try temporaryDirectory() }
    func env(_ sandbox: Sandbox) -> [String: String] {
        sandboxEnv(sandbox, cacheIn: dir)
    }

    @Test func sixtyThousandCharactersBecomeStitchedRequestsWithinTheLimit() async throws {
        let text = book(60_000)
        try await withSandbox { sandbox in
            let out = dir.appendingPathComponent("book.mp3")
            let r = try await run("elevenlabs", ["speak", "--no-live", "--format", "mp3_22050_32", "-o", out.path, "-f", "-"],
                                  env: env(sandbox), stdin: Data(text.utf8), timeout: 120)
            #expect(r.status == 0, "\(r.err)")
            let requests = sandbox.requests.filter { $0.path.hasPrefix("/v1/text-to-speech/") }
            let bodies = requests.compactMap(\.jsonObject)
            let texts = bodies.compactMap { $0["text"] as? String }
            #expect(texts.count >= 7)
            #expect(texts.allSatisfy { $0.count <= 10_000 })
            #expect(texts[0].count <= TextChunker.firstChunkTarget)
            let squash = { (s: String) in s.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
            #expect(squash(texts.joined(separator: " ")) == squash(text))
            // Stitching: each request names the ids of up to three previous ones, and the next text.
            let served = try await onThread { try client(for: sandbox).json(HistoryPage.self, path: "/v1/history", query: [("page_size", "1000"), ("sort_direction", "asc")]).history }
            let requestIDs = served.compactMap(\.requestID)
            for (i, body) in bodies.enumerated() {
                let previous = body["previous_request_ids"] as? [String] ?? []
                #expect(previous == Array(requestIDs[max(0, i - 3)..<i]))
                if i + 1 < texts.count { #expect(texts[i + 1].hasPrefix(body["next_text"] as? String ?? "∅")) }
                else { #expect(body["next_text"] == nil) }
            }
            // One file: the chunks' MP3 streams back to back.
            let audio = try await chunkAudio(sandbox)
            try expectSameBytes(Data(contentsOf: out), audio.reduce(Data(), +), "the written file")
        }
    }

    @Test func playbackIsOneStreamOfTheChunksDecodedInOrder() async throws {
        let text = book(4_000)
        try await withSandbox { sandbox in
            let captured = dir.appendingPathComponent("played.raw")
            let r = try await run("elevenlabs", ["speak", "-m", "eleven_v3", "--format", "mp3_22050_32",
                                                 "--device", "file:FILE=\(captured.path)", text], env: env(sandbox), timeout: 120)
            #expect(r.status == 0, "\(r.err)")
            let audio = try await chunkAudio(sandbox)
            #expect(audio.count >= 3)
            var reference = Data()
            for a in audio {
                let file = dir.appendingPathComponent("chunk-\(UUID().uuidString).mp3")
                try a.write(to: file)
                reference += try await mpg123Decode(file)
            }
            let played = try Data(contentsOf: captured)
            #expect(played.count == reference.count)
            expectSameBytes(played, reference, "the PCM that reached ALSA, against mpg123's decode")
        }
    }

    @Test func aLongWAVIsOneValidFileWithTheTotalLength() async throws {
        let text = book(7_000)
        try await withSandbox { sandbox in
            let out = dir.appendingPathComponent("long.wav")
            let r = try await run("elevenlabs", ["speak", "-m", "eleven_v3", "-o", out.path, text], env: env(sandbox), timeout: 120)
            #expect(r.status == 0, "\(r.err)")
            let wav = try Data(contentsOf: out)
            let pcm = try await chunkAudio(sandbox).reduce(Data(), +)
            #expect(wav.count == 44 + pcm.count)
            expectSameBytes(wav.suffix(from: 44), pcm, "the WAV's samples")
            let riff = wav.subdata(in: 4..<8).withUnsafeBytes { $0.load(as: UInt32.self) }
            let data = wav.subdata(in: 40..<44).withUnsafeBytes { $0.load(as: UInt32.self) }
            #expect(Int(riff) == wav.count - 8 && Int(data) == pcm.count)
        }
    }

    @Test func aBrokenPartIsNotBoughtAgainAndARerunBuysOnlyWhatIsMissing() async throws {
        let text = book(4_000)
        // The second part's stream breaks; the first arrived whole and went into the audio cache.
        try await withSandbox({ $0.faults.cutAfterBytes = 20_000; $0.faults.chunkSize = 4000; $0.faults.cutSkip = 1; $0.faults.cutFirst = 1 }) { sandbox in
            let out = dir.appendingPathComponent("mended.mp3")
            let r = try await run("elevenlabs", ["speak", "-m", "eleven_v3", "-o", out.path, text], env: env(sandbox), timeout: 120)
            #expect(r.status == 7)
            #expect(r.err.contains("it was not requested again"), "\(r.err)")
            #expect(!FileManager.default.fileExists(atPath: out.path))
            let first = sandbox.requests.filter { $0.path.hasPrefix("/v1/text-to-speech/") }.compactMap { $0.jsonObject?["text"] as? String }
            #expect(first.count == 2) // the whole part and the broken one; the broken one was not sent again
            let again = try await run("elevenlabs", ["speak", "-m", "eleven_v3", "-o", out.path, text], env: env(sandbox), timeout: 120)
            #expect(again.status == 0, "\(again.err)")
            let texts = sandbox.requests.filter { $0.path.hasPrefix("/v1/text-to-speech/") }.compactMap { $0.jsonObject?["text"] as? String }
            // The rerun bought the broken part and the rest, never the first part again.
            #expect(texts.count > 2 && texts[2] == texts[1] && !texts.dropFirst(2).contains(texts[0]))
            let audio = try await chunkAudio(sandbox)
            // The file: the first answer, then the rerun's answers (the broken one is in the history too).
            try expectSameBytes(Data(contentsOf: out), audio[0] + audio.dropFirst(2).reduce(Data(), +), "the written file")
        }
    }
}
