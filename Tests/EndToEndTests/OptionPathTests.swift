// The option × path walk (#27): every option of `speak`, on every way speak runs (playing, -o FILE,
// -o -, --out-dir, --dialogue, --live, --dry-run), through the real binary against the sandbox, is
// either honoured (its effect is seen in what was sent, written, played or printed) or refused with
// exit 2, naming the option, before any request. Which of the two each pair gets is what
// SpeechPaths declares; this test checks the binary keeps to the declaration, and that the
// declaration refuses nothing a path can honour (every honoured pair has to show its effect).
import Testing
import Foundation
import ElevenLabsSandbox
import TestSupport
@testable import ElevenLabsCLI

@Suite struct OptionPathTests {
    enum Base: String, CaseIterable, Sendable { case playing, file, stdout, batch, dialogue, live, dryRun }

    static let roger = "CwhRBWXzGAHq8TQ4Fs17", george = "JBFqnCBsd6RMkjVDRZzb"
    static let text = "Probe words."

    /// One run's evidence.
    struct Seen {
        let status: Int32
        let out: String
        let err: String
        /// Everything sent to the sandbox (paths, queries, bodies, WebSocket messages), spaces removed.
        let sent: String
        let requests: [RecordedRequest]
        let dir: URL
        var speechRequests: Int { requests.filter { $0.path.contains("text-to-speech") || $0.path.contains("text-to-dialogue") }.count }
        func nonEmpty(_ name: String) -> Bool {
            ((try? FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent(name).path)[.size] as? Int) ?? 0) > 0
        }
        func files(in sub: String) -> [String] {
            (try? FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(sub).path)) ?? []
        }
    }

    /// How an option is tried: the arguments it adds, whether it replaces the base's input, a run
    /// before it (for options about what is already there: the whole command line), and what shows
    /// it was honoured.
    struct Probe {
        var args: (Base, URL) -> [String]
        var input: ((Base, URL) -> [String])? = nil
        var prepare: ((Base, URL) -> [String])? = nil
        var honoured: (Seen, Set<SpeechPath>) -> Bool
    }

    /// The base run itself, before the probed one.
    static let sameRunFirst: @Sendable (Base, URL) -> [String] = { b, d in args(b, d) + input(b, d) }

    static func sentOrShown(_ s: Seen, _ needle: String) -> Bool { s.sent.contains(needle) || s.out.contains(needle) }
    /// A dry run buys nothing: a request-shaping option is honoured there by being checked as the
    /// real run checks it, with nothing bought (its value is shown by the real run's request).
    static func shaped(_ needle: String) -> (Seen, Set<SpeechPath>) -> Bool {
        { s, paths in paths.contains(.dryRun) ? s.status == 0 && s.speechRequests == 0 : s.sent.contains(needle) }
    }

    /// A document as the input: a batch's file, else `-f FILE`.
    static func document(_ name: String) -> (Base, URL) -> [String] {
        { b, d in b == .batch ? [d.appendingPathComponent(name).path] : ["-f", d.appendingPathComponent(name).path] }
    }

    static func input(_ base: Base, _ dir: URL) -> [String] {
        switch base {
        case .playing, .file, .stdout, .dryRun: return [text]
        case .batch: return [dir.appendingPathComponent("a.txt").path]
        case .dialogue: return [dir.appendingPathComponent("s.txt").path]
        case .live: return []
        }
    }

    static func args(_ base: Base, _ dir: URL) -> [String] {
        switch base {
        case .playing: return ["speak"]
        case .file: return ["speak", "-o", dir.appendingPathComponent("out.mp3").path]
        case .stdout: return ["speak", "-o", "-"]
        case .batch: return ["speak", "--out-dir", dir.appendingPathComponent("o").path]
        case .dialogue: return ["speak", "--dialogue", "-o", dir.appendingPathComponent("out.mp3").path]
        case .live: return ["speak", "--live", "-o", dir.appendingPathComponent("out.mp3").path]
        case .dryRun: return ["speak", "--dry-run"]
        }
    }

    static func probes(dictionary: String) -> [OptionName: Probe] {
        func path(_ d: URL, _ n: String) -> String { d.appendingPathComponent(n).path }
        let wholeStdin: (Base, URL) -> [String] = { _, _ in [] }
        return [
            .voice: Probe(args: { _, _ in ["-v", roger] }, honoured: { s, _ in sentOrShown(s, roger) }),
            .model: Probe(args: { _, _ in ["-m", "eleven_flash_v2_5"] }, honoured: { s, _ in sentOrShown(s, "eleven_flash_v2_5") }),
            .file: Probe(args: { b, d in
                switch b {
                case .live: return ["-f", "-"]
                case .dialogue: return ["-f", path(d, "s.txt")]
                default: return ["-f", path(d, "f.txt")]
                }
            }, input: { _, _ in [] }, honoured: { s, paths in
                paths.contains(.dryRun) ? s.status == 0 && s.out.contains("12 characters")
                    : s.sent.contains("Filedwords") || (paths.contains(.live) && s.sent.contains("Probewords")) || (paths.contains(.dialogue) && s.sent.contains("Hellothere"))
            }),
            .output: Probe(args: { _, d in ["-o", path(d, "other.mp3")] }, honoured: { s, paths in
                paths.contains(.dryRun) ? s.out.contains("other.mp3") : s.nonEmpty("other.mp3")
            }),
            .format: Probe(args: { _, _ in ["--format", "mp3_22050_32"] }, honoured: { s, _ in sentOrShown(s, "mp3_22050_32") }),
            .play: Probe(args: { _, _ in ["--play"] }, honoured: { s, paths in paths.contains(.dryRun) ? s.out.contains("play on") : s.nonEmpty("played.raw") }),
            .device: Probe(args: { _, d in ["--device", "file:FILE=" + path(d, "device.raw")] }, honoured: { s, paths in
                paths.contains(.dryRun) ? s.out.contains("device.raw") : s.nonEmpty("device.raw")
            }),
            .stability: Probe(args: { _, _ in ["--stability", "0.37"] }, honoured: shaped("0.37")),
            .similarityBoost: Probe(args: { _, _ in ["--similarity-boost", "0.61"] }, honoured: shaped("0.61")),
            .style: Probe(args: { _, _ in ["--style", "0.23"] }, honoured: shaped("0.23")),
            .speakerBoost: Probe(args: { _, _ in ["--speaker-boost"] }, honoured: shaped("\"use_speaker_boost\":true")),
            .noSpeakerBoost: Probe(args: { _, _ in ["--no-speaker-boost"] }, honoured: shaped("\"use_speaker_boost\":false")),
            .speed: Probe(args: { _, _ in ["--speed", "1.13"] }, honoured: shaped("1.13")),
            .rate: Probe(args: { _, _ in ["--rate", "140"] }, honoured: shaped("0.8")),
            .language: Probe(args: { _, _ in ["--language", "de", "-m", "eleven_flash_v2_5"] }, honoured: shaped("language_code")),
            .dict: Probe(args: { _, _ in ["--dict", dictionary] }, honoured: shaped(dictionary.split(separator: ":")[0].description)),
            .seed: Probe(args: { _, _ in ["--seed", "4242"] }, honoured: shaped("4242")),
            .textNormalization: Probe(args: { _, _ in ["--text-normalization", "off"] }, honoured: shaped("apply_text_normalization")),
            .outDir: Probe(args: { _, d in ["--out-dir", path(d, "o2")] }, input: { _, d in [path(d, "a.txt")] }, honoured: { s, paths in
                paths.contains(.dryRun) ? s.status == 0 && s.speechRequests == 0 : s.files(in: "o2").contains("a.mp3")
            }),
            .eachLine: Probe(args: { _, _ in ["--each-line"] }, honoured: { s, paths in
                paths.contains(.dryRun) ? s.status == 0 : s.files(in: "o").filter { $0.hasSuffix(".mp3") }.count == 2
            }),
            .jobs: Probe(args: { _, _ in ["--jobs", "1"] }, honoured: { s, _ in s.status == 0 }),
            // Its effect needs a deep missing path, which EverydayTests gives every output.
            .createDirs: Probe(args: { _, _ in ["--create-dirs"] }, honoured: { s, _ in s.status == 0 }),
            // Documents: Markdown in a .txt (so only --input-format makes it one), or doc.md.
            .inputFormat: Probe(args: { _, _ in ["--input-format", "md"] }, input: document("doc.txt"), honoured: { s, paths in
                paths.contains(.dryRun) ? s.out.contains("== 1. A:") : s.sent.contains("Filedwords.") && !s.sent.contains("*")
            }),
            .chapterLevel: Probe(args: { _, _ in ["--chapter-level", "1"] }, input: document("doc.md"), honoured: { s, paths in
                paths.contains(.dryRun) ? s.out.contains("== 1. Doc:") : s.status == 0 && s.sent.contains("Filedwords.")
            }),
            .readCode: Probe(args: { _, _ in ["--read-code"] }, input: document("doc.md"), honoured: { s, paths in
                paths.contains(.dryRun) ? s.out.contains("echo probe-code") : s.sent.contains("echoprobe-code")
            }),
            .splitChapters: Probe(args: { _, _ in ["--split-chapters"] }, input: document("doc.md"), honoured: { s, _ in
                s.files(in: "out").contains("01 - A.mp3") && s.files(in: "out").contains("out.m3u")
            }),
            .author: Probe(args: { _, _ in ["--author", "Probe Author"] }, input: document("doc.md"), honoured: { s, _ in s.nonEmpty("out.mp3") }),
            .cover: Probe(args: { _, d in ["--cover", path(d, "cover.png")] }, input: document("doc.md"), honoured: { s, _ in s.nonEmpty("out.mp3") }),
            .force: Probe(args: { _, _ in ["--force", "--no-cache"] }, prepare: sameRunFirst, honoured: { s, paths in
                paths.contains(.dryRun) ? s.status == 0 : s.speechRequests == 1
            }),
            .dryRun: Probe(args: { _, _ in ["--dry-run"] }, honoured: { s, _ in s.status == 0 && s.speechRequests == 0 && s.out.contains("would") }),
            .dialogue: Probe(args: { _, _ in ["--dialogue"] }, input: { _, d in [path(d, "s.txt")] }, honoured: { s, paths in
                paths.contains(.dryRun) ? s.out.contains("turns by 2 speakers") : s.sent.contains("text-to-dialogue")
            }),
            .cast: Probe(args: { _, _ in ["--cast", "Roger=George"] }, honoured: { s, paths in
                paths.contains(.dryRun) ? s.out.contains(george) : s.sent.contains(george)
            }),
            // Asked only before a large spend: honoured by never asking, checked by SpendTests.
            .yes: Probe(args: { _, _ in ["--yes"] }, honoured: { s, _ in s.status == 0 }),
            // Drawn only for several requests or items, checked by ProgressTests.
            .progress: Probe(args: { _, _ in ["--progress"] }, honoured: { s, _ in s.status == 0 }),
            .captions: Probe(args: { b, d in b == .batch ? ["--captions", "srt"] : ["--captions", path(d, "c.srt")] }, honoured: { s, paths in
                paths.contains(.dryRun) ? s.out.contains("c.srt") : paths.contains(.batch) ? s.files(in: "o").contains("a.srt") : s.nonEmpty("c.srt")
            }),
            // No terminal here, so the honest effect is the warning that says it speaks without it.
            .highlight: Probe(args: { _, _ in ["--highlight"] }, honoured: { s, _ in s.status == 0 && s.err.contains("--highlight needs a terminal") }),
            // The cache is filled first (a batch into another directory, since it would skip its own outputs).
            .noCache: Probe(args: { _, _ in ["--no-cache"] }, prepare: { b, d in
                b == .batch ? ["speak", "--out-dir", path(d, "prepared"), path(d, "a.txt")] : sameRunFirst(b, d)
            }, honoured: { s, paths in
                paths.contains(.dryRun) ? s.out.contains("(0 cached)") : s.speechRequests > 0 || paths.contains(.live)
            }),
            .cacheInfo: Probe(args: { _, _ in ["--cache-info"] }, honoured: { _, _ in false }),
            .clearCache: Probe(args: { _, _ in ["--clear-cache"] }, honoured: { _, _ in false }),
            .live: Probe(args: { _, _ in ["--live"] }, input: wholeStdin, honoured: { s, _ in s.sent.contains("stream-input") }),
            .noLive: Probe(args: { _, _ in ["--no-live"] }, input: { b, d in b == .batch ? [path(d, "a.txt")] : b == .dialogue ? [path(d, "s.txt")] : [] },
                           honoured: { s, paths in
                if paths.contains(.dryRun) { return s.out.contains("12 characters") }
                if paths.contains(.batch) { return s.files(in: "o").contains("a.mp3") }
                if paths.contains(.dialogue) { return s.sent.contains("text-to-dialogue") }
                return s.sent.contains("/v1/text-to-speech/") && !s.sent.contains("stream-input")
            }),
            .metrics: Probe(args: { _, _ in ["--metrics"] }, honoured: { s, _ in s.err.contains("bytes") && s.err.contains("ms") }),
            .json: Probe(args: { _, _ in ["--json"] }, honoured: { s, _ in (s.out + s.err).contains("\"model_id\"") }),
        ]
    }

    @Test(arguments: Base.allCases)
    func everyOptionIsHonouredOrRefusedBeforeAnyRequest(base: Base) async throws {
        try await withSandbox { sandbox in
            let root = try temporaryDirectory()
            let pls = root.appendingPathComponent("names.pls")
            try """
            <?xml version="1.0" encoding="UTF-8"?>
            <lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="en-US">
              <lexeme><grapheme>Probe</grapheme><alias>Prowb</alias></lexeme>
            </lexicon>
            """.write(to: pls, atomically: true, encoding: .utf8)
            let added = try await run("elevenlabs", ["dictionaries", "add", pls.path, "--name", "Probe", "--json"], env: sandboxEnv(sandbox))
            let info = try #require(try JSONSerialization.jsonObject(with: added.stdout) as? [String: Any], "\(added.err)")
            let dictionary = "\(info["id"] as? String ?? "?"):\(info["version_id"] as? String ?? "?")"

            let speakOptions = OptionTable.options.filter { $0.commands.contains("speak") || $0.name == .json }.map(\.name)
            let probes = Self.probes(dictionary: dictionary)
            #expect(Set(speakOptions).subtracting(probes.keys).isEmpty, "options without a probe: \(Set(speakOptions).subtracting(probes.keys))")
            var honouredCount = 0, refusedCount = 0
            for (n, option) in speakOptions.enumerated() {
                guard let probe = probes[option] else { continue }
                let dir = root.appendingPathComponent("\(n)")
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                try "Batch words here.\nA second line.".write(to: dir.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
                try "Filed words.".write(to: dir.appendingPathComponent("f.txt"), atomically: true, encoding: .utf8)
                try "Roger: Hello there.\n\nSarah: Hi back.\n".write(to: dir.appendingPathComponent("s.txt"), atomically: true, encoding: .utf8)
                let markdown = "# Doc\n\n## A\n\nFiled *words*.\n\n```\necho probe-code\n```\n\n## B\n\nMore words.\n"
                try markdown.write(to: dir.appendingPathComponent("doc.md"), atomically: true, encoding: .utf8)
                try markdown.write(to: dir.appendingPathComponent("doc.txt"), atomically: true, encoding: .utf8)
                try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0]).write(to: dir.appendingPathComponent("cover.png"))
                var env = sandboxEnv(sandbox, cacheIn: dir)
                env["ELEVENLABS_DEVICE"] = "file:FILE=" + dir.appendingPathComponent("played.raw").path
                env["XDG_CONFIG_HOME"] = dir.appendingPathComponent("config").path
                let input = probe.input?(base, dir) ?? Self.input(base, dir)
                let args = Self.args(base, dir) + probe.args(base, dir) + input
                let stdin = Data((Self.text).utf8)
                if let prepare = probe.prepare?(base, dir) {
                    let prepared = try await run("elevenlabs", prepare, env: env, stdin: stdin)
                    #expect(prepared.status == 0, "preparing \(option.rawValue) on \(base.rawValue): \(prepared.err)")
                }

                // The verdict the declaration gives this pair.
                guard case .run(let inv) = try CommandLineParser.parse(args) else { Issue.record("\(args) did not parse to a run"); continue }
                // Standard input here is a pipe that ends at once: spoken live only when --live says so.
                let paths = SpeechPaths.paths(of: inv)
                let dialogueEndpoint = inv.flag(.dialogue) && (inv.value(.model) ?? "eleven_v3") == "eleven_v3"
                // Refused when any option given is refused on these paths: the probed one, or one
                // of the base's that conflicts with it (-o with --out-dir).
                let refusedOption = option == .cacheInfo || option == .clearCache ? option
                    : OptionName.allCases.first { inv.values[$0] != nil && SpeechPaths.refusal($0, on: paths, dialogueEndpoint: dialogueEndpoint) != nil }
                let refused = refusedOption != nil

                let before = sandbox.requests.count
                let r = try await run("elevenlabs", args, env: env, stdin: stdin)
                let requests = Array(sandbox.requests.dropFirst(before))
                let sent = requests.map { req in
                    req.path + "?" + req.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&") + String(decoding: req.body, as: UTF8.self) + req.messages.joined()
                }.joined(separator: "\n").filter { $0 != " " }
                let seen = Seen(status: r.status, out: r.out, err: r.err, sent: sent, requests: requests, dir: dir)
                let what = "\(base.rawValue) + --\(option.rawValue): \(args.dropFirst().joined(separator: " "))"
                if refused {
                    refusedCount += 1
                    #expect(r.status == 2 && requests.isEmpty, "\(what): should be refused before any request; status \(r.status), \(requests.count) requests, \(r.err)")
                    #expect(r.err.contains("--\(refusedOption!.rawValue)"), "\(what): the refusal does not name --\(refusedOption!.rawValue): \(r.err)")
                } else {
                    honouredCount += 1
                    #expect(r.status == 0, "\(what): should be honoured; status \(r.status): \(r.err)")
                    #expect(probe.honoured(seen, paths), "\(what): no sign it was honoured; stdout \(r.out.prefix(300)) stderr \(r.err.prefix(300)) sent \(sent.prefix(400))")
                }
            }
            // A declaration that refused everything would pass the loop: each path honours a good
            // share of the options (a script, which is not a document, refuses the documents' six).
            #expect(honouredCount * 5 > speakOptions.count * 2, "\(base.rawValue): \(honouredCount) honoured, \(refusedCount) refused")
        }
    }
}
