// JSONReader and Base64 against Foundation's JSONDecoder and Data(base64Encoded:), which they
// replace: the same texts decoded by both, with the same values or the same refusal (Base64 is
// stricter about misplaced padding, on purpose). The texts are
// the API contract's OpenAPI file, the answers' shapes, awkward numbers and strings, broken JSON and
// thousands of generated documents and mutations of them.
import Testing
import Foundation
import TestSupport
@testable import ElevenLabsAPI
import ElevenLabsSandbox

/// Both decoders on one text: the same value, or both refuse it.
private func agree<T: Decodable & Equatable>(_ type: T.Type, _ text: [UInt8], _ what: String,
                                            sourceLocation: SourceLocation = #_sourceLocation) {
    let ours = try? JSONReader.decode(type, from: text)
    let theirs = try? JSONDecoder().decode(type, from: Data(text))
    if ours != theirs {
        Issue.record("\(what): ours \(ours.map { "\($0)" } ?? "refused"), Foundation's \(theirs.map { "\($0)" } ?? "refused"), for \(String(decoding: text.prefix(200), as: UTF8.self).debugDescription)",
                     sourceLocation: sourceLocation)
    }
}

private func agree<T: Decodable & Equatable>(_ type: T.Type, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
    agree(type, Array(text.utf8), "\(T.self)", sourceLocation: sourceLocation)
}


/// A field of every kind our models have: required, optional, nested, lists, numbers of each type.
private struct Shape: Decodable, Equatable {
    struct Inner: Decodable, Equatable { let name: String; let tags: [String]? }
    let id: String
    let count: Int
    let ratio: Double?
    let on: Bool?
    let small: UInt8?
    let inner: Inner?
    let list: [Inner]?
    let numbers: [Double]?
    let map: [String: Int]?
}

private struct One<T: Decodable & Equatable>: Decodable, Equatable { let v: T }

@Suite struct JSONReaderTests {
    @Test func theContractFileReadsTheSame() throws {
        let text = try Array(Data(contentsOf: repositoryRoot.appendingPathComponent("Tests/API/elevenlabs-openapi-cli-subset.json")))
        let ours = try JSONReader.decode(JSONValue.self, from: text)
        let theirs = try JSONDecoder().decode(JSONValue.self, from: Data(text))
        #expect(ours == theirs)
    }

    @Test func modelsReadTheSame() {
        for text in [
            #"{"id":"a","count":3}"#,
            #"{"id":"a","count":3,"ratio":0.5,"on":true,"small":255,"inner":{"name":"n","tags":["x","y"]},"list":[{"name":"m"}],"numbers":[1,2.5,-3e2],"map":{"k":1}}"#,
            #"{"id":"a","count":3,"ratio":null,"on":null,"inner":null,"list":null}"#,
            #"{"id":"a"}"#, #"{"count":3}"#, #"{"id":null,"count":3}"#, #"{"id":"a","count":null}"#,
            #"{"id":3,"count":3}"#, #"{"id":"a","count":"3"}"#, #"{"id":"a","count":true}"#,
            #"{"id":"a","count":3,"on":1}"#, #"{"id":"a","count":3,"small":256}"#, #"{"id":"a","count":3,"small":-1}"#,
            #"{"id":"a","count":3,"inner":{"tags":[]}}"#, #"{"id":"a","count":3,"list":[null]}"#, #"{"id":"a","count":3,"list":{}}"#,
            #"{"id":"a","count":3,"numbers":[1,null]}"#, #"{"id":"a","count":3,"map":{"k":1.5}}"#, #"{"id":"a","count":3,"map":[]}"#,
            #"{"id":"a","count":3,"id":"b"}"#, #"{"id":"a","count":3,"extra":{"deep":[1,[2,[3]]]}}"#,
            #"[]"#, #"null"#, #""#, #"{"id":"a","count":3}x"#, #" {"id":"a","count":3} "#,
        ] { agree(Shape.self, text) }
    }

