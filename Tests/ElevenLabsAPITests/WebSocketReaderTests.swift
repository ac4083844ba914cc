// The WebSocket client's reading of server frames, driven by byte strings (RFC 6455 §5): lengths in
// all three forms, pings inside fragmented messages, closes with and without a code, bytes in any
// split, and every violation failed with the close code the RFC gives.
import Testing
@testable import ElevenLabsAPI

private func frame(_ opcode: UInt8, _ payload: [UInt8], fin: Bool = true, rsv: UInt8 = 0, mask: [UInt8]? = nil) -> [UInt8] {
    var f: [UInt8] = [(fin ? 0x80 : 0) | rsv | opcode]
    let n = payload.count
    let m: UInt8 = mask == nil ? 0 : 0x80
    if n < 126 { f.append(m | UInt8(n)) }
    else if n < 65536 { f += [m | 126, UInt8(n >> 8), UInt8(n & 0xFF)] }
    else { f.append(m | 127); for i in (0..<8).reversed() { f.append(UInt8((n >> (8 * i)) & 0xFF)) } }
    if let mask { f += mask; f += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] } } else { f += payload }
    return f
}

private func items(_ bytes: [UInt8], split: Int = Int.max) throws -> [WebSocketReader.Item] {
    var r = WebSocketReader()
    var out: [WebSocketReader.Item] = []
    var i = 0
    while i < bytes.count {
        r.feed(bytes[i..<min(bytes.count, i + split)])
        i += split
        while let item = try r.next() { out.append(item) }
    }
    return out
}

private func violation(_ bytes: [UInt8]) -> UInt16? {
    do { _ = try items(bytes); return nil } catch let v as WebSocketReader.Violation { return v.closeCode } catch { return 0 }
}

@Suite struct WebSocketReaderTests {
    @Test func lengthsInAllThreeFormsAndAnySplit() throws {
        let small = Array("hi".utf8), medium = [UInt8](repeating: 65, count: 300), large = [UInt8](repeating: 66, count: 70_000)
        let bytes = frame(0x1, small) + frame(0x1, medium) + frame(0x2, large)
        for split in [1, 7, 4096, Int.max] {
            let got = try items(bytes, split: split)
            #expect(got.count == 3, "split \(split)")
            #expect(got.first == .text("hi"))
            if case .text(let t) = got[1] { #expect(t.utf8.count == 300) } else { Issue.record("not text") }
            if case .binary(let b) = got[2] { #expect(b.count == 70_000 && b.allSatisfy { $0 == 66 }) } else { Issue.record("not binary") }
        }
    }

    @Test func aPingInsideAFragmentedMessage() throws {
        let bytes = frame(0x1, Array("Hel".utf8), fin: false) + frame(0x9, [1, 2]) + frame(0x0, Array("lo".utf8), fin: false)
            + frame(0xA, []) + frame(0x0, Array(" you".utf8))
        #expect(try items(bytes) == [.ping([1, 2]), .pong, .text("Hello you")])
        // A UTF-8 character split across fragments is whole in the message.
        let e = Array("é".utf8)
        #expect(try items(frame(0x1, [e[0]], fin: false) + frame(0x0, [e[1]])) == [.text("é")])
    }

    @Test func closesWithAndWithoutACode() throws {
        #expect(try items(frame(0x8, [0x03, 0xE8] + Array("bye".utf8))) == [.close(code: 1000, reason: "bye")])
        #expect(try items(frame(0x8, [0x03, 0xF0])) == [.close(code: 1008, reason: "")])
        #expect(try items(frame(0x8, [])) == [.close(code: 1005, reason: "")])
    }

    @Test func violationsFailWithTheirCloseCode() {
        #expect(violation(frame(0x1, Array("x".utf8), mask: [1, 2, 3, 4])) == 1002)            // masked server frame
        #expect(violation(frame(0x1, Array("x".utf8), rsv: 0x40)) == 1002)                      // RSV1 without an extension
        #expect(violation(frame(0x9, [UInt8](repeating: 0, count: 126))) == 1002)               // control frame over 125
        #expect(violation(frame(0x9, [1], fin: false)) == 1002)                                 // fragmented control frame
        #expect(violation(frame(0x0, Array("x".utf8))) == 1002)                                 // continuation of nothing
        #expect(violation(frame(0x1, [0x61], fin: false) + frame(0x1, [0x62])) == 1002)         // new message inside one
        #expect(violation(frame(0x3, [])) == 1002)                                              // reserved opcode
        #expect(violation(frame(0x1, [0xC3, 0x28])) == 1007)                                    // invalid UTF-8
        #expect(violation(frame(0x8, [0x03])) == 1002)                                          // one-byte close body
        #expect(violation([0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1]) == 1002)                      // 64-bit length, top bit set
    }
}
