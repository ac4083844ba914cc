// Documents to audiobooks (#30), through the real binary against the sandbox, checked by independent
// readers: mutagen for the ID3 chapters and tags, mpg123 for the audio, the sandbox's request log for
// what was sent (no markup characters, no URLs, no code).
import Testing
import Foundation
import ElevenLabsSandbox
import TestSupport

@Suite struct AudiobookTests {
    let dir: URL
    init() throws { dir = try temporaryDirectory() }
    func env(_ sandbox: Sandbox) -> [String: String] {
        var e = sandboxEnv(sandbox, cacheIn: dir)
        e["XDG_CONFIG_HOME"] = dir.appendingPathComponent("config").path
        return e
    }
    func sent(_ sandbox: Sandbox) -> [String] {
        sandbox.requests.filter { $0.path.hasPrefix("/v1/text-to-speech/") }.compactMap { $0.jsonObject?["text"] as? String }
    }

    /// The tags of an MP3 as mutagen reads them: text frames, and chapters (title, start, end) in order.
    struct Tags: Decodable {
        struct Chapter: Decodable { let title: String; let start: Int; let end: Int }
        let text: [String: String]
        let chapters: [Chapter]
        let toc: [String]
        let pictures: Int
    }

    func tags(_ mp3: URL) throws -> Tags {
        let script = """
        import json, sys, mutagen.id3 as m
        t = m.ID3(sys.argv[1])
        chaps = sorted(t.getall('CHAP'), key=lambda c: c.start_time)
        tocs = t.getall('CTOC')
        print(json.dumps({'text': {k: str(v) for k, v in t.items() if k[0] == 'T'},
            'chapters': [{'title': str(c.sub_frames.get('TIT2', '')), 'start': c.start_time, 'end': c.end_time} for c in chaps],
            'toc': list(tocs[0].child_element_ids) if tocs else [], 'pictures': len(t.getall('APIC'))}))
        """
        let r = try runTool(["python3", "-c", script, mp3.path])
        guard r.status == 0 else { throw FixtureError(message: "mutagen: \(String(decoding: r.output, as: UTF8.self))") }
        return try JSONDecoder().decode(Tags.self, from: r.output)
    }

    /// This project's own README, as the issue asks: its chapters are the intro and its `##` sections,
    /// with their titles and increasing start times that end where the audio ends, and the text sent
    /// holds no `#`, `*`, backquote or `](`.
    @Test func theReadmeBecomesAnMP3WithItsSectionsAsChapters() async throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../README.md").standardized
        let sections = try String(contentsOf: readme, encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("## ") }.map { String($0.dropFirst(3)) }
        #expect(sections.count > 5)
        try await withSandbox { sandbox in
            let out = dir.appendingPathComponent("readme.mp3")
            let r = try await run("elevenlabs", ["-f", readme.path, "-o", out.path, "--yes"], env: env(sandbox), timeout: 300)
            #expect(r.status == 0, "\(r.err)")
            let t = try tags(out)
            #expect(t.chapters.map(\.title) == ["elevenlabs"] + sections, "\(t.chapters.map(\.title))")
            #expect(t.toc.count == t.chapters.count)
            #expect(t.text["TIT2"] == "elevenlabs" && t.text["TALB"] == "elevenlabs" && t.text["TPE1"] == "George", "\(t.text)")
            #expect(t.chapters.first?.start == 0)
            for (a, b) in zip(t.chapters, t.chapters.dropFirst()) { #expect(a.end == b.start && b.start > a.start, "\(a) \(b)") }
            // The last chapter ends where mpg123 finds the audio ends.
            let pcm = try await mpg123Decode(out)
            let seconds = Double(pcm.count) / 2 / 44_100
            #expect(abs(Double(t.chapters.last!.end) / 1000 - seconds) < 0.1, "chapters end at \(t.chapters.last!.end) ms, audio at \(seconds) s")
            let texts = sent(sandbox)
            #expect(texts.count >= sections.count)
            for forbidden in ["#", "*", "`", "](", "http://", "https://"] {
                #expect(!texts.contains { $0.contains(forbidden) }, "'\(forbidden)' was sent")
            }
        }
    }

