// CanonicalJSON against Foundation's JSONEncoder with [.sortedKeys, .withoutEscapingSlashes]: the
// same bytes for every shape we send (request bodies, identities, nested and keyed containers), every
// escape, awkward numbers and keys, and thousands of generated strings and numbers. Cache keys made
// by earlier builds (which used JSONEncoder) are digests of these bytes, so any difference would
// silently turn cached audio into a new purchase.
import Testing
import Foundation
@testable import ElevenLabsAPI
import ElevenLabsSandbox

private func foundation<T: Encodable>(_ value: T, _ style: CanonicalJSON.Style = .compact) throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    if !style.escapeSlashes { encoder.outputFormatting.insert(.withoutEscapingSlashes) }
    if style.pretty { encoder.outputFormatting.insert(.prettyPrinted) }
    return Array(try encoder.encode(value))
}

/// Both encoders on one value, in every style (compact, pretty, slashes escaped); on a difference,
/// names the style, the first differing byte and both texts.
private func same<T: Encodable>(_ value: T, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    for style in [CanonicalJSON.Style.compact, .init(pretty: true), .init(escapeSlashes: true), .init(pretty: true, escapeSlashes: true)] {
        try same(value, what + (style.pretty ? ", pretty" : "") + (style.escapeSlashes ? ", slashes escaped" : ""), style, sourceLocation: sourceLocation)
    }
}

private func same<T: Encodable>(_ value: T, _ what: String, _ style: CanonicalJSON.Style, sourceLocation: SourceLocation) throws {
    let ours = try CanonicalJSON.encode(value, style: style)
    let theirs = try foundation(value, style)
    if ours != theirs {
        let at = (0..<min(ours.count, theirs.count)).first { ours[$0] != theirs[$0] } ?? min(ours.count, theirs.count)
        Issue.record("\(what): differs at byte \(at) (lengths \(ours.count), \(theirs.count)): ours \(String(decoding: ours.prefix(300), as: UTF8.self)) / Foundation's \(String(decoding: theirs.prefix(300), as: UTF8.self))",
                     sourceLocation: sourceLocation)
    }
}


/// Keyed, unkeyed, nested and super containers, nil in arrays, a nested value that encodes nothing.
private struct Shapes: Encodable {
    enum K: String, CodingKey { case a, nested, list, sup = "super", empty, after }
    struct Nothing: Encodable { func encode(to encoder: Encoder) throws {} }
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: K.self)
        try c.encode([1, nil, 3] as [Int?], forKey: .a)
        var n = c.nestedContainer(keyedBy: K.self, forKey: .nested)
        try n.encode("x", forKey: .after)
        try n.encodeNil(forKey: .a)
        var u = c.nestedUnkeyedContainer(forKey: .list)
        try u.encode(true)
        try u.encodeNil()
        var inner = u.nestedContainer(keyedBy: K.self)
        try inner.encode(Float(0.1), forKey: .a)
        var deeper = u.nestedUnkeyedContainer()
        try deeper.encode(Int8(-8))
        try deeper.encode(UInt64.max)
        try Int16(7).encode(to: u.superEncoder())
        try "sup".encode(to: c.superEncoder())
        try c.encode(Nothing(), forKey: .empty)
        // The same key twice: the last value wins.
        try c.encode(1, forKey: .after)
        try c.encode(2, forKey: .after)
    }
}

@Suite struct CanonicalJSONTests {
    @Test func requestBodiesAndIdentitiesMatchFoundation() throws {
        var request = SpeechRequest(voiceID: "JBFqnCBsd6RMkjVDRZzb", text: "Hello, \"world\" / back\\slash\n\ttab",
                                    modelID: "eleven_multilingual_v2", outputFormat: try #require(OutputFormat("mp3_44100_128")),
                                    settings: VoiceSettings(stability: 0.5, similarityBoost: 1, style: 0.1, useSpeakerBoost: true, speed: 1.2),
                                    languageCode: "de", seed: 4_294_967_295, textNormalization: "on")
        request.previousRequestIDs = ["a", "b/c"]
        request.nextText = "next ☃ text"
        request.dictionaries = [DictionaryLocator(id: "dict", version: nil), DictionaryLocator(id: "d2", version: "v/1")]
        try same(request.bodyFields(), "a body with every field")
        try same(request.bodyFields(forIdentity: true), "an identity's body")
        let identity = request.identity(previousText: "Before.\r\n").adding(["server": .string("http://127.0.0.1:1/"), "timings": .bool(false)])
        try same(identity, "an identity with fields beside the body")
        // What the cache digests is these bytes: identical digests follow.
        #expect(try identity.json() == (try foundation(identity)))
        try same(RequestIdentity(beside: ["n": .null, "o": .object(["z": .array([.number(1), .number(-0.25), .string("")]), "a": .object([:])]), "e": .array([])]),
                 "nested JSON values")
    }

