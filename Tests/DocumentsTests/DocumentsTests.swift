// Documents to speech-ready text and chapters: Markdown (libcmark), HTML (libxml2) and EPUB
// (libzip + libxml2), from fixtures the tests write themselves. What is spoken has no markup
// characters, no URLs and no code; chapters follow the headings (or the EPUB's spine and contents).
import Testing
import Foundation
import TestSupport
@testable import Documents

/// A Markdown document with nested headings, lists, links, images, a table and a fenced code block.
let markdownFixture = """
# The Handbook

An opening paragraph with a [link to the site](https://example.com/page) and *emphasis*.

## Getting started

Install it first.[^1]

- First item
- Second item with `code`
  - A nested item

![A diagram of the parts](diagram.png)

| Name | Value |
|------|-------|
| a    | 1     |

```sh
rm -rf /
```

### A smaller heading

Details under a smaller heading, see <https://example.com/raw>.

## Using it

Speak it aloud. Visit https://example.com/bare for more.

[^1]: A footnote that is not read.
"""

@Suite struct DocumentsTests {
    func spoken(_ d: Document) -> String { d.chapters.map(\.text).joined(separator: "\n") }

    @Test func markdownBecomesChaptersOfSpokenText() throws {
        let doc = try DocumentReader.read(Array(markdownFixture.utf8), format: .markdown)
        #expect(doc.title == "The Handbook")
        #expect(doc.chapters.map(\.title) == ["The Handbook", "Getting started", "Using it"])
        let all = spoken(doc)
        for forbidden in ["#", "*", "`", "](", "http", "example.com", "rm -rf", "|", "[^", "footnote"] {
            #expect(!all.contains(forbidden), "\(forbidden) in: \(all)")
        }
        let start = doc.chapters[1].text
        #expect(start.hasPrefix("Getting started. <break time=\"0.8s\"/>"), "\(start)")
        for wanted in ["Install it first.", "First item.", "Second item with code.", "A nested item.", "A diagram of the parts.",
                       "Table skipped.", "Code sample skipped.", "A smaller heading.", "Details under a smaller heading, see."] {
            #expect(start.contains(wanted), "\(wanted) missing from: \(start)")
        }
        #expect(doc.chapters[0].text == "An opening paragraph with a link to the site and emphasis.")
        #expect(doc.chapters[2].text.contains("Visit for more."))
    }

    @Test func readCodeReadsCodeAndTablesAndTheLevelCanBeChosen() throws {
        let doc = try DocumentReader.read(Array(markdownFixture.utf8), format: .markdown, preparation: Preparation(readCode: true, chapterLevel: 3))
        #expect(doc.chapters.map(\.title) == ["The Handbook", "A smaller heading"])
        let all = spoken(doc)
        #expect(all.contains("rm -rf /.") && all.contains("Name, Value. a, 1.") && !all.contains("skipped"), "\(all)")
    }

    @Test func htmlSkipsNavigationScriptsAndStyles() throws {
        let html = """
        <!DOCTYPE html><html><head><title>A Page</title><style>body { color: red }</style>
        <script>var secret = "do not read";</script></head>
        <body><nav><a href="/">Home</a> | <a href="/about">About</a></nav>
        <h1>Part one</h1><p>First <b>bold</b> words, a <a href="https://x.example/">link</a><sup><a href="#fn1">1</a></sup>.</p>
        <ul><li>An item</li><li>Another</li></ul><img src="a.png" alt="A photo of a cat">
        <pre><code>print("hi")</code></pre><table><tr><td>1</td></tr></table>
        <h1>Part two</h1><p>Second part.</p><footer>Written in 2026.</footer></body></html>
        """
        let doc = try DocumentReader.read(Array(html.utf8), format: .html)
        #expect(doc.title == "A Page")
        #expect(doc.chapters.map(\.title) == ["Part one", "Part two"])
        let all = spoken(doc)
        for forbidden in ["Home", "About", "secret", "color", "print", "<b>", "http"] { #expect(!all.contains(forbidden), "\(forbidden) in \(all)") }
        for wanted in ["First bold words, a link.", "An item.", "Another.", "A photo of a cat.", "Code sample skipped.", "Table skipped.", "Second part."] {
            #expect(all.contains(wanted), "\(wanted) missing from \(all)")
        }
    }

    @Test func epubChaptersFollowTheSpineWithTitlesFromTheContents() throws {
        let dir = try temporaryDirectory()
        let epub = try makeEPUB(in: dir)
        let doc = try DocumentReader.read(Array(try Data(contentsOf: epub)), format: .epub)
        #expect(doc.title == "A Small Book" && doc.author == "Ada Writer")
        #expect(doc.chapters.map(\.title) == ["The Beginning", "The Middle", "The End"])
        #expect(doc.chapters[0].text.hasPrefix("The Beginning. <break"), "\(doc.chapters[0].text)")
        #expect(doc.chapters[1].text.contains("Things happened in the middle."))
        #expect(!spoken(doc).contains("Contents"), "the nav document was read")
    }

    @Test func hostileArchivesAreRefusedNotLoaded() throws {
        #expect(throws: DocumentError.self) { try DocumentReader.read(Array("not a zip".utf8), format: .epub) }
        let dir = try temporaryDirectory()
        // A ZIP bomb: one entry that expands to 80 MiB of zeros.
        let bomb = dir.appendingPathComponent("bomb.epub")
        let made = try runTool(["python3", "-c", """
        import zipfile
        z = zipfile.ZipFile('\(bomb.path)', 'w', zipfile.ZIP_DEFLATED)
        z.writestr('mimetype', 'application/epub+zip', compress_type=zipfile.ZIP_STORED)
        z.writestr('META-INF/container.xml', b'0' * (80 << 20))
        z.close()
        """])
        #expect(made.status == 0)
        #expect(throws: DocumentError.self) { try DocumentReader.read(Array(try Data(contentsOf: bomb)), format: .epub) }
        #expect(throws: DocumentError.self) { try DocumentReader.read(Array("# Only\n\n```\ncode\n```\n".utf8).map { $0 } + [0], format: .markdown) }
    }

    /// Nesting no document has (quotes, lists, emphasis, elements thousands deep) is read to a depth
    /// and never crashes the walk.
    @Test func deepNestingIsBoundedNotACrash() throws {
        let quotes = String(repeating: "> ", count: 50_000) + "deep words\n\n## Next\n\nShallow words.\n"
        let doc = try DocumentReader.read(Array(("# T\n\n## First\n\n" + quotes).utf8), format: .markdown)
        #expect(doc.chapters.last?.text.contains("Shallow words.") == true)
        let emphasis = String(repeating: "*a ", count: 30_000) + "b"
        _ = try? DocumentReader.read(Array(emphasis.utf8), format: .markdown)
        let html = String(repeating: "<div>", count: 100_000) + "text" + "<h2>Later</h2><p>Words.</p>"
        _ = try? DocumentReader.read(Array(html.utf8), format: .html)
    }
}