    @Test func htmlAndEPUBBecomeChaptersAndSplitIntoTracksWithAPlaylist() async throws {
        let page = dir.appendingPathComponent("page.html")
        try """
        <html><head><title>The Page</title><script>alert("no")</script></head><body><nav>Menu Home</nav>
        <h2>First part</h2><p>Words of the first part.</p><h2>Second part</h2><p>Words of the second part.</p></body></html>
        """.write(to: page, atomically: true, encoding: .utf8)
        let book = try makeEPUB(in: dir)
        // A tiny PNG for the cover.
        let cover = dir.appendingPathComponent("cover.png")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 0, count: 32)).write(to: cover)
        try await withSandbox { sandbox in
            let html = dir.appendingPathComponent("page.mp3")
            let r = try await run("elevenlabs", ["-f", page.path, "-o", html.path, "--author", "Probe Author"], env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            #expect(try tags(html).chapters.map(\.title) == ["First part", "Second part"])
            #expect(try tags(html).text["TPE1"] == "Probe Author" && tags(html).text["TIT2"] == "The Page")
            #expect(!sent(sandbox).contains { $0.contains("alert") || $0.contains("Menu") })

            let whole = dir.appendingPathComponent("book.mp3")
            let e = try await run("elevenlabs", ["-f", book.path, "-o", whole.path, "--cover", cover.path], env: env(sandbox))
            #expect(e.status == 0, "\(e.err)")
            let t = try tags(whole)
            #expect(t.chapters.map(\.title) == ["The Beginning", "The Middle", "The End"])
            #expect(t.text["TIT2"] == "A Small Book" && t.text["TPE1"] == "Ada Writer" && t.pictures == 1, "\(t.text)")

            // One file per chapter, tagged as tracks, and a playlist in order; nothing bought again.
            let before = sent(sandbox).count
            let split = try await run("elevenlabs", ["-f", book.path, "-o", whole.path, "--split-chapters"], env: env(sandbox))
            #expect(split.status == 0, "\(split.err)")
            #expect(sent(sandbox).count == before, "the chapters were bought again instead of coming from the cache")
            let folder = dir.appendingPathComponent("book")
            let names = ["01 - The Beginning.mp3", "02 - The Middle.mp3", "03 - The End.mp3"]
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == names + ["book.m3u"])
            let playlist = try String(contentsOf: folder.appendingPathComponent("book.m3u"), encoding: .utf8)
            #expect(playlist.hasPrefix("#EXTM3U\n") && playlist.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init) == names, "\(playlist)")
            let second = try tags(folder.appendingPathComponent(names[1]))
            #expect(second.text["TIT2"] == "The Middle" && second.text["TRCK"] == "2/3" && second.text["TALB"] == "A Small Book", "\(second.text)")
            #expect(try await mpg123Decode(folder.appendingPathComponent(names[2])).count > 1000)
        }
    }

    /// Priced per chapter before anything is bought; a dry run shows each chapter's text as sent;
    /// an edited chapter buys back only its own requests.
    @Test func pricedPerChapterAndAnEditBuysOnlyItsChapter() async throws {
        let doc = dir.appendingPathComponent("notes.md")
        func write(_ middle: String) throws {
            try "# Notes\n\n## One\n\nThe first chapter.\n\n## Two\n\n\(middle)\n\n## Three\n\nThe last chapter, with `code` and a [link](https://x.example).\n"
                .write(to: doc, atomically: true, encoding: .utf8)
        }
        try write("The second chapter.")
        try await withSandbox { sandbox in
            let dry = try await run("elevenlabs", ["-f", doc.path, "-o", dir.appendingPathComponent("n.mp3").path, "--dry-run"], env: env(sandbox))
            #expect(dry.status == 0, "\(dry.err)")
            #expect(dry.out.contains("== 2. Two: ") && dry.out.contains("Two. <break time=\"0.8s\"/>\n\nThe second chapter.")
                    && dry.out.contains("The last chapter, with code and a link.") && dry.out.contains("would speak 'Notes' in 3 chapters"), "\(dry.out)")
            #expect(sent(sandbox).isEmpty)
            #expect(try await run("elevenlabs", ["-f", doc.path, "-o", dir.appendingPathComponent("n.mp3").path], env: env(sandbox)).status == 0)
            let first = sent(sandbox).count
            try write("The second chapter, now longer.")
            #expect(try await run("elevenlabs", ["-f", doc.path, "-o", dir.appendingPathComponent("n.mp3").path], env: env(sandbox)).status == 0)
            let again = sent(sandbox).dropFirst(first)
            #expect(again.count == 1 && again.first?.contains("now longer") == true, "\(again)")
        }
    }

    @Test func documentOptionsAreRefusedWhereTheyWouldBeDropped() async throws {
        try await withSandbox { sandbox in
            let cases: [([String], String)] = [
                (["speak", "--chapter-level", "2", "Plain words to say."], "is for documents"),
                (["speak", "--split-chapters", "-o", dir.appendingPathComponent("x.mp3").path, "Plain words to say."], "is for documents"),
                (["speak", "-f", "-", "--input-format", "md", "--live"], "--input-format cannot be used with live input"),
                (["speak", "--input-format", "md", "--cover", "/etc/hostname", "-o", dir.appendingPathComponent("x.mp3").path], "neither a JPEG nor a PNG"),
                (["speak", "--input-format", "md", "--split-chapters", "-o", "-"], "--split-chapters"),
                (["speak", "--input-format", "md", "--split-chapters", "--play", "-o", dir.appendingPathComponent("x.mp3").path], "--play cannot be used with --split-chapters"),
                (["speak", "--input-format", "md", "--split-chapters", "--captions", dir.appendingPathComponent("x.srt").path, "-o", dir.appendingPathComponent("x.mp3").path], "--captions cannot be used with --split-chapters"),
            ]
            for (args, expected) in cases {
                let r = try await run("elevenlabs", args, env: env(sandbox), stdin: Data("# A\n\ntext\n".utf8))
                #expect(r.status == 2 && r.err.contains(expected), "\(args): \(r.status) \(r.err)")
            }
            // Broken documents are input errors (exit 3) naming the file and what is wrong, before
            // anything is bought: an EPUB whose spine names a file it lacks, a non-ZIP, and HTML of
            // nothing but a script.
            let broken = dir.appendingPathComponent("broken.epub")
            let made = try runTool(["python3", "-c", """
            import zipfile
            z = zipfile.ZipFile(\(pythonString(broken.path)), 'w')
            z.writestr('META-INF/container.xml', "<container><rootfiles><rootfile full-path='c.opf'/></rootfiles></container>")
            z.writestr('c.opf', "<package><manifest><item id='a' href='gone.xhtml' media-type='application/xhtml+xml'/></manifest><spine><itemref idref='a'/></spine></package>")
            z.close()
            """])
            #expect(made.status == 0)
            let notZip = dir.appendingPathComponent("fake.epub"), empty = dir.appendingPathComponent("empty.html")
            try "plain words".write(to: notZip, atomically: true, encoding: .utf8)
            try "<html><script>var a = 1;</script></html>".write(to: empty, atomically: true, encoding: .utf8)
            for (file, expected) in [(broken, "lacks gone.xhtml"), (notZip, "not an EPUB"), (empty, "holds no text to speak")] {
                let r = try await run("elevenlabs", ["-f", file.path, "-o", dir.appendingPathComponent("b.mp3").path], env: env(sandbox))
                #expect(r.status == 3 && r.err.contains(file.lastPathComponent) && r.err.contains(expected), "\(file.lastPathComponent): \(r.status) \(r.err)")
            }
            #expect(sent(sandbox).isEmpty)
        }
    }

    /// A WAV's chapters are a `cue ` chunk with labels (read here by Python's own RIFF walk); the
    /// captions never run a cue across a chapter, never show the pause's markup, and `--captions
    /// x.vtt` adds `x.chapters.vtt`.
    @Test func wavChaptersAreCuePointsAndCaptionsKeepToTheirChapters() async throws {
        let doc = dir.appendingPathComponent("c.md")
        try "# T\n\n## Alpha\n\nHello there, the first chapter with some words\n\n## Beta\n\nThe second chapter has words too.\n"
            .write(to: doc, atomically: true, encoding: .utf8)
        try await withSandbox { sandbox in
            let wav = dir.appendingPathComponent("c.wav"), vtt = dir.appendingPathComponent("c.vtt")
            let r = try await run("elevenlabs", ["-f", doc.path, "-o", wav.path, "--captions", vtt.path], env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            let script = """
            import struct, sys, json
            d = open(sys.argv[1], 'rb').read()
            assert d[:4] == b'RIFF' and struct.unpack('<I', d[4:8])[0] == len(d) - 8, 'RIFF size'
            i, cues, labels, rate = 12, [], {}, 0
            while i + 8 <= len(d):
                cid, size = d[i:i+4], struct.unpack('<I', d[i+4:i+8])[0]
                body = d[i+8:i+8+size]
                if cid == b'fmt ': rate = struct.unpack('<I', body[4:8])[0]
                if cid == b'cue ':
                    n = struct.unpack('<I', body[:4])[0]
                    cues = [struct.unpack('<6I', body[4+24*k:28+24*k]) for k in range(n)]
                if cid == b'LIST' and body[:4] == b'adtl':
                    j = 4
                    while j + 8 <= len(body):
                        sid, ssize = body[j:j+4], struct.unpack('<I', body[j+4:j+8])[0]
                        if sid == b'labl': labels[struct.unpack('<I', body[j+8:j+12])[0]] = body[j+12:j+8+ssize].rstrip(b'\\0').decode()
                        j += 8 + ssize + (ssize & 1)
                i += 8 + size + (size & 1)
            print(json.dumps({'rate': rate, 'cues': [[labels.get(c[0]), c[5] / rate] for c in cues]}))
            """
            let out = try runTool(["python3", "-c", script, wav.path])
            #expect(out.status == 0, "\(String(decoding: out.output, as: UTF8.self))")
            let parsed = try JSONSerialization.jsonObject(with: out.output) as? [String: Any]
            let cues = parsed?["cues"] as? [[Any]] ?? []
            #expect(cues.map { $0[0] as? String } == ["Alpha", "Beta"] && (cues.first?[1] as? Double) == 0, "\(cues)")
            let beta = try #require(cues.last?[1] as? Double)
            #expect(beta > 1)
            let captions = try String(contentsOf: vtt, encoding: .utf8)
            #expect(!captions.contains("break") && !captions.contains("&lt;"), "\(captions)")
            // No cue starts before Beta and ends after it.
            for line in captions.split(separator: "\n") where line.contains(" --> ") {
                let t = line.components(separatedBy: " --> ").map { s -> Double in
                    let p = s.split(separator: ":").map { Double($0) ?? 0 }; return p[0] * 3600 + p[1] * 60 + p[2]
                }
                #expect(!(t[0] < beta - 0.001 && t[1] > beta + 0.001), "a cue spans the chapters: \(line)")
            }
            let chapters = try String(contentsOf: dir.appendingPathComponent("c.chapters.vtt"), encoding: .utf8)
            #expect(chapters.hasPrefix("WEBVTT\n\nChapter 1\n00:00:00.000 --> ") && chapters.contains("\nAlpha\n") && chapters.contains("\nBeta\n"), "\(chapters)")
        }
    }

    /// A batch prepares its documents as one conversion does: each output carries its chapters, a
    /// rerun buys nothing, and a plain text beside them is converted as before.
    @Test func aBatchOfDocumentsMarksEachOnesChapters() async throws {
        let md = dir.appendingPathComponent("guide.md"), txt = dir.appendingPathComponent("plain.txt")
        try "# Guide\n\n## Start\n\nBegin *here*.\n\n## Finish\n\nEnd there.\n".write(to: md, atomically: true, encoding: .utf8)
        try "Just some words.".write(to: txt, atomically: true, encoding: .utf8)
        let book = try makeEPUB(in: dir)
        try await withSandbox { sandbox in
            let out = dir.appendingPathComponent("out")
            let r = try await run("elevenlabs", ["speak", "--out-dir", out.path, md.path, txt.path, book.path], env: env(sandbox))
            #expect(r.status == 0, "\(r.err)")
            #expect(try tags(out.appendingPathComponent("guide.mp3")).chapters.map(\.title) == ["Start", "Finish"])
            let epub = try tags(out.appendingPathComponent("book.mp3"))
            #expect(epub.chapters.map(\.title) == ["The Beginning", "The Middle", "The End"] && epub.text["TPE1"] == "Ada Writer", "\(epub)")
            #expect(!sent(sandbox).contains { $0.contains("*") || $0.contains("#") })
            #expect(try await mpg123Decode(out.appendingPathComponent("plain.mp3")).count > 1000)
            let count = sent(sandbox).count
            #expect(try await run("elevenlabs", ["speak", "--out-dir", out.path, md.path, txt.path, book.path], env: env(sandbox)).status == 0)
            #expect(sent(sandbox).count == count, "a rerun bought again")
        }
    }
}