    @Test func containersOfEveryKindMatchFoundation() throws {
        try same(Shapes(), "keyed, unkeyed, nested, super and empty containers")
        try same([3: "three", -1: "minus one"] as [Int: String], "a dictionary keyed by Int")
        try same(["b": [1.5, 2], "a": []] as [String: [Double]], "a dictionary of arrays")
        try same("top-level string", "a string alone")
        try same(42, "a number alone")
        try same([String?.none, "x"], "optionals in an array")
    }

    @Test func everyEscapeMatchesFoundation() throws {
        var all = ""
        for v in 0..<0x80 { all.unicodeScalars.append(Unicode.Scalar(UInt8(v))) }
        try same(all, "every ASCII character")
        for s in ["\u{2028}\u{2029}", "\u{FEFF}", "é e\u{301}", "👩‍👩‍👧 🇩🇪", "日本語", "\u{10FFFF}", "\r\n", "</script>", ""] {
            try same(["k": s], "the string \(s.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    /// ("é" and "e\u{301}" are one key to a Swift dictionary, so only one of them is here.)
    @Test func awkwardKeysSortAsFoundationSortsThem() throws {
        let keys = ["a", "A", "Z", "_", "a_b", "ab", "a b", "é", "ß", "ss", "日本", "😀", "", "10", "9", "a\u{0}", "Ω", "z"]
        try same(Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) }), "awkward keys")
        var rng = SplitMix64(seed: 7)
        for round in 0..<200 {
            var dict: [String: Int] = [:]
            for i in 0..<(1 + rng.below(6)) { dict[randomString(&rng, maxLength: 4)] = i }
            try same(dict, "generated keys, round \(round)")
        }
    }

    @Test func numbersMatchFoundation() throws {
        let fixed: [Double] = [0, -0.0, 1, -1, 0.1, 0.5, 1.2, 1e-7, 1e21, 1e22, 123456789.125, .leastNonzeroMagnitude, .leastNormalMagnitude,
                               .greatestFiniteMagnitude, 4_294_967_295, 9_007_199_254_740_992, 0.30000000000000004, 100, 1e16, 1e15]
        for d in fixed { try same(["d": d], "the number \(d)") }
        for f: Float in [0.1, 1, 3.4e38, .leastNonzeroMagnitude, 16_777_216] { try same(["f": f], "the Float \(f)") }
        for i in [Int.min, Int.max, 0, -1] { try same(["i": i], "the Int \(i)") }
        var rng = SplitMix64(seed: 11)
        for _ in 0..<2_000 {
            let d = Double(bitPattern: rng.next())
            if d.isFinite { try same([d], "the number \(d) (bits \(String(d.bitPattern, radix: 16)))") }
            let scaled = Double(rng.below(2_000_001)) / Double([1, 10, 100, 1000, 3][rng.below(5)])
            try same([scaled], "the number \(scaled)")
        }
    }

    @Test func generatedStringsMatchFoundation() throws {
        var rng = SplitMix64(seed: 3)
        for round in 0..<2_000 {
            let s = randomString(&rng, maxLength: 40)
            try same(["text": s], "generated string, round \(round): \(s.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    @Test func whatHasNoJSONFormIsRefused() {
        #expect(throws: EncodingError.self) { try CanonicalJSON.encode(["d": Double.nan]) }
        #expect(throws: EncodingError.self) { try CanonicalJSON.encode(["d": Double.infinity]) }
        #expect(throws: EncodingError.self) { try CanonicalJSON.encode(["f": -Float.infinity]) }
        #expect(throws: EncodingError.self) { try CanonicalJSON.encode(Shapes.Nothing()) }
    }

    /// Pretty output's empty containers and nesting, where Foundation's layout has its quirks.
    @Test func prettyLayoutMatchesFoundation() throws {
        try same(["a": [] as [Int]], "an empty list inside")
        try same([[String: Int]](), "an empty list alone")
        try same(["o": [:], "l": ["x": [[1], []]]] as [String: [String: [[Int]]]], "empty objects and nested lists")
        try same([Shapes.Nothing()], "a value that writes nothing, in a list")
    }
}

/// Mostly ASCII (where the escapes are), with controls, Latin-1, the line separators, CJK, astral
/// scalars and combining marks mixed in.
private func randomString(_ rng: inout SplitMix64, maxLength: Int) -> String {
    var s = String.UnicodeScalarView()
    for _ in 0..<rng.below(maxLength + 1) {
        let pick: UInt32
        switch rng.below(10) {
        case 0: pick = UInt32(rng.below(0x20))
        case 1: pick = [0x22, 0x5C, 0x2F, 0x7F, 0x2028, 0x2029, 0x301, 0xFEFF][rng.below(8)]
        case 2: pick = 0x80 + UInt32(rng.below(0x780))
        case 3: pick = 0x4E00 + UInt32(rng.below(0x5000))
        case 4: pick = 0x1F300 + UInt32(rng.below(0x300))
        default: pick = 0x20 + UInt32(rng.below(0x5F))
        }
        if let scalar = Unicode.Scalar(pick) { s.append(scalar) }
    }
    return String(s)
}
