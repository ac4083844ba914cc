// Live input's cutter (LiveInput.Units) on bulk input: units stay within their bounds, nothing is
// lost or reordered, and a 1 MB pipe of unpunctuated words is cut in one pass (it was quadratic:
// 43.6 s of CPU for 200 KB), as is a with-timestamps line arriving in thousands of chunks.
import Testing
@testable import ElevenLabsCLI
@testable import ElevenLabsAPI

@Suite struct LiveUnitsTests {
    @Test func bulkUnpunctuatedInputIsCutInOnePassAndLosesNothing() {
        var units = LiveInput.Units()
        let block = String(repeating: "word ", count: 2_000) // 10 KB, as a pipe delivers it
        var out: [String] = []
        for _ in 0..<100 { out += units.add(block, firstSent: !out.isEmpty).map(\.0) }
        if let rest = units.rest() { out.append(rest) }
        #expect(out.allSatisfy { $0.count <= LiveInput.longUnit })
        #expect(out.reduce(0) { $0 + $1.split(separator: " ").count } == 200_000)
        #expect(out.count > 200_000 * 5 / LiveInput.longUnit - 10)
    }

    @Test func sentencesLinesAndMarksArriveAsWritten() {
        var units = LiveInput.Units()
        var out = units.add("First one. Second", firstSent: false)
        #expect(out.map(\.0) == ["First one."] && out[0].1 == true)
        out = units.add(" part.\nA line\n", firstSent: true)
        #expect(out.map(\.0) == ["Second part.", "A line"])
        // A combining mark in the next read joins the letter before it.
        out = units.add("Cafe", firstSent: true)
        out += units.add("\u{301} ok.\n", firstSent: true)
        #expect(out.map(\.0) == ["Cafe\u{301} ok."])
        #expect(units.rest() == nil)
    }

    @Test func aTimedLineInManyChunksIsScannedOnceAndBounded() throws {
        var lines = TimedLines(endpoint: "test")
        let chunk = [UInt8](repeating: 0x41, count: 1 << 16)
        var refused = false
        do {
            for _ in 0..<400 { try chunk.withUnsafeBytes { try lines.append($0, onTimings: { _ in }, onAudio: { _ in }) } }
        } catch { refused = true }
        #expect(refused, "a line past 16 MiB is refused, not held")
        // A real line split into one-byte chunks still arrives whole.
        var good = TimedLines(endpoint: "test")
        let line = TimedLines.line(audio: UnsafeRawBufferPointer(start: nil, count: 0), timings: nil) + Array(#"{"audio_base64":"AAAA"}"#.utf8) + [10]
        var audio = 0
        for b in line { try [b].withUnsafeBytes { try good.append($0, onTimings: { _ in }, onAudio: { audio += $0.count }) } }
        try good.finish(onTimings: { _ in }, onAudio: { audio += $0.count })
        #expect(audio == 3)
    }

    /// Parts cut so their markup, once adapted to the model, still fits the limit.
    @Test func partsFitTheLimitAfterTheirMarkupIsAdapted() {
        let raw = String(repeating: "Wait [pause] now. ", count: 300)
        for limit in [100, 1_000, 10_000] {
            let pieces = SpeechJob.fitted(raw, limit: limit, model: "eleven_multilingual_v2")
            let adapted = pieces.map { Markup.adapt($0, model: "eleven_multilingual_v2").text }
            #expect(adapted.allSatisfy { $0.unicodeScalars.count <= limit }, "\(limit): \(adapted.map { $0.unicodeScalars.count }.max() ?? 0)")
            #expect(pieces.joined().filter { !$0.isWhitespace } == raw.filter { !$0.isWhitespace })
        }
        // eleven_v3 takes the tag as it is: nothing to cut.
        #expect(SpeechJob.fitted(raw, limit: 10_000, model: "eleven_v3") == [raw])
    }
}
