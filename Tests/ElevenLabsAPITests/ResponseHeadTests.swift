// A response head's lines, read on their bytes (HTTPHeaderField.parse(utf8:)): what each kind of
// line gives, the awkward ones included. The same lines are met end to end in every suite that
// talks to the sandbox; this pins the edges a server rarely sends.
import Testing
@testable import ElevenLabsAPI

@Suite struct ResponseHeadTests {
    private func field(_ line: String) -> HTTPHeaderField? {
        var text = line
        return text.withUTF8 { HTTPHeaderField.parse(utf8: $0) }
    }

    @Test func namesAreLowerCasedAndValuesTrimmed() {
        #expect(field("Content-Type: audio/mpeg") == HTTPHeaderField("content-type", "audio/mpeg"))
        #expect(field("REQUEST-ID:\tabc \t") == HTTPHeaderField("request-id", "abc"))
        #expect(field("x-empty:") == HTTPHeaderField("x-empty", ""))
        #expect(field("x-spaces:    ") == HTTPHeaderField("x-spaces", ""))
        // Only the first colon ends the name; the value keeps the rest as it is.
        #expect(field("Location: http://h:1/a b") == HTTPHeaderField("location", "http://h:1/a b"))
        #expect(field("no colon here") == nil)
        // Not a token, but lower-cased as text all the same; bytes that are not UTF-8 are replaced.
        #expect(field("Ünïcode-Name: v") == HTTPHeaderField("ünïcode-name", "v"))
        #expect(field("x-bin: a\u{FFFD}b")?.value == "a\u{FFFD}b")
        let broken: [UInt8] = Array("x-raw: a".utf8) + [0xFF] + Array("b".utf8)
        #expect(broken.withUnsafeBufferPointer { HTTPHeaderField.parse(utf8: $0) } == HTTPHeaderField("x-raw", "a\u{FFFD}b"))
    }

    @Test func theStringFormReadsTheSame() {
        for line in ["Content-Type: audio/mpeg", "a:b", "x:", ":v", "Mixed-CASE-Name:  spaced value  "] {
            #expect(HTTPHeaderField.parse(line) == field(line), "\(line)")
            #expect(HTTPHeaderField.parse(line[...]) == field(line), "\(line)")
        }
    }
}
