// Planning a dialogue into requests: every input once, in order; each request within 2,000
// characters and 10 voices; and an edit to one line moving only the boundaries near it. Seeded
// random scripts, so a failure names its seed.
import Testing
@testable import ElevenLabsAPI
import TestSupport

private func script(seed: UInt64, lines: Int, voices: Int) -> [DialogueInput] {
    var g = SeededGenerator(seed: seed)
    return (0..<lines).map { i in
        let words = (0..<g.int(1...60)).map { _ in String(repeating: "abcdefgh".randomElement(using: &g) ?? "a", count: g.int(1...9)) }
        return DialogueInput(text: "Line \(i): " + words.joined(separator: " ") + ".", voiceID: "voice\(g.int(0...(voices - 1)))")
    }
}

@Suite struct DialoguePlanTests {
    @Test(arguments: 0..<40)
    func everyLineOnceInOrderWithinTheLimits(seed: Int) {
        let inputs = script(seed: UInt64(seed), lines: 200, voices: seed % 2 == 0 ? 14 : 3)
        let groups = DialogueRequest.plan(inputs)
        #expect(groups.first?.lowerBound == 0 && groups.last?.upperBound == inputs.count, "seed \(seed)")
        #expect(zip(groups, groups.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound && !$0.isEmpty }, "seed \(seed)")
        for g in groups {
            #expect(inputs[g].reduce(0) { $0 + DialogueRequest.length($1.text) } <= DialogueRequest.maxCharacters, "seed \(seed)")
            #expect(Set(inputs[g].map(\.voice_id)).count <= DialogueRequest.maxVoices, "seed \(seed)")
        }
    }

    @Test func requestsHoldAboutTheTargetOnAverage() {
        var total = 0, count = 0
        for seed in 0..<20 {
            let inputs = script(seed: UInt64(1000 + seed), lines: 300, voices: 2)
            total += inputs.reduce(0) { $0 + DialogueRequest.length($1.text) }
            count += DialogueRequest.plan(inputs).count
        }
        let average = Double(total) / Double(count)
        // Far fewer requests than one per line, and never more than the limit allows.
        #expect((800...1_800).contains(average), "average \(average) characters per request")
    }

    @Test(arguments: 0..<40)
    func anEditChangesOnlyTheRequestsNearIt(seed: Int) {
        var inputs = script(seed: UInt64(500 + seed), lines: 150, voices: 3)
        let before = DialogueRequest.plan(inputs).map { Array(inputs[$0]) }
        var g = SeededGenerator(seed: UInt64(seed))
        let line = g.int(0...(inputs.count - 1))
        inputs[line].text += " An added sentence that changes this line's length and hash."
        let after = DialogueRequest.plan(inputs).map { Array(inputs[$0]) }
        // Requests are compared by content: those not in the old plan must be bought again.
        let new = after.filter { !before.contains($0) }
        #expect((1...3).contains(new.count), "seed \(seed): \(new.count) of \(after.count) requests changed")
    }

    @Test func longLinesAreCutIntoPiecesTheLimitCountsAsFitting() {
        // 1,500 characters of e + combining acute are 3,000 scalars: planned in characters, a piece of
        // 2,000 would not fit; planned in scalars (as the limit counts), 4,502 scalars need 3 pieces.
        let accented = String(repeating: "e\u{301}", count: 1_500) + ". " + String(repeating: "Word ", count: 300)
        let pieces = DialogueRequest.pieces(accented)
        #expect(pieces.count == 3)
        #expect(pieces.allSatisfy { DialogueRequest.length($0) <= DialogueRequest.maxCharacters })
        #expect(pieces.joined().filter { !$0.isWhitespace } == accented.filter { !$0.isWhitespace })
        #expect(DialogueRequest.pieces("Short line.") == ["Short line."])
    }
}
