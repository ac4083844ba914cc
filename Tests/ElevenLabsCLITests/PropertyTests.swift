// Property tests in the manner of a fuzzer, bounded and seeded so every run is the same: the parser,
// the error decoder and the config reader take any input without crashing, and answer either a
// result or their own documented error.
import Testing
import Foundation
@testable import ElevenLabsCLI
import TestSupport
@testable import ElevenLabsAPI


private let tokens: [String] = {
    var t = OptionTable.options.flatMap { o -> [String] in
        var forms = ["--\(o.long)", "--\(o.long)=x", "--\(o.long)="]
        if let s = o.short { forms += ["-\(s)", "-\(s)x"] }
        return forms
    }
    t += OptionTable.commands.map(\.name) + ["help", "-", "--", "-qh", "-vRoger", "", " ", "é", "\u{0}", "--=", "---x", "-", "show",
                                            "0", "-1", "1e309", "nan", "?", "premade", "mp3_44100_128"]
    return t
}()

@Suite struct PropertyTests {
    @Test func theParserAnswersEveryArgumentVector() {
        var rng = SeededGenerator(seed: 0xE1E7)
        for _ in 0..<20_000 {
            let args = (0..<Int.random(in: 0...6, using: &rng)).map { _ in tokens.randomElement(using: &rng)! }
            do {
                switch try CommandLineParser.parse(args) {
                case .run(let inv):
                    #expect(OptionTable.command(named: inv.command) != nil)
                    for key in inv.values.keys { #expect(OptionTable.options.contains { $0.name == key }) }
                case .help(let topic): #expect(topic == nil || OptionTable.command(named: topic!) != nil)
                case .version: break
                }
            } catch let e as UsageError {
                #expect(!e.message.isEmpty)
            } catch {
                Issue.record("unexpected error \(error) for \(args)")
            }
        }
    }

    @Test func errorDecodingTakesAnyBody() {
        var rng = SeededGenerator(seed: 0xBAD)
        let fragments = [#"{"detail":"#, #"{"status":"#, #""quota_exceeded""#, "[", "]", "{", "}", ",", #""message":"#, "null",
                         "1e999", #""\ud800""#, "<title>", "</title>", "<html>", "\u{FF}", "\u{0}", #"{"loc":["body",1]}"#]
        for i in 0..<10_000 {
            var body: [UInt8]
            if i % 2 == 0 {
                body = (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            } else {
                body = Array((0..<Int.random(in: 0...12, using: &rng)).map { _ in fragments.randomElement(using: &rng)! }.joined().utf8)
            }
            let status = [400, 401, 403, 404, 422, 429, 500, 502, 503].randomElement(using: &rng)!
            let type = ["application/json", "text/html", "text/plain", ""].randomElement(using: &rng)!
            let e = APIError.from(head: ResponseHead(status: status, headers: [HTTPHeaderField("content-type", type)]), body: body)
            #expect(e.httpStatus == status)
            #expect(!e.message.isEmpty)
            _ = Hints.advice(for: e)
            _ = e.kind
        }
    }

    @Test func theConfigReaderTakesAnyText() {
        var rng = SeededGenerator(seed: 0xC0F)
        let pieces = ["voice", "model", "=", " ", "\n", "#", "'", "\"", "api_key", "vioce", "\r\n", "\t", "é", "= =", "format"]
        for _ in 0..<10_000 {
            let text = (0..<Int.random(in: 0...12, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            do {
                let c = try ConfigFile.parse(text, path: "/c")
                for key in c.values.keys { #expect(ConfigFile.knownKeys.contains(key)) }
            } catch let e as ConfigurationError {
                #expect(e.message.hasPrefix("/c:"))
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }
}
