// Captions never show SSML (an audiobook's `<break .../>` after each heading is timed like any
// character), but a "<" that is text stays, also when an answer's timings end on it.
import Testing
@testable import ElevenLabsCLI

@Suite struct CaptionsMarkupTests {
    func captions(_ pieces: [String]) -> [String] {
        var c = Captions()
        var t = 0.0
        for piece in pieces {
            let chars = piece.map(String.init)
            let starts = chars.indices.map { t + Double($0) * 0.05 }
            c.add(characters: chars, starts: starts, ends: starts.map { $0 + 0.05 }, offset: 0)
            t += Double(chars.count) * 0.05
        }
        c.flushWord()
        return c.words.map(\.text)
    }

    @Test func tagsAreNotHeardButTextIs() {
        #expect(captions(["Title. <break time=\"0.8s\"/> Then words."]) == ["Title.", "Then", "words."])
        #expect(captions(["3 < 5 and 7 > 2."]) == ["3", "<", "5", "and", "7", ">", "2."])
        // An answer's timings ending on "<": the next answer's first character decides.
        #expect(captions(["Title. <", "break time=\"1s\"/> After."]) == ["Title.", "After."])
        #expect(captions(["a <", " b"]) == ["a", "<", "b"])
    }
}
