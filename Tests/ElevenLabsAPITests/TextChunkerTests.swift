// Chunking long text: within the limit, at the most natural boundary, never inside markup, in order,
// losing nothing, with a short first chunk.
import Testing
@testable import ElevenLabsAPI

private func squash(_ s: String) -> String { s.split(whereSeparator: \.isWhitespace).joined(separator: " ") }

@Suite struct TextChunkerTests {
    @Test func shortTextIsOneChunk() {
        #expect(TextChunker.split("Hello there.", limit: 100) == ["Hello there."])
    }

    @Test func chunksStayWithinTheLimitAndLoseNothing() {
        var text = ""
        for i in 0..<2000 { text += "Sentence number \(i) is here, with a clause; and more words. " ; if i % 7 == 0 { text += "\n\n" } }
        let chunks = TextChunker.split(text, limit: 1000)
        #expect(chunks.allSatisfy { $0.count <= 1000 && !$0.isEmpty })
        #expect(squash(chunks.joined(separator: " ")) == squash(text))
        #expect(chunks[0].count <= TextChunker.firstChunkTarget)
        #expect(chunks[0].hasSuffix("."))
        #expect(chunks.dropFirst().contains { $0.count > 2 * chunks[0].count }) // later chunks grow toward the limit
        #expect(chunks.dropLast().allSatisfy { $0.hasSuffix(".") }) // sentences fit, so no chunk ends mid-sentence
    }

    @Test func paragraphsAreTheFirstChoice() {
        let para = String(repeating: "Words in a sentence. ", count: 5)
        let text = para + "\n\n" + para + "\n\n" + para
        // Each paragraph (104 characters) fits, two do not: one chunk per paragraph.
        let chunks = TextChunker.split(text, limit: 150, firstTarget: 150)
        #expect(chunks.count == 3)
        #expect(chunks.allSatisfy { $0 == para.trimmingTrailingWhitespace() })
    }

    @Test func clausesThenWordsWhenSentencesAreTooLong() {
        let clausey = (0..<40).map { "clause \($0)" }.joined(separator: ", ") + "."
        let chunks = TextChunker.split(clausey, limit: 100, firstTarget: 100)
        #expect(chunks.dropLast().allSatisfy { $0.hasSuffix(",") })
        let wordy = (0..<60).map { "word\($0)" }.joined(separator: " ")
        let w = TextChunker.split(wordy, limit: 50, firstTarget: 50)
        #expect(w.allSatisfy { $0.count <= 50 })
        #expect(w.joined(separator: " ") == wordy)
    }

    @Test func markupIsNeverCut() {
        let tag = #"<break time="1.5s" />"#
        let text = String(repeating: "a", count: 90) + " " + tag + " " + String(repeating: "b", count: 90) + " [laughs] the end"
        for limit in 95...130 {
            let chunks = TextChunker.split(text, limit: limit, firstTarget: limit)
            #expect(chunks.contains { $0.contains(tag) }, "limit \(limit)")
            for c in chunks {
                #expect(c.filter { $0 == "<" }.count == c.filter { $0 == ">" }.count, "limit \(limit): \(c)")
                #expect(c.filter { $0 == "[" }.count == c.filter { $0 == "]" }.count, "limit \(limit): \(c)")
            }
        }
    }

    @Test func chineseAndJapaneseSplitAtTheirOwnPunctuation() {
        let zh = String(repeating: "今天天气很好，我们去公园散步。", count: 20)
        let chunks = TextChunker.split(zh, limit: 60, firstTarget: 60)
        #expect(chunks.allSatisfy { $0.count <= 60 })
        #expect(chunks.dropLast().allSatisfy { $0.hasSuffix("。") })
        #expect(chunks.joined() == zh)
        let ja = String(repeating: "これはテストです、長い文章を分けます。", count: 10)
        let j = TextChunker.split(ja, limit: 40, firstTarget: 40)
        #expect(j.dropLast().allSatisfy { $0.hasSuffix("。") || $0.hasSuffix("、") })
        #expect(j.joined() == ja)
    }

    @Test func numbersWithDecimalPointsAreNotSentenceEnds() {
        let text = "The value is 3.14 and " + String(repeating: "x ", count: 40) + "done."
        let chunks = TextChunker.split(text, limit: 60, firstTarget: 20)
        #expect(!chunks.contains { $0.hasSuffix("3.") })
    }
}

/// The streaming chunker cuts exactly where `split` does, however the text arrives in blocks.
extension TextChunkerTests {
    @Test(arguments: 1...40)
    func streamingCutsAreTheSameAsWholeTextCuts(seed: Int) throws {
        var rng = SeededRandom(UInt64(seed))
        let pieces = ["Sentence one is here. ", "A clause, then more; ", "<break time=\"1.5s\"/> ", "[laughs] ", "\n\n",
                      "東京は大きい。", "日本語、読点も。", "e\u{301}te\u{301} ", "word ", "3.14 is pi. ", "“Quoted.” ", "x"]
        var text = ""
        for _ in 0..<(200 + Int(rng.next() % 2000)) { text += pieces[Int(rng.next() % UInt64(pieces.count))] }
        let limit = [60, 100, 250, 1000][seed % 4]
        let whole = TextChunker.split(text, limit: limit)
        // Blocks cut at arbitrary Unicode scalars: a combining accent may arrive without its letter.
        let scalars = Array(text.unicodeScalars)
        var offset = 0
        let chunker = StreamingChunker(limit: limit) {
            guard offset < scalars.count else { return nil }
            let n = 1 + Int(rng.next() % 97)
            var block = String.UnicodeScalarView()
            block.append(contentsOf: scalars[offset..<min(scalars.count, offset + n)])
            offset += n
            return String(block)
        }
        var streamed: [String] = []
        while let c = try chunker.next() { streamed.append(c) }
        #expect(streamed.count == whole.count, "seed \(seed): \(streamed.count) chunks streamed, \(whole.count) whole")
        let firstDifference = (0..<min(streamed.count, whole.count)).first { streamed[$0] != whole[$0] }
        #expect(firstDifference == nil, "seed \(seed): chunk \(firstDifference ?? -1) differs")
    }
}

private struct SeededRandom {
    var state: UInt64
    init(_ seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return state
    }
}