    @Test func numbersConvertAsFoundationConvertsThem() {
        for n in ["0", "-0", "1", "-1", "1.0", "1.5", "1e3", "1E3", "1e+3", "-1e-3", "1e400", "-1e400", "1e-400", "0.1",
                  "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
                  "18446744073709551615", "18446744073709551616", "9007199254740993", "123456789012345678901234567890",
                  "01", "-", "1.", ".5", "+1", "1e", "0x10", "NaN", "Infinity", "1_000", "\"1\"", "true", "null", "[1]"] {
            agree(One<Int>.self, #"{"v":\#(n)}"#)
            agree(One<Int8>.self, #"{"v":\#(n)}"#)
            agree(One<UInt64>.self, #"{"v":\#(n)}"#)
            agree(One<Double>.self, #"{"v":\#(n)}"#)
            agree(One<Float>.self, #"{"v":\#(n)}"#)
            agree(One<Int?>.self, #"{"v":\#(n)}"#)
            agree(JSONValue.self, n)
        }
    }

    @Test func stringsReadTheSame() {
        for s in [#""""#, #""a\"b\\c\/d""#, #""\b\f\n\r\t""#, #""\u00e9\u20AC""#, #""\ud83d\ude00""#, #""\ud83d""#,
                  #""\ude00""#, #""\ud83dx""#, #""\u00""#, #""\uzzzz""#, #""\x""#, "\"a\u{1}b\"", "\"tab\there\"",
                  #""é日本😀""#, #""unterminated"#, "\"\u{7F}\"", #""\u0000""#] {
            agree(One<String>.self, #"{"v":\#(s)}"#)
            agree(JSONValue.self, s)
        }
        // Bytes that are not UTF-8, inside and outside a string.
        for bad: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0xEF, 0xBB, 0xBF, 0x31]] {
            agree(JSONValue.self, bad, "bytes \(bad)")
        }
    }

    @Test func brokenDocumentsAreRefusedAlike() {
        for text in ["{", "}", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{\"a\":1 \"b\":2}", "[1 2]", "tru", "nul",
                     "[true false]", "{\"a\":}", "[\"a\":1]", "\"a\" \"b\"", "[]]", " ", "/* c */ 1", "[1]//",
                     String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
                     String(repeating: "[", count: 100) + String(repeating: "]", count: 100)] {
            agree(JSONValue.self, text)
        }
    }

    /// A refusal names where in the document it happened as Foundation's does: the path is built
    /// only when an error asks for it, so each kind of place is checked (object members, list items,
    /// nested lists, a missing key, a null, a number that does not fit, where ours says more).
    @Test func errorsNameTheSamePlaceAsFoundation() {
        func path<T: Decodable>(_ type: T.Type, _ text: String, with decode: (T.Type, [UInt8]) throws -> T) -> String {
            do { _ = try decode(type, Array(text.utf8)); return "decoded" } catch let e as DecodingError {
                let context: DecodingError.Context
                switch e {
                case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): context = c
                case .keyNotFound(let key, let c): return (c.codingPath + [key]).map { "\($0.stringValue)/\($0.intValue ?? -1)" }.joined(separator: ".") + " missing"
                @unknown default: return "unknown"
                }
                return context.codingPath.map { "\($0.stringValue)/\($0.intValue ?? -1)" }.joined(separator: ".")
            } catch { return "other \(error)" }
        }
        func same<T: Decodable>(_ type: T.Type, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
            let ours = path(type, text) { try JSONReader.decode($0, from: $1) }
            let theirs = path(type, text) { try JSONDecoder().decode($0, from: Data($1)) }
            #expect(ours == theirs, "\(text)", sourceLocation: sourceLocation)
            #expect(ours != "decoded", "\(text) should be refused", sourceLocation: sourceLocation)
        }
        same(Shape.self, #"{"id":"a","count":"3"}"#)
        same(Shape.self, #"{"id":"a","count":3,"list":[{"name":"x"},{"name":4}]}"#)
        same(Shape.self, #"{"id":"a","count":3,"list":[{"name":"x","tags":["t",null]}]}"#)
        same(Shape.self, #"{"id":"a","count":3,"inner":{"tags":[]}}"#)
        // A number that does not fit: Foundation names no place at all; ours names the field.
        #expect(path(Shape.self, #"{"id":"a","count":3,"small":300}"#) { try JSONReader.decode($0, from: $1) } == "small/-1")
        #expect(path(Shape.self, #"{"id":"a","count":3,"map":{"k":1.5}}"#) { try JSONReader.decode($0, from: $1) } == "map/-1.k/-1")
        same(Shape.self, #"{"id":"a","count":3,"numbers":[1,true]}"#)
        same(Shape.self, #"{"id":null,"count":3}"#)
        same([[Int]].self, #"[[1],[2,"x"]]"#)
        same([Shape].self, #"[{"id":"a","count":1},{"id":"b"}]"#)
    }

    /// Generated documents, and each cut short or with one byte changed.
    @Test func generatedDocumentsAndMutationsReadTheSame() throws {
        var rng = SplitMix64(seed: 5)
        func value(_ depth: Int) -> JSONValue {
            switch rng.below(depth > 3 ? 4 : 6) {
            case 0: return .null
            case 1: return .bool(rng.below(2) == 0)
            case 2: return .number([0, 1, -1, 0.5, 1e21, 123456.789, -2.5e-8][rng.below(7)])
            case 3: return .string(["", "a", "é", "\"", "\\", "/", "\n", "😀", "a b"][rng.below(9)])
            case 4: return .array((0..<rng.below(4)).map { _ in value(depth + 1) })
            default: return .object(Dictionary((0..<rng.below(4)).map { _ in ("k\(rng.below(5))", value(depth + 1)) }) { $1 })
            }
        }
        for round in 0..<1_500 {
            let text = try CanonicalJSON.encode(value(0), style: .init(pretty: rng.below(2) == 0))
            agree(JSONValue.self, text, "document \(round)")
            if !text.isEmpty {
                agree(JSONValue.self, Array(text.prefix(rng.below(text.count))), "document \(round), cut")
                var changed = text
                let at = rng.below(text.count)
                changed[at] = [UInt8(ascii: "\""), UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: "1"), 0x80, 0][rng.below(7)]
                // Foundation reads a text that starts with a NUL byte as UTF-16 or UTF-32; JSONReader
                // reads UTF-8 only, the contract's encoding (and refuses such a text).
                if at < 2 && changed[at] == 0 { #expect(throws: DecodingError.self) { try JSONReader.decode(JSONValue.self, from: changed) }; continue }
                agree(JSONValue.self, changed, "document \(round), changed")
            }
        }
    }

    @Test func base64MatchesFoundation() {
        var rng = SplitMix64(seed: 9)
        for length in 0..<200 {
            let bytes = (0..<length).map { _ in UInt8(rng.below(256)) }
            let theirs = Data(bytes).base64EncodedString()
            #expect(Base64.encode(bytes) == theirs, "encoding \(length) bytes")
            #expect(Base64.decode(theirs) == bytes, "decoding \(length) bytes")
        }
        let alphabet = Array("AZaz09+/=-_ \n.".utf8)
        var texts = ["", "=", "==", "A===", "AA==", "AAA=", "AAAA", "AA=A", "A=AA", "AAAA====", "AB==", "AAB=", "Zg", "Zg=", "Zg==", "Zm8=", "Zm9v"]
        for _ in 0..<3_000 { texts.append(String(decoding: (0..<rng.below(12)).map { _ in alphabet[rng.below(alphabet.count)] }, as: UTF8.self)) }
        // Foundation also takes '=' inside the text and extra '=' at its end; ours refuses those (a
        // service's base64 is canonical). Whatever ours accepts, Foundation reads as the same bytes,
        // and every canonical text (above) is accepted.
        var refusedOnlyByUs = 0
        for text in texts {
            let theirs = Data(base64Encoded: text).map(Array.init)
            if let ours = Base64.decode(text) {
                #expect(ours == theirs, "decoding \(text.debugDescription): ours \(ours), Foundation's \(String(describing: theirs))")
            } else if theirs != nil {
                refusedOnlyByUs += 1
                #expect(text.contains("="), "\(text.debugDescription): refused though Foundation reads it and it has no padding")
            }
        }
        #expect(refusedOnlyByUs < texts.count / 10)
    }
}
